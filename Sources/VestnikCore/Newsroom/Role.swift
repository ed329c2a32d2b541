/// A newsroom permission role. It is not the public byline title (`Author.role`, e.g. `Отговорен редактор`).
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    /// Writes drafts and submits them for review.
    case contributor
    /// Also publishes their own articles.
    case author
    /// Edits and publishes anyone's articles.
    case editor
    /// Also manages users and settings.
    case chief

    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

    /// May open and save an article that someone else started.
    public var editsAnyone: Bool { self >= .editor }
}

/// Who may move an article from one status to another. Pure rules, so the controller and the tests share them.
public enum Workflow {
    /// The statuses `role` may give an article now in `from`; `own` says whether the user started it.
    public static func targets(from: ArticleStatus, role: Role, own: Bool) -> [ArticleStatus] {
        guard own || role.editsAnyone else { return [] }
        let mayPublish = role.editsAnyone || (role == .author && own)
        switch from {
        case .draft: return mayPublish ? [.review, .scheduled, .published] : [.review]
        case .review: return mayPublish ? [.draft, .scheduled, .published] : [.draft]
        case .scheduled: return mayPublish ? [.draft, .published] : []
        case .published: return mayPublish ? [.unpublished] : []
        case .unpublished: return mayPublish ? [.draft, .scheduled, .published] : [.draft]
        }
    }

    public static func allows(from: ArticleStatus, to: ArticleStatus, role: Role, own: Bool) -> Bool {
        from == to
            ? (own || role.editsAnyone)
                && (![.published, .scheduled].contains(to) || targets(from: .draft, role: role, own: own).contains(.published))
            : targets(from: from, role: role, own: own).contains(to)
    }
}
