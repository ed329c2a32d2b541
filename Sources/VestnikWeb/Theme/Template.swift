import Foundation

// Vestnik's Mustache templates, parsed once when the theme loads.
//
// The parser follows swift-mustache 2.1.1's (on which the theme was written) step by step, quirks included, because
// pages depend on its whitespace: a standalone tag's line goes, the indentation of a standalone partial or block is
// repeated on every line it renders, and the first line's indentation inside a `{{$block}}` of a `{{<parent}}` is
// taken off every line of that block. Where swift-mustache's behaviour is odd but harmless it is kept, so that no
// page changes; each such place says so. Not supported, and refused at load with the template's name and line:
// lambdas and swift-mustache's transforms (`{{uppercase(x)}}`), and dynamic partials (`{{>*name}}`). Pragmas
// (`{{% … }}`) are read and ignored.

/// A theme that cannot load: a template that does not parse (with its name and line), a missing folder or template.
public struct ThemeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A parsed template: the parser's tree (text as UTF-8 bytes ready to copy, names split into path components),
/// flattened into the program that renders walk.
struct Template: Sendable {
    let program: TemplateProgram

    /// Parses `text`; `name` (the template's name, or its file for a theme override) is what errors report.
    init(_ text: String, name: String) throws {
        var parser = TemplateParser(text, name: name)
        program = TemplateProgram(try parser.parse(TemplateParser.State()))
    }
}

indirect enum TemplateNode: Sendable {
    case text([UInt8])
    case variable(TemplatePath, escaped: Bool)
    case section(TemplatePath, inverted: Bool, [TemplateNode])
    /// `{{>name}}` (no overrides) or `{{<name}}…{{/name}}` (a parent, with the blocks its child overrides).
    /// `indentation` is set when the tag stands alone on its line (always for a parent, as swift-mustache does).
    case partial(String, indentation: [UInt8]?, overrides: [String: [TemplateNode]]?)
    /// `{{$name}}default{{/name}}` in a template that is a parent.
    case block(String, defaultNodes: [TemplateNode], indentation: [UInt8])
    /// A `{{$name}}…{{/name}}` directly inside `{{<parent}}`: only while parsing, gathered into the partial's overrides.
    case blockDefinition(String, [TemplateNode])
}

/// A tag's name: `.` is the current item; `.a.b` starts at the current item only; `a.b.c` finds `a` by climbing the
/// context stack, then the rest inside it.
struct TemplatePath: Sendable, Equatable {
    var climbs: Bool
    var components: [FieldKey]

    init(_ name: String) {
        climbs = name.first != "."
        components = name.split(separator: ".").map { FieldKey(String($0)) }
    }
}

struct TemplateParser {
    private let chars: [Character]
    private var position = 0
    private let name: String

    init(_ text: String, name: String) {
        chars = Array(text)
        self.name = name
    }

    /// swift-mustache's parser state, copied into each nested section (so delimiters set inside a section end with it).
    struct State {
        var sectionName: String?
        /// The opening tag (`#name`, `^name`, `<name`, `$name`) and where it is, for errors.
        var sectionTag = ""
        var sectionOpenedAt = 0
        /// Nothing but spaces and tabs since the line began: a tag here may be standalone.
        var newLine = true
        var isPartialDefinition = false
        var isPartialDefinitionTopLevel = false
        var start: [Character] = ["{", "{"]
        var end: [Character] = ["}", "}"]
        /// Inside a `{{$block}}` of a parent: the first line's indentation, taken off the lines after it.
        var partialDefinitionIndent: Int?

        func section(_ name: String, tag: Character, at position: Int, newLine: Bool) -> State {
            var state = self
            state.sectionName = name
            state.sectionTag = "\(tag)\(name)"
            state.sectionOpenedAt = position
            state.isPartialDefinitionTopLevel = false
            if !newLine { state.newLine = false }
            return state
        }
    }

    mutating func parse(_ initial: State) throws -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        var state = initial
        var whiteSpaceBefore = ""
        func text(_ string: String) -> TemplateNode { .text(Array(string.utf8)) }

        while position < chars.count {
            if state.newLine {
                let whiteSpace = read(while: { $0 == " " || $0 == "\t" })
                if state.isPartialDefinition, !state.isPartialDefinitionTopLevel {
                    if let indent = state.partialDefinitionIndent {
                        whiteSpaceBefore = String(whiteSpace.dropFirst(indent))
                    } else {
                        // swift-mustache: the first line's whitespace only sets the indent; it is not written.
                        state.partialDefinitionIndent = whiteSpace.count
                    }
                } else {
                    whiteSpaceBefore = whiteSpace
                }
            }
            let plain = readTextUntilTagOrNewline(state)
            if current.isNewline {
                nodes.append(text(whiteSpaceBefore + plain + String(current)))
                state.newLine = true
                position += 1
                continue
            }
            if !plain.isEmpty {
                nodes.append(text(whiteSpaceBefore + plain))
                whiteSpaceBefore = ""
                state.newLine = false
            }
            // swift-mustache: spaces at the very end of a template, after its last newline, are dropped.
            if position >= chars.count { break }

            let tagAt = position
            var setNewLine = false
            switch current {
            case "#", "^":
                let sigil = current
                position += 1
                let sectionName = try readName(state, at: tagAt)
                if isStandalone(state) {
                    setNewLine = true
                } else if !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
                let body = try parse(state.section(sectionName, tag: sigil, at: tagAt, newLine: setNewLine))
                nodes.append(.section(TemplatePath(sectionName), inverted: sigil == "^", body))

            case "/":
                position += 1
                let closed = try readName(state, at: tagAt)
                guard let open = state.sectionName else {
                    throw error("{{/\(closed)}} closes no open section", at: tagAt)
                }
                guard closed == open else {
                    throw error(
                        "{{/\(closed)}} does not close {{\(state.sectionTag)}} opened on line \(line(at: state.sectionOpenedAt))",
                        at: tagAt)
                }
                if !isStandalone(state), !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                }
                return nodes

            case "!":
                position += 1
                guard skip(past: state.end) else { throw error("a comment is never closed", at: tagAt) }
                setNewLine = isStandalone(state)

            case "%":
                // Pragmas: swift-mustache's CONTENT_TYPE chose the escaping; here it is always HTML's.
                position += 1
                guard skip(past: state.end) else { throw error("a pragma is never closed", at: tagAt) }
                setNewLine = isStandalone(state)

            case "{", "&":
                let triple = current == "{"
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
                position += 1
                let variable = try readName(state, at: tagAt)
                if triple {
                    guard current == "}" else { throw error("{{{\(variable)}} lacks its third }", at: tagAt) }
                    position += 1
                }
                nodes.append(.variable(TemplatePath(variable), escaped: false))

            case ">":
                position += 1
                _ = read(while: \.isWhitespace)
                let partial = try readPartialName(state, at: tagAt)
                if !whiteSpaceBefore.isEmpty { nodes.append(text(whiteSpaceBefore)) }
                if isStandalone(state) {
                    setNewLine = true
                    nodes.append(.partial(partial, indentation: Array(whiteSpaceBefore.utf8), overrides: nil))
                } else {
                    nodes.append(.partial(partial, indentation: nil, overrides: nil))
                }
                whiteSpaceBefore = ""

            case "<":
                position += 1
                _ = read(while: \.isWhitespace)
                let parent = try readPartialName(state, at: tagAt)
                if !whiteSpaceBefore.isEmpty { nodes.append(text(whiteSpaceBefore)) }
                if isStandalone(state) { setNewLine = true }
                var inner = state.section(parent, tag: "<", at: tagAt, newLine: true)
                inner.newLine = true
                inner.isPartialDefinition = true
                inner.isPartialDefinitionTopLevel = true
                var overrides: [String: [TemplateNode]] = [:]
                for node in try parse(inner) {
                    switch node {
                    case .blockDefinition(let block, let body): overrides[block] = body
                    case .text: break
                    default: throw error("{{<\(parent)}} may hold only {{$block}}…{{/block}} and text", at: tagAt)
                    }
                }
                nodes.append(.partial(parent, indentation: Array(whiteSpaceBefore.utf8), overrides: overrides))
                whiteSpaceBefore = ""

            case "$":
                position += 1
                let block = try readName(state, at: tagAt)
                if state.isPartialDefinitionTopLevel {
                    setNewLine = isStandalone(state)
                    let body = try parse(state.section(block, tag: "$", at: tagAt, newLine: setNewLine))
                    nodes.append(.blockDefinition(block, body))
                } else {
                    if !whiteSpaceBefore.isEmpty { nodes.append(text(whiteSpaceBefore)) }
                    setNewLine = isStandalone(state)
                    let body = try parse(state.section(block, tag: "$", at: tagAt, newLine: setNewLine))
                    nodes.append(.block(block, defaultNodes: body, indentation: Array(whiteSpaceBefore.utf8)))
                    whiteSpaceBefore = ""
                }

            case "=":
                position += 1
                try setDelimiters(&state, at: tagAt)
                setNewLine = isStandalone(state)

            default:
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
                let variable = try readName(state, at: tagAt)
                nodes.append(.variable(TemplatePath(variable), escaped: true))
            }
            state.newLine = setNewLine
        }
        if state.sectionName != nil {
            throw error("{{\(state.sectionTag)}} is never closed", at: state.sectionOpenedAt)
        }
        return nodes
    }

    // MARK: reading

    /// The character at the position; swift-mustache's parser answers NUL past the end, and so does this.
    private var current: Character { position < chars.count ? chars[position] : "\0" }

    private mutating func read(while matches: (Character) -> Bool) -> String {
        var result = ""
        while position < chars.count, matches(chars[position]) {
            result.append(chars[position])
            position += 1
        }
        return result
    }

    private func matches(_ delimiter: [Character], at index: Int) -> Bool {
        guard index + delimiter.count <= chars.count else { return false }
        return chars[index..<index + delimiter.count].elementsEqual(delimiter)
    }

    /// Text up to a newline (not taken) or the start delimiter (taken).
    private mutating func readTextUntilTagOrNewline(_ state: State) -> String {
        var text = ""
        while position < chars.count {
            let c = chars[position]
            if c == "\n" || c == "\r\n" { break }
            if c == state.start[0] {
                if matches(state.start, at: position) {
                    position += state.start.count
                    break
                }
            }
            text.append(c)
            position += 1
        }
        return text
    }

    /// Moves past the next `delimiter`; false (position unchanged) if there is none.
    private mutating func skip(past delimiter: [Character]) -> Bool {
        var index = position
        while index < chars.count {
            if matches(delimiter, at: index) {
                position = index + delimiter.count
                return true
            }
            index += 1
        }
        return false
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*()")
    private static let partialNameCharacters = nameCharacters.union(["/"])

    private mutating func readName(_ state: State, at tagAt: Int) throws -> String {
        _ = read(while: \.isWhitespace)
        let name = try readClosedName(state, at: tagAt, allowing: Self.nameCharacters)
        if name.contains("(") || name.contains(")") {
            throw error("{{\(name)}}: transforms and lambdas are not supported; give the view the value it needs", at: tagAt)
        }
        return name
    }

    private mutating func readPartialName(_ state: State, at tagAt: Int) throws -> String {
        let name = try readClosedName(state, at: tagAt, allowing: Self.partialNameCharacters)
        if name.hasPrefix("*") || name.contains("(") {
            throw error("{{>\(name)}}: dynamic partials and transforms are not supported", at: tagAt)
        }
        return name
    }

    /// A name of `characters`, then the tag's closing delimiter (whitespace allowed before it).
    private mutating func readClosedName(_ state: State, at tagAt: Int, allowing characters: Set<Character>) throws -> String {
        let name = read(while: { characters.contains($0) })
        _ = read(while: \.isWhitespace)
        guard matches(state.end, at: position) else { throw error("a tag is not closed by \(String(state.end))", at: tagAt) }
        position += state.end.count
        return name
    }

    /// `{{=<% %>=}}`.
    private mutating func setDelimiters(_ state: inout State, at tagAt: Int) throws {
        _ = read(while: \.isWhitespace)
        let start = read(while: { !$0.isWhitespace })
        _ = read(while: \.isWhitespace)
        let end = read(while: { $0 != "=" && !$0.isWhitespace })
        _ = read(while: \.isWhitespace)
        guard !start.isEmpty, !end.isEmpty, current == "=", matches(state.end, at: position + 1) else {
            throw error("a set-delimiter tag must look like {{=<% %>=}}", at: tagAt)
        }
        position += 1 + state.end.count
        state.start = Array(start)
        state.end = Array(end)
        state.isPartialDefinitionTopLevel = false
    }

    /// swift-mustache's standalone test: the line so far holds only spaces and tabs, and the rest of it too (or the
    /// template ends right after the tag); the rest of the line, newline included, is then skipped.
    private mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if position >= chars.count { return true }
        var index = position
        while index < chars.count, chars[index] == " " || chars[index] == "\t" { index += 1 }
        guard index < chars.count, chars[index].isNewline else { return false }
        position = index + 1
        return true
    }

    private func line(at index: Int) -> Int {
        1 + chars[..<min(index, chars.count)].reduce(0) { $0 + ($1.isNewline ? 1 : 0) }
    }

    private func error(_ message: String, at index: Int) -> ThemeError {
        ThemeError("template \(name), line \(line(at: index)): \(message)")
    }
}
