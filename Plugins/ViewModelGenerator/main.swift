import Foundation

// Turns `.views` files (view models declared once: their fields) into Swift: for each view a final Sendable class,
// its memberwise init and its `TemplateFields` switch; and for all of them together the `FieldID` enum the switches
// use. Run by the ViewModels build-tool plugin; the format is described in docs/DESIGN.md ("adding a field to a page").
//
//   ViewModelGenerator OUTPUT_FOLDER FILE.views …   writes FILE+Views.swift for each, and FieldIDs.swift
//
// A `.views` file, line by line (indentation is free; a field belongs to the `view` above it):
//
//   // a comment, dropped                  /// a documentation comment, kept on what follows
//   import VestnikCore                     copied to the generated file
//   view ArticleView                       a view: `final class ArticleView: Sendable` and its switch
//   title: String                          a field templates see: a `let`, an init parameter
//   kicker: String? = nil                  … whose init parameter has a default
//   get url: String                        a field templates see, its getter hand-written in an extension
//   let summary: ArticleSummary            a `let` and an init parameter that templates do not see

struct Failure: Error, CustomStringConvertible {
    let description: String
}

struct Field {
    enum Kind { case stored, computed, hidden }
    let kind: Kind
    let name: String
    let type: String
    let defaultValue: String?
    let docs: [String]
}

struct View {
    let name: String
    let docs: [String]
    var fields: [Field] = []
}

struct ViewsFile {
    var imports: [String] = []
    var views: [View] = []
}

/// Swift keywords a template field might be named after: written in backticks where Swift needs them.
let keywords: Set<String> = [
    "as", "associatedtype", "break", "case", "catch", "class", "continue", "default", "defer", "deinit", "do", "else",
    "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard", "if", "import", "in", "init",
    "inout", "internal", "is", "let", "nil", "operator", "private", "protocol", "public", "repeat", "rethrows", "return",
    "self", "Self", "static", "struct", "subscript", "super", "switch", "throw", "throws", "true", "try", "typealias",
    "var", "where", "while",
]

func identifier(_ name: String) -> String { keywords.contains(name) ? "`\(name)`" : name }

func isIdentifier(_ text: Substring) -> Bool {
    guard let first = text.first, first.isLetter || first == "_" else { return false }
    return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
}

func parse(_ text: String, path: String) throws -> ViewsFile {
    var file = ViewsFile()
    var docs: [String] = []
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        func fail(_ message: String) -> Failure { Failure(description: "\(path):\(index + 1): error: \(message)") }
        if line.hasPrefix("///") {
            docs.append(line)
            continue
        }
        if line.isEmpty || line.hasPrefix("//") { continue }
        defer { docs = [] }
        if line.hasPrefix("import ") {
            file.imports.append(line)
            continue
        }
        if line.hasPrefix("view ") {
            let name = line.dropFirst("view ".count).trimmingCharacters(in: .whitespaces)
            guard isIdentifier(Substring(name)) else { throw fail("a view's name must be a Swift type name: \(name)") }
            guard !file.views.contains(where: { $0.name == name }) else { throw fail("\(name) is declared twice") }
            file.views.append(View(name: name, docs: docs))
            continue
        }
        guard !file.views.isEmpty else { throw fail("a field before any `view` line") }
        var rest = Substring(line)
        var kind = Field.Kind.stored
        if rest.hasPrefix("get ") {
            kind = .computed
            rest = rest.dropFirst(4)
        } else if rest.hasPrefix("let ") {
            kind = .hidden
            rest = rest.dropFirst(4)
        }
        guard let colon = rest.firstIndex(of: ":") else { throw fail("expected `name: Type`, got: \(line)") }
        let name = rest[..<colon].trimmingCharacters(in: .whitespaces)
        guard isIdentifier(Substring(name)) else { throw fail("a field's name must be a Swift identifier: \(name)") }
        var type = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        var defaultValue: String?
        if let equals = type.range(of: " = ") {
            defaultValue = type[equals.upperBound...].trimmingCharacters(in: .whitespaces)
            type = type[..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
            guard kind != .computed else { throw fail("a computed field (`get`) has no default: \(line)") }
        }
        guard !type.isEmpty else { throw fail("\(name) has no type") }
        guard !file.views[file.views.count - 1].fields.contains(where: { $0.name == name }) else {
            throw fail("\(name) is declared twice in \(file.views[file.views.count - 1].name)")
        }
        file.views[file.views.count - 1].fields.append(
            Field(kind: kind, name: name, type: type, defaultValue: defaultValue, docs: docs))
    }
    return file
}

func swift(for file: ViewsFile, source: String) -> String {
    var out = "// Generated by ViewModelGenerator from \(source): edit that file, not this one.\n\n"
    for line in file.imports { out += line + "\n" }
    for view in file.views {
        out += "\n"
        for doc in view.docs { out += doc + "\n" }
        out += "final class \(view.name): Sendable {\n"
        let stored = view.fields.filter { $0.kind != .computed }
        for field in stored {
            for doc in field.docs { out += "    " + doc + "\n" }
            out += "    let \(identifier(field.name)): \(field.type)\n"
        }
        out += "\n    init(\n"
        out += stored.map { field in
            "        \(identifier(field.name)): \(field.type)" + (field.defaultValue.map { " = \($0)" } ?? "")
        }.joined(separator: ",\n")
        out += "\n    ) {\n"
        for field in stored { out += "        self.\(field.name) = \(identifier(field.name))\n" }
        out += "    }\n}\n\n"
        out += "extension \(view.name): TemplateFields {\n"
        out += "    func field(_ key: FieldKey) -> TemplateValue {\n"
        out += "        switch key.id {\n"
        for field in view.fields where field.kind != .hidden {
            out += "        case .\(identifier(field.name)): self.\(field.name).templateValue\n"
        }
        out += "        default: .none\n        }\n    }\n}\n"
    }
    return out
}

func fieldIDs(_ names: Set<String>) -> String {
    var out = "// Generated by ViewModelGenerator from every `.views` file of the target.\n\n"
    out += "/// Every name a view answers to; `.other` for any other name (`FieldKey.name` says which).\n"
    out += "enum FieldID: String, Sendable {\n"
    for name in names.sorted() { out += "    case \(identifier(name))\n" }
    out += "    case other = \" other\"\n}\n"
    return out
}

/// Writes `text` unless the file already says it, so that an unchanged output does not make its module rebuild.
func write(_ text: String, to url: URL) throws {
    if let old = try? String(contentsOf: url, encoding: .utf8), old == text { return }
    try text.write(to: url, atomically: true, encoding: .utf8)
}

do {
    let arguments = CommandLine.arguments.dropFirst()
    guard let output = arguments.first else {
        throw Failure(description: "usage: ViewModelGenerator OUTPUT_FOLDER FILE.views …")
    }
    let folder = URL(fileURLWithPath: output, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var names: Set<String> = []
    var declared: [String: String] = [:]
    for path in arguments.dropFirst() {
        let url = URL(fileURLWithPath: path)
        let file = try parse(try String(contentsOf: url, encoding: .utf8), path: path)
        for view in file.views {
            if let other = declared[view.name] {
                throw Failure(description: "\(path): error: \(view.name) is declared in \(other) too")
            }
            declared[view.name] = path
            for field in view.fields where field.kind != .hidden { names.insert(field.name) }
        }
        let base = url.deletingPathExtension().lastPathComponent
        try write(swift(for: file, source: url.lastPathComponent), to: folder.appendingPathComponent("\(base)+Views.swift"))
    }
    try write(fieldIDs(names), to: folder.appendingPathComponent("FieldIDs.swift"))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
