import Foundation

/// A template's tree flattened for rendering: every node list is a run of `ops`, and an op holds only integers and
/// ranges, so walking a page copies no reference. (Walking the tree retained and released each node and the arrays
/// in its payload: a sixth of the render's CPU in `bench/profile.sh`.)
///
/// A section's body, a block's default and a parent's overrides follow their op; the op says where they end, which
/// is where its list goes on.
final class TemplateProgram: Sendable {
    enum Op {
        /// `bytes[range]`.
        case text(Range<Int>)
        /// `keys[path]`; the first key is looked up by climbing the stack when `climbs`.
        case variable(path: Range<Int>, climbs: Bool, escaped: Bool)
        /// The body is the ops up to `end`.
        case section(path: Range<Int>, climbs: Bool, inverted: Bool, end: Int)
        /// `partials[index]`; the ops up to `end` are the overrides' bodies.
        case partial(index: Int, end: Int)
        /// `blocks[index]`; the default body is the ops up to `end`.
        case block(index: Int, end: Int)
    }

    struct Partial {
        var name: String
        var indentation: [UInt8]?
        /// A parent's blocks that this child overrides: their bodies, ops of this program.
        var overrides: [String: Range<Int>]?
    }

    struct Block {
        var name: String
        var indentation: [UInt8]
    }

    let ops: [Op]
    let bytes: [UInt8]
    let keys: [FieldKey]
    let partials: [Partial]
    let blocks: [Block]
    /// The template's own list.
    let root: Range<Int>
    /// The size of the last page rendered from this template, the next page's first guess (`TemplateLibrary`).
    let lastSize = LastSize()

    /// A lock rather than `Atomic`, which needs macOS 15.
    final class LastSize: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = 0

        var value: Int {
            get { lock.withLock { bytes } }
            set { lock.withLock { bytes = newValue } }
        }
    }

    init(_ nodes: [TemplateNode]) {
        var builder = Builder()
        builder.emit(nodes)
        root = 0..<builder.ops.count
        ops = builder.ops
        bytes = builder.bytes
        keys = builder.keys
        partials = builder.partials
        blocks = builder.blocks
    }

    private struct Builder {
        var ops: [Op] = []
        var bytes: [UInt8] = []
        var keys: [FieldKey] = []
        var partials: [Partial] = []
        var blocks: [Block] = []

        mutating func emit(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .text(let text):
                    let start = bytes.count
                    bytes += text
                    ops.append(.text(start..<bytes.count))
                case .variable(let path, let escaped):
                    ops.append(.variable(path: add(path), climbs: path.climbs, escaped: escaped))
                case .section(let path, let inverted, let body):
                    let at = ops.count
                    ops.append(.text(0..<0))
                    emit(body)
                    ops[at] = .section(path: add(path), climbs: path.climbs, inverted: inverted, end: ops.count)
                case .partial(let name, let indentation, let overrides):
                    let at = ops.count
                    ops.append(.text(0..<0))
                    var bodies: [String: Range<Int>]?
                    if let overrides {
                        bodies = [:]
                        for (block, body) in overrides {
                            let start = ops.count
                            emit(body)
                            bodies?[block] = start..<ops.count
                        }
                    }
                    partials.append(Partial(name: name, indentation: indentation, overrides: bodies))
                    ops[at] = .partial(index: partials.count - 1, end: ops.count)
                case .block(let name, let defaultNodes, let indentation):
                    let at = ops.count
                    ops.append(.text(0..<0))
                    emit(defaultNodes)
                    blocks.append(Block(name: name, indentation: indentation))
                    ops[at] = .block(index: blocks.count - 1, end: ops.count)
                case .blockDefinition:
                    // Only inside a parent tag while parsing; the parser folds them into the partial's overrides.
                    break
                }
            }
        }

        private mutating func add(_ path: TemplatePath) -> Range<Int> {
            let start = keys.count
            keys += path.components
            return start..<keys.count
        }
    }
}
