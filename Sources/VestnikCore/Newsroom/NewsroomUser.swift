import Foundation

/// A person who signs in to the newsroom. `role` is a permission, not the public byline title.
public struct NewsroomUser: Sendable, Equatable {
    public var id: Int
    public var email: String
    public var name: String
    public var role: Role

    public init(id: Int, email: String, name: String, role: Role) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
    }
}

/// Everything the article form edits, as typed; stored whole in every revision.
public struct ArticleDraft: Sendable, Equatable, Codable {
    public struct Byline: Sendable, Equatable, Codable {
        public var name: String
        public var role: String
        public init(name: String, role: String = "") {
            self.name = name
            self.role = role
        }
    }

    public var slug: String
    public var kicker: String
    public var title: String
    public var lead: String
    public var bodyHTML: String
    public var section: String
    public var topic: String
    public var tags: [String]
    public var authors: [Byline]
    public var sources: [String]
    public var video: Bool
    public var gallery: Bool
    public var status: ArticleStatus

    public init(
        slug: String = "", kicker: String = "", title: String = "", lead: String = "", bodyHTML: String = "",
        section: String = "", topic: String = "", tags: [String] = [], authors: [Byline] = [], sources: [String] = [],
        video: Bool = false, gallery: Bool = false, status: ArticleStatus = .draft
    ) {
        self.slug = slug
        self.kicker = kicker
        self.title = title
        self.lead = lead
        self.bodyHTML = bodyHTML
        self.section = section
        self.topic = topic
        self.tags = tags
        self.authors = authors
        self.sources = sources
        self.video = video
        self.gallery = gallery
        self.status = status
    }
}
