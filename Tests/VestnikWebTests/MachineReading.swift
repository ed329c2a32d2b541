import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads XML strictly, as feed readers and sitemap crawlers do: the elements named `name` (qualified, e.g.
/// `news:title`), each with its text and attributes; `nil` when the document is not well-formed.
func xmlElements(_ xml: String, named name: String) -> [(text: String, attributes: [String: String])]? {
    let collector = XMLCollector(name: name)
    let parser = XMLParser(data: Data(xml.utf8))
    parser.delegate = collector
    guard parser.parse() else { return nil }
    return collector.found
}

/// The texts of the elements named `name`; `nil` when the document is not well-formed.
func xmlTexts(_ xml: String, _ name: String) -> [String]? {
    xmlElements(xml, named: name)?.map(\.text)
}

private final class XMLCollector: NSObject, XMLParserDelegate {
    let name: String
    var found: [(text: String, attributes: [String: String])] = []
    private var depth = 0
    private var text = ""
    private var attributes: [String: String] = [:]

    init(name: String) { self.name = name }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        if elementName == name {
            if depth == 0 {
                text = ""
                attributes = attributeDict
            }
            depth += 1
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if depth > 0 { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == name {
            depth -= 1
            if depth == 0 { found.append((text, attributes)) }
        }
    }
}

/// The JSON-LD blocks of a page, parsed as a search engine would.
func jsonLD(_ html: String) throws -> [[String: Any]] {
    let open = "<script type=\"application/ld+json\">"
    return try html.components(separatedBy: open).dropFirst().map { part in
        let json = part.components(separatedBy: "</script>")[0]
        guard let block = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw JSONLDError(json: json)
        }
        return block
    }
}

/// The JSON-LD block of `type` on a page.
func jsonLD(_ html: String, type: String) throws -> [String: Any]? {
    try jsonLD(html).first { $0["@type"] as? String == type }
}

struct JSONLDError: Error {
    var json: String
}
