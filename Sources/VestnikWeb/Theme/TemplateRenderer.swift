import NIOCore
import VestnikCore

/// Templates by name: the theme's, built-in ones overridden file by file.
struct TemplateLibrary: Sendable {
    private(set) var templates: [String: Template] = [:]

    /// Parses `text` as the template `name`; `source` names it in errors (a file path for a theme override).
    mutating func add(_ text: String, named name: String, source: String? = nil) throws {
        templates[name] = try Template(text, name: source ?? name)
    }

    func contains(_ name: String) -> Bool { templates[name] != nil }

    /// The page as UTF-8 bytes in the buffer that is sent, or nil when there is no template `name`. A partial the
    /// library lacks renders as nothing.
    ///
    /// The buffer starts as large as the template's last page, so that a page is written with no reallocation (and
    /// no copy of what was written before it).
    func renderBytes(_ name: String, _ root: TemplateValue) -> ByteBuffer? {
        guard let template = templates[name] else { return nil }
        let program = template.program
        var renderer = TemplateRenderer(library: self, root: root, capacity: program.lastSize.value)
        renderer.render(program, program.root, TemplateRenderer.Frame())
        program.lastSize.value = renderer.out.count
        return renderer.out.finish()
    }

    /// The page as a string.
    func render(_ name: String, _ root: TemplateValue) -> String? {
        renderBytes(name, root).map { String(buffer: $0) }
    }
}

/// One render: every op writes into one byte buffer, and the context stack is one array pushed and popped (where
/// swift-mustache built a string per section and copied the stack for each one).
struct TemplateRenderer {
    /// What changes only at partials with overrides, so it is passed down by value rather than pushed.
    struct Frame {
        /// The blocks that the children on the way here override; the outermost child wins.
        var overrides: [String: Body]?
    }

    /// A block's body as a child wrote it: ops of the child's program.
    struct Body {
        let program: TemplateProgram
        let ops: Range<Int>
    }

    /// A value on the context stack, which holds it; an object is kept a second time, unretained and with its type,
    /// so that a lookup climbing the stack calls it without retaining and releasing every object it passes (as
    /// binding `case .object(let fields)` to each entry did). An item of a list of objects is held by the list, which
    /// outlives it on the stack, so it is pushed with no value at all: no retain to push it, no release to pop it.
    struct Context {
        /// `.none` for an item of a list of objects.
        private let value: TemplateValue
        let object: Unmanaged<AnyObject>?
        let type: (any TemplateFields.Type)?

        init(_ value: consuming TemplateValue) {
            if case .object(let fields) = value {
                object = Unmanaged.passUnretained(fields)
                type = Swift.type(of: fields)
            } else {
                object = nil
                type = nil
            }
            self.value = value
        }

        init(item: (object: Unmanaged<AnyObject>, type: any TemplateFields.Type)) {
            value = .none
            object = item.object
            type = item.type
        }

        /// The value, as `{{.}}` sees it.
        var current: TemplateValue {
            if value.isNone, let object, let type { return Self.value(of: object, as: type) }
            return value
        }

        /// `value`, or the list an item is in, keeps the object alive for as long as this entry is on the stack.
        static func field<Object: TemplateFields>(_ key: FieldKey, of object: Unmanaged<AnyObject>, as _: Object.Type) -> TemplateValue {
            object._withUnsafeGuaranteedRef { unsafeDowncast($0, to: Object.self).field(key) }
        }

        private static func value<Object: TemplateFields>(of object: Unmanaged<AnyObject>, as _: Object.Type) -> TemplateValue {
            .object(unsafeDowncast(object.takeUnretainedValue(), to: Object.self))
        }
    }

    private let library: TemplateLibrary
    private var stack: [Context]
    private(set) var out: PageBuffer
    /// Written before each line that starts inside a standalone partial or block (swift-mustache's rule): theirs
    /// is appended while they render and taken off after, so that entering one allocates nothing.
    private var indentation: [UInt8] = []
    /// Guards against a partial that includes itself without end.
    private var depth = 0

    init(library: TemplateLibrary, root: TemplateValue, capacity: Int) {
        self.library = library
        stack = [Context(root)]
        stack.reserveCapacity(16)
        out = PageBuffer(capacity: max(4096, capacity + capacity / 16))
    }

    /// Renders the list `ops` of `program`.
    mutating func render(_ program: TemplateProgram, _ ops: Range<Int>, _ frame: Frame) {
        var index = ops.lowerBound
        if indentation.isEmpty {
            while index < ops.upperBound { index = render(program, at: index, frame) }
            return
        }
        // swift-mustache writes the indentation before a node's output when that output is not empty and what this
        // node list has written so far ends with a newline ("\n", not "\r\n", which Swift counts as one Character).
        let start = out.count
        while index < ops.upperBound {
            let before = out.count
            let atLineStart =
                before > start && out.byte(at: before - 1) == 0x0A && !(before - 2 >= start && out.byte(at: before - 2) == 0x0D)
            guard atLineStart else {
                index = render(program, at: index, frame)
                continue
            }
            out.write(indentation)
            let written = out.count
            index = render(program, at: index, frame)
            if out.count == written { out.truncate(to: before) }
        }
    }

    /// Renders the op at `index` (with its body); answers where its list goes on.
    private mutating func render(_ program: TemplateProgram, at index: Int, _ frame: Frame) -> Int {
        switch program.ops[index] {
        case .text(let range):
            program.bytes.withUnsafeBytes { out.write(UnsafeRawBufferPointer(rebasing: $0[range])) }
            return index + 1

        case .variable(let path, let climbs, let escaped):
            switch resolve(program, path, climbs: climbs) {
            case .text(let text):
                if escaped { HTML.escape(text, into: &out) } else { append(text) }
            case .html(let bytes):
                if escaped { HTML.escape(bytes, into: &out) } else { bytes.withUnsafeBytes { out.write($0) } }
            case .bool(let value):
                out.write(value ? "true" : "false")
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
                case .list(let list) where list.count == 0: renderPushing(Context(value), program, body, frame)
                default: break
                }
                return end
            }
            switch value {
            case .none, .bool(false): break
            case .bool(true): render(program, body, frame)
            case .list(let list):
                // `value` holds the list, and so its items, until the loop ends.
                for item in 0..<list.count {
                    let context = list.unretainedObject(item).map { Context(item: $0) } ?? Context(list.item(item))
                    renderPushing(context, program, body, frame)
                }
            case .text, .html, .object: renderPushing(Context(value), program, body, frame)
            }
            return end

        case .partial(let partialIndex, let end):
            // The partial's fields are read one by one: a copy of the whole `Partial` retained and released them all.
            guard depth < 64, let template = library.templates[program.partials[partialIndex].name] else { return end }
            let indented = program.partials[partialIndex].indentation
            if let indented { indentation += indented }
            depth += 1
            if let overrides = program.partials[partialIndex].overrides {
                let bodies = overrides.mapValues { Body(program: program, ops: $0) }
                let inner = Frame(overrides: frame.overrides?.merging(bodies) { outer, _ in outer } ?? bodies)
                render(template.program, template.program.root, inner)
            } else {
                render(template.program, template.program.root, frame)
            }
            depth -= 1
            if let indented { indentation.removeLast(indented.count) }
            return end

        case .block(let blockIndex, let end):
            let indented = program.blocks[blockIndex].indentation
            indentation += indented
            if let body = frame.overrides?[program.blocks[blockIndex].name] {
                render(body.program, body.ops, frame)
            } else {
                render(program, index + 1..<end, frame)
            }
            indentation.removeLast(indented.count)
            return end
        }
    }

    /// `context` is consumed: it moves onto the stack, with no copy to retain and no original to release.
    private mutating func renderPushing(_ context: consuming Context, _ program: TemplateProgram, _ body: Range<Int>, _ frame: Frame) {
        stack.append(context)
        render(program, body, frame)
        stack.removeLast()
    }

    private mutating func append(_ text: String) {
        text.withUTF8Bytes { out.write(UnsafeRawBufferPointer($0)) }
    }

    /// The first name found by climbing the stack (or in the current item only), the rest inside it; only objects
    /// have fields, so other entries are passed over without a lookup.
    private func resolve(_ program: TemplateProgram, _ path: Range<Int>, climbs: Bool) -> TemplateValue {
        guard !path.isEmpty else { return stack[stack.count - 1].current }
        let first = program.keys[path.lowerBound]
        var value = TemplateValue.none
        if climbs {
            var index = stack.count - 1
            while index >= 0 {
                value = field(first, at: index)
                if !value.isNone { break }
                index -= 1
            }
        } else {
            value = field(first, at: stack.count - 1)
        }
        var next = path.lowerBound + 1
        while next < path.upperBound {
            guard case .object(let fields) = value else { return .none }
            value = fields.field(program.keys[next])
            next += 1
        }
        return value
    }

    /// The field `key` of the stack's entry `index` when it is an object, else `.none`. Only the entry's unretained
    /// object and its type are read: a copy of the entry (a method of `Context`) retained and released its value.
    @inline(__always)
    private func field(_ key: FieldKey, at index: Int) -> TemplateValue {
        guard let object = stack[index].object, let type = stack[index].type else { return .none }
        return Context.field(key, of: object, as: type)
    }
}
