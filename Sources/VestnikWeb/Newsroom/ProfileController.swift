import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// A signed-in user's own profile: the name the newsroom shows, and, when an author of the site has exactly that
/// name (their byline), the byline's title and biography. Anything else about the author (name, address, photo)
/// stays with the editors' author page.
struct ProfileController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let taxonomy: TaxonomyRepository
    let drafts: DraftKeeping

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("profile", use: profilePage)
        group.post("profile", use: save)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func profilePage(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let author = try await byline(of: session.user)
        let info = FormQuery(request.uri.query).all("saved").first.map { _ in t["nr_profile_saved"] }
        return try render(session, name: session.user.name, author: author, role: author?.role ?? "", bio: author?.bio ?? "", info: info)
    }

    @Sendable func save(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(ProfileForm.self)
        let author = try await byline(of: session.user)
        let now = pages.now()
        do {
            // The byline first: its checks (lengths) may refuse, and then nothing is changed.
            if let author, form.role != nil || form.bio != nil {
                let role = form.role ?? author.role, bio = form.bio ?? author.bio
                if role != author.role || bio != author.bio {
                    _ = try await taxonomy.editAuthor(
                        id: author.id, name: author.name, slug: author.slug, role: role, bio: bio, photo: author.photo)
                    try await drafts.audit(userID: session.user.id, action: "author_updated", articleID: nil, title: author.name, now: now)
                }
            }
            let name = form.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if name != session.user.name {
                try await accounts.repository.rename(userID: session.user.id, to: name)
                try await drafts.audit(
                    userID: session.user.id, action: "profile_renamed", articleID: nil, title: "\(session.user.name) → \(name)", now: now)
            }
            return pages.redirect(NewsroomURLs.profile + "?saved=1")
        } catch let problem as StructureProblem {
            return try render(
                session, name: form.name, author: author, role: form.role ?? "", bio: form.bio ?? "",
                message: t["nr_structure_" + problem.rawValue],
                status: .unprocessableContent)
        } catch is InvalidInput {
            return try render(
                session, name: form.name, author: author, role: form.role ?? "", bio: form.bio ?? "", message: t["nr_profile_bad_name"],
                status: .unprocessableContent)
        }
    }

    /// The site's author with the user's name, if there is exactly one.
    private func byline(of user: NewsroomUser) async throws -> Author? {
        let matching = try await taxonomy.authors().filter { $0.name == user.name }
        return matching.count == 1 ? matching[0] : nil
    }

    private func render(
        _ session: NewsroomSession, name: String, author: Author?, role: String, bio: String, message: String? = nil, info: String? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let page = ProfilePage(
            layout: pages.layout(t["nr_profile_title"], session), csrf: session.csrf, name: name, hasByline: author != nil,
            role: role, bio: bio, message: message, info: info)
        return try pages.render("nr-profile", page, status: status)
    }
}
