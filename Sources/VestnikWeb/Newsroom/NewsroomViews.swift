import Foundation
import VestnikCore

// View models of the newsroom pages: every string ready, templates only place them.

struct NewsroomLayout {
    var lang: String
    var pageTitle: String
    var cssURL: String
    var jsURL: String
    var t: [String: String]
    var user: String?
    var role: String?
    var isEditor: Bool
    var isChief: Bool
    var csrf: String
}

struct NewsroomFormPage {
    var layout: NewsroomLayout
    var csrf: String
    var email: String = ""
    var name: String = ""
    var message: String?
    var info: String?
    var action: String = ""
    /// Where the login page goes after sign-in (a newsroom path), when a page sent the user to sign in.
    var next: String? = nil
    /// The first-run setup token, carried from the printed link into the form.
    var token: String? = nil
}

struct NewsroomOption {
    var value: String
    var label: String
    var selected: Bool
}

struct NewsroomRowView {
    var url: String
    var title: String
    var kicker: String?
    var status: String
    var statusClass: String
    var section: String
    var owner: String?
    var updated: String
    var publicURL: String?
}

struct NewsroomListPage {
    var layout: NewsroomLayout
    var heading: String
    var statuses: [NewsroomOption]
    var sections: [NewsroomOption]
    var author: String
    var query: String
    /// What is wrong with the text searched for, if anything.
    var message: String?
    var rows: [NewsroomRowView]
    var empty: Bool
    var nextURL: String?
    var firstURL: String?
}

struct NewsroomButton {
    var action: String
    var label: String
    var primary: Bool
}

struct NewsroomRevisionView {
    var url: String
    var number: String
    var user: String
    var at: String
    var status: String
}

/// One field of the conflict page, both versions side by side.
struct ConflictField {
    var label: String
    var mine: String
    var theirs: String
    var differs: Bool
    /// The body is sanitised HTML and is shown as such.
    var html: Bool
}

struct ConflictView {
    var message: String
    var help: String
    var leftLabel: String
    var rightLabel: String
    var fields: [ConflictField]
}

struct NewsroomEditorPage {
    var layout: NewsroomLayout
    var csrf: String
    var heading: String
    var formAction: String
    var form: ArticleFormView
    var sections: [NewsroomOption]
    var buttons: [NewsroomButton]
    var status: String?
    var message: String?
    var info: String?
    var publicURL: String?
    var revisions: [NewsroomRevisionView]
    var hasRevisions: Bool
    /// "X is editing" when someone else has the article open.
    var editing: String?
    var presenceURL: String?
    var conflict: ConflictView?
}

struct ArticleFormView {
    var kicker: String
    var title: String
    var slug: String
    var lead: String
    /// Sanitised before it is put into the editor, so even a hostile saved body cannot run in the newsroom.
    var bodyHTML: String
    var topic: String
    var tags: String
    var authors: String
    var sources: String
    var video: Bool
    var gallery: Bool
    var publishAt: String
    var revision: String
    var featured: String
    var featuredCaption: String
    var featuredCredit: String
    /// The chosen picture's thumbnail, when the library holds it.
    var featuredSrc: String?
    var featuredAlt: String

    init(_ form: ArticleForm, featuredImage: MediaAddress? = nil, featuredAlt: String = "") {
        kicker = form.kicker
        title = form.title
        slug = form.slug
        lead = form.lead
        bodyHTML = BodySanitizer.sanitize(form.body)
        topic = form.topic
        tags = form.tags
        authors = form.authors
        sources = form.sources
        video = form.video
        gallery = form.gallery
        publishAt = form.publishAt
        revision = String(form.revision)
        featured = form.featured
        featuredCaption = form.featuredCaption
        featuredCredit = form.featuredCredit
        featuredSrc = featuredImage?.path
        self.featuredAlt = featuredAlt
    }
}

struct AuditEntryView {
    var at: String
    var user: String
    var action: String
    var title: String
    var url: String?
}

struct AuditPage {
    var layout: NewsroomLayout
    var entries: [AuditEntryView]
    var empty: Bool
}

struct RevisionPage {
    var layout: NewsroomLayout
    var heading: String
    var byline: String
    var leftLabel: String
    var rightLabel: String
    /// Title, lead and body line by line since the revision before.
    var diff: [DiffFieldView]
    var unchanged: Bool
    var fields: [ConflictField]
    var restoreURL: String
    var editURL: String
}

struct UserRowView {
    var id: Int
    var name: String
    var email: String
    var role: String
    var suspended: Bool
    /// The chief's own row offers no changes: nobody suspends, demotes or deletes themself.
    var isSelf: Bool
    var roles: [NewsroomOption]
    /// Who may take over the account's unfinished work when it is deleted.
    var successors: [NewsroomOption]
    var roleURL: String
    var suspendURL: String
    var reactivateURL: String
    var deleteURL: String
}

struct UsersPage {
    var layout: NewsroomLayout
    var csrf: String
    var users: [UserRowView]
    var roles: [NewsroomOption]
    var name: String
    var email: String
    var message: String?
    var info: String?
}
