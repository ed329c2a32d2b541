import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// The audit log of editorial and structural actions, for editors and the chief editor.
struct AuditController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let drafts: DraftKeeping

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("audit", use: auditLog)
    }

    @Sendable func auditLog(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let t = pages.t
        let entries = try await drafts.auditLog(limit: 200).map { entry in
            AuditEntryView(
                at: pages.dates.dateLine(entry.at), user: entry.userName, action: t["nr_audit_" + entry.action],
                title: entry.title, url: entry.articleID.map(NewsroomURLs.article))
        }
        return try pages.render(
            "nr-audit", AuditPage(layout: pages.layout(t["nr_audit_title"], session), entries: entries, empty: entries.isEmpty))
    }
}
