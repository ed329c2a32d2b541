import Foundation

// View models of the structure pages (sections, topics, tags, authors): every string ready, templates only place them.

/// One entry in the list beside the form.
struct StructureRow {
    var url: String
    var name: String
    var slug: String
    /// The order of a section, the byline title of an author, the article count of a tag.
    var detail: String?
    var publicURL: String
    var current: Bool
}

/// The fields of the form, as typed (kept as they were when the form comes back with a problem).
struct StructureFormView {
    var name = ""
    var slug = ""
    var description = ""
    var position = ""
    var role = ""
    var bio = ""
    var photo = ""
}

/// A section, topic or author page: the list, and a form to create one or change the chosen one.
struct StructurePage {
    var layout: NewsroomLayout
    var csrf: String
    var heading: String
    var rows: [StructureRow]
    var empty: Bool
    var formHeading: String
    var formAction: String
    var form: StructureFormView
    /// Which fields the kind has.
    var isSection: Bool
    var isTopic: Bool
    var isAuthor: Bool
    /// A topic's published articles, one of which may lead its hub page.
    var pinOptions: [NewsroomOption]
    /// On an entry's page: its public page, and the way back to creating a new one.
    var publicURL: String?
    var newURL: String?
    var message: String?
    var info: String?
}

/// The tags page: a filtered list, and for the chosen tag the rename, merge and delete forms.
struct TagsPage {
    var layout: NewsroomLayout
    var csrf: String
    var query: String
    var rows: [StructureRow]
    var empty: Bool
    var tag: TagEditView?
    var message: String?
    var info: String?
}

struct TagEditView {
    var action: String
    var name: String
    var mergeInto: String
    var uses: String
    var publicURL: String
    /// Only a tag no article carries may be deleted.
    var deletable: Bool
}

/// One suggestion of the editor's tag field (`GET /newsroom/api/tags`).
struct TagSuggestion: Encodable {
    var name: String
    var slug: String
}
