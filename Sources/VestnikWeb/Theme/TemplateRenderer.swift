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
        renderer.render(template.nodes, TemplateRenderer.Frame())
        return renderer.out
    }

    /// The page as a string.
    func render(_ name: String, _ root: TemplateValue) -> String? {
        renderBytes(name, root).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// One render: every node writes into one byte buffer, and the context stack is one array pushed and popped (where
/// swift-mustache built a string per section and copied the stack for each one).
struct TemplateRenderer {
    /// What changes only at partials and blocks, so it is passed down by value rather than pushed.
    struct Frame {
        /// Written before each line that starts inside a standalone partial or block (swift-mustache's rule).
        var indentation: [UInt8] = []
        /// The blocks that the children on the way here override; the outermost child wins.
        var overrides: [String: [TemplateNode]]?
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

    mutating func render(_ nodes: [TemplateNode], _ frame: Frame) {
        if frame.indentation.isEmpty {
            for node in nodes { render(node, frame) }
            return
        }
        // swift-mustache writes the indentation before a node's output when that output is not empty and what this
        // node list has written so far ends with a newline ("\n", not "\r\n", which Swift counts as one Character).
        let start = out.count
        for node in nodes {
            let before = out.count
            let atLineStart = before > start && out[before - 1] == 0x0A && !(before - 2 >= start && out[before - 2] == 0x0D)
            guard atLineStart else {
                render(node, frame)
                continue
            }
            out.append(contentsOf: frame.indentation)
            let written = out.count
            render(node, frame)
            if out.count == written { out.removeLast(frame.indentation.count) }
        }
    }

    private mutating func render(_ node: TemplateNode, _ frame: Frame) {
        switch node {
        case .text(let bytes):
            out.append(contentsOf: bytes)

        case .variable(let path, let escaped):
            switch resolve(path) {
            case .text(let text):
                if escaped { HTMLEscaping.escape(text, into: &out) } else { append(text) }
            case .bool(let value):
                append(value ? "true" : "false")
            // swift-mustache printed a list or an object with String(describing:), which no template wants.
            case .none, .list, .object:
                break
            }

        case .section(let path, let inverted, let body):
            let value = resolve(path)
            if inverted {
                switch value {
                case .none, .bool(false): render(body, frame)
                // swift-mustache pushes the empty list; a lookup in it finds nothing and climbs on, as here.
                case .list(let list) where list.count == 0: renderPushing(value, body, frame)
                default: break
                }
                return
            }
            switch value {
            case .none, .bool(false): break
            case .bool(true): render(body, frame)
            case .list(let list):
                for index in 0..<list.count { renderPushing(list.item(index), body, frame) }
            case .text, .object: renderPushing(value, body, frame)
            }

        case .partial(let name, let indentation, let overrides):
            guard let template = library.templates[name], depth < 64 else { return }
            var inner = frame
            if let indentation { inner.indentation += indentation }
            if let overrides {
                inner.overrides = frame.overrides?.merging(overrides) { outer, _ in outer } ?? overrides
            }
            depth += 1
            render(template.nodes, inner)
            depth -= 1

        case .block(let name, let defaultNodes, let indentation):
            var inner = frame
            inner.indentation += indentation
            render(frame.overrides?[name] ?? defaultNodes, inner)

        case .blockDefinition:
            // Only inside a parent tag while parsing; the parser folds them into the partial's overrides.
            break
        }
    }

    private mutating func renderPushing(_ value: TemplateValue, _ body: [TemplateNode], _ frame: Frame) {
        stack.append(value)
        render(body, frame)
        stack.removeLast()
    }

    private mutating func append(_ text: String) {
        text.withUTF8Bytes { out.append(contentsOf: $0) }
    }

    /// The first name found by climbing the stack (or in the current item only), the rest inside it; only objects
    /// have fields, so other entries are passed over without a lookup.
    private func resolve(_ path: TemplatePath) -> TemplateValue {
        let keys = path.components
        guard !keys.isEmpty else { return stack[stack.count - 1] }
        var value = TemplateValue.none
        if path.climbs {
            var index = stack.count - 1
            while index >= 0 {
                if case .object(let fields) = stack[index] {
                    value = fields.field(keys[0])
                    if !value.isNone { break }
                }
                index -= 1
            }
        } else if case .object(let fields) = stack[stack.count - 1] {
            value = fields.field(keys[0])
        }
        var next = 1
        while next < keys.count {
            guard case .object(let fields) = value else { return .none }
            value = fields.field(keys[next])
            next += 1
        }
        return value
    }
}
