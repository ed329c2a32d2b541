import Foundation

// View models of the structure pages (sections, topics, tags, authors): every string ready, templates only place them.

/// One suggestion of the editor's tag field (`GET /newsroom/api/tags`).
struct TagSuggestion: Encodable {
    var name: String
    var slug: String
}
