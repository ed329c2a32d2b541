/// Templates by name: the theme's, built-in ones overridden file by file.
struct TemplateLibrary: Sendable {
    private(set) var templates: [String: Template] = [:]

    /// Parses `text` as the template `name`; `source` names it in errors (a file path for a theme override).
    mutating func add(_ text: String, named name: String, source: String? = nil) throws {
        templates[name] = try Template(text, name: source ?? name)
    }

    func contains(_ name: String) -> Bool { templates[name] != nil }

    /// The page as UTF-8 bytes, or nil when there is no template `name`. A partial the library lacks renders as
    /// nothing.
    func renderBytes(_ name: String, _ root: TemplateValue) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var renderer = TemplateRenderer(library: self, root: root)
        renderer.render(template.program, template.program.root, TemplateRenderer.Frame())
        return renderer.out
    }

    /// The page as a string.
    func render(_ name: String, _ root: TemplateValue) -> String? {
        renderBytes(name, root).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// One render: every op writes into one byte buffer, and the context stack is one array pushed and popped (where
/// swift-mustache built a string per section and copied the stack for each one).
struct TemplateRenderer {
    /// What changes only at partials and blocks, so it is passed down by value rather than pushed.
    struct Frame {
        /// Written before each line that starts inside a standalone partial or block (swift-mustache's rule).
        var indentation: [UInt8] = []
        /// The blocks that the children on the way here override; the outermost child wins.
        var overrides: [String: Body]?
    }

    /// A block's body as a child wrote it: ops of the child's program.
    struct Body {
        let program: TemplateProgram
        let ops: Range<Int>
    }

    private let library: TemplateLibrary
    private var stack: [TemplateValue]
    private(set) var out: [UInt8] = []
    /// Guards against a partial that includes itself without end.
    private var depth = 0

    init(library: TemplateLibrary, root: TemplateValue) {
        self.library = library
        stack = [root]
        stack.reserveCapacity(16)
        out.reserveCapacity(32 * 1024)
    }

    /// Renders the list `ops` of `program`.
    mutating func render(_ program: TemplateProgram, _ ops: Range<Int>, _ frame: Frame) {
        var index = ops.lowerBound
        if frame.indentation.isEmpty {
            while index < ops.upperBound { index = render(program, at: index, frame) }
            return
        }
        // swift-mustache writes the indentation before a node's output when that output is not empty and what this
        // node list has written so far ends with a newline ("\n", not "\r\n", which Swift counts as one Character).
        let start = out.count
        while index < ops.upperBound {
            let before = out.count
            let atLineStart = before > start && out[before - 1] == 0x0A && !(before - 2 >= start && out[before - 2] == 0x0D)
            guard atLineStart else {
                index = render(program, at: index, frame)
                continue
            }
            out.append(contentsOf: frame.indentation)
            let written = out.count
            index = render(program, at: index, frame)
            if out.count == written { out.removeLast(frame.indentation.count) }
        }
    }

    /// Renders the op at `index` (with its body); answers where its list goes on.
    private mutating func render(_ program: TemplateProgram, at index: Int, _ frame: Frame) -> Int {
        switch program.ops[index] {
        case .text(let range):
            program.bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            return index + 1

        case .variable(let path, let climbs, let escaped):
            switch resolve(program, path, climbs: climbs) {
            case .text(let text):
                if escaped { HTMLEscaping.escape(text, into: &out) } else { append(text) }
            case .html(let bytes):
                if escaped { HTMLEscaping.escape(bytes, into: &out) } else { out.append(contentsOf: bytes) }
            case .bool(let value):
                append(value ? "true" : "false")
            // swift-mustache printed a list or an object with String(describing:), which no template wants.
            case .none, .list, .object:
                break
            }
            return index + 1

        case .section(let path, let climbs, let inverted, let end):
            let body = index + 1..<end
            let value = resolve(program, path, climbs: climbs)
            if inverted {
                switch value {
                case .none, .bool(false): render(program, body, frame)
                // swift-mustache pushes the empty list; a lookup in it finds nothing and climbs on, as here.
                case .list(let list) where list.count == 0: renderPushing(value, program, body, frame)
                default: break
                }
                return end
            }
            switch value {
            case .none, .bool(false): break
            case .bool(true): render(program, body, frame)
            case .list(let list):
                for item in 0..<list.count { renderPushing(list.item(item), program, body, frame) }
            case .text, .html, .object: renderPushing(value, program, body, frame)
            }
            return end

        case .partial(let partialIndex, let end):
            let partial = program.partials[partialIndex]
            guard let template = library.templates[partial.name], depth < 64 else { return end }
            var inner = frame
            if let indentation = partial.indentation { inner.indentation += indentation }
            if let overrides = partial.overrides {
                let bodies = overrides.mapValues { Body(program: program, ops: $0) }
                inner.overrides = frame.overrides?.merging(bodies) { outer, _ in outer } ?? bodies
            }
            depth += 1
            render(template.program, template.program.root, inner)
            depth -= 1
            return end

        case .block(let blockIndex, let end):
            let block = program.blocks[blockIndex]
            var inner = frame
            inner.indentation += block.indentation
            if let body = frame.overrides?[block.name] {
                render(body.program, body.ops, inner)
            } else {
                render(program, index + 1..<end, inner)
            }
            return end
        }
    }

    private mutating func renderPushing(_ value: TemplateValue, _ program: TemplateProgram, _ body: Range<Int>, _ frame: Frame) {
        stack.append(value)
        render(program, body, frame)
        stack.removeLast()
    }

    private mutating func append(_ text: String) {
        text.withUTF8Bytes { out.append(contentsOf: $0) }
    }

    /// The first name found by climbing the stack (or in the current item only), the rest inside it; only objects
    /// have fields, so other entries are passed over without a lookup.
    private func resolve(_ program: TemplateProgram, _ path: Range<Int>, climbs: Bool) -> TemplateValue {
        guard !path.isEmpty else { return stack[stack.count - 1] }
        let first = program.keys[path.lowerBound]
        var value = TemplateValue.none
        if climbs {
            var index = stack.count - 1
            while index >= 0 {
                if case .object(let fields) = stack[index] {
                    value = fields.field(first)
                    if !value.isNone { break }
                }
                index -= 1
            }
        } else if case .object(let fields) = stack[stack.count - 1] {
            value = fields.field(first)
        }
        var next = path.lowerBound + 1
        while next < path.upperBound {
            guard case .object(let fields) = value else { return .none }
            value = fields.field(program.keys[next])
            next += 1
        }
        return value
    }
}
