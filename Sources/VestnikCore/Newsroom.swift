import Foundation

/// A section of the paper (България, Свят, Спорт…): every article belongs to exactly one.
public struct Section: Sendable, Equatable, Codable {
    public var id: Int
    public var slug: String
    public var name: String
    public var description: String
    /// Order on the home page and in the navigation.
    public var position: Int

    public init(id: Int = 0, slug: String, name: String, description: String = "", position: Int = 0) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.position = position
    }
}

/// An ongoing story ("Войната в Украйна") whose hub page gathers its articles as a timeline.
public struct Topic: Sendable, Equatable, Codable {
    public var id: Int
    public var slug: String
    public var name: String
    public var description: String
    /// The story an editor chose to lead the hub page, if any.
    public var pinnedArticleID: Int?

    public init(id: Int = 0, slug: String, name: String, description: String = "", pinnedArticleID: Int? = nil) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.pinnedArticleID = pinnedArticleID
    }
}

/// A free keyword attached to articles ("Русия", "инфлация").
public struct Tag: Sendable, Equatable, Codable {
    public var id: Int
    public var slug: String
    public var name: String

    public init(id: Int = 0, slug: String, name: String) {
        self.id = id
        self.slug = slug
        self.name = name
    }
}

/// A person who signs articles. `role` is the public byline title (`Отговорен редактор`),
/// not a permission: newsroom permissions live elsewhere.
public struct Author: Sendable, Equatable, Codable {
    public var id: Int
    public var slug: String
    public var name: String
    public var role: String
    public var bio: String
    /// A portrait: a path on this site (`/media/….jpg`) or an https URL, checked by `PhotoURL`; empty for none.
    public var photo: String

    public init(id: Int = 0, slug: String, name: String, role: String = "", bio: String = "", photo: String = "") {
        self.id = id
        self.slug = slug
        self.name = name
        self.role = role
        self.bio = bio
        self.photo = photo
    }
}

/// Where an article stands in the newsroom's workflow; only `published` is visible to readers.
public enum ArticleStatus: String, Sendable, Codable, CaseIterable {
    case draft
    /// Submitted by its writer, waiting for an editor.
    case review
    /// To be published at its publication time by the scheduler.
    case scheduled
    case published
    /// Taken down after publication.
    case unpublished
}

/// What an article carries besides text; listed headlines show a marker such as `(ВИДЕО)`.
public struct MediaMarkers: Sendable, Equatable, Codable {
    public var video: Bool
    public var gallery: Bool

    public init(video: Bool = false, gallery: Bool = false) {
        self.video = video
        self.gallery = gallery
    }
}
