import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// The admin API's structure (`/api/admin/v1/sections…`, `/tags…`), as the newsroom's structure pages allow it to
/// editors and the chief: create and change sections; rename, merge and delete (only when no article carries it)
/// tags. The rules are `TaxonomyRepository`'s (slugs, names, old slugs kept for redirects); each change goes to the
/// audit log under the same action as in the newsroom. Needs the `write` scope and an editor's or the chief's role.
struct AdminStructureController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site

    /// The body of a section's create or change.
    struct SectionInput: Decodable {
        var name: String
        var slug: String?
        var description: String?
        var position: Int?
    }

    struct TagInput: Decodable {
        var name: String
    }

    struct MergeInput: Decodable {
        var into: String
    }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("sections") { request, context in
            let caller = try editor(context)
            let input = try await AdminJSON.decode(request, SectionInput.self)
            // A new section goes last unless the body says where.
            var position = input.position ?? 0
            if input.position == nil { position = (try await site.taxonomy.sections().map(\.position).max() ?? 0) + 1 }
            let edit = try await run(caller, "section_created") {
                try await site.taxonomy.editSection(
                    id: nil, name: input.name, slug: input.slug ?? "", description: input.description ?? "", position: position)
            }
            return try await section(edit.id, status: .created)
        }
        group.put("sections/:id") { request, context in
            let caller = try editor(context)
            let id = try AdminJSON.pathID(context)
            guard let current = try await site.taxonomy.section(id: id) else { throw APIProblem(.notFound, "no section has this id") }
            let input = try await AdminJSON.decode(request, SectionInput.self)
            _ = try await run(caller, "section_updated") {
                try await site.taxonomy.editSection(
                    id: id, name: input.name, slug: input.slug ?? current.slug, description: input.description ?? current.description,
                    position: input.position ?? current.position)
            }
            return try await section(id, status: .ok)
        }
        group.put("tags/:id") { request, context in
            let caller = try editor(context)
            let id = try AdminJSON.pathID(context)
            let input = try await AdminJSON.decode(request, TagInput.self)
            _ = try await run(caller, "tag_renamed") { try await site.taxonomy.renameTag(id: id, name: input.name) }
            return try await tag(id)
        }
        group.post("tags/:id/merge") { request, context in
            let caller = try editor(context)
            let id = try AdminJSON.pathID(context)
            let input = try await AdminJSON.decode(request, MergeInput.self)
            let edit = try await run(caller, "tag_merged") { try await site.taxonomy.mergeTag(id: id, into: input.into) }
            return try await tag(edit.id)
        }
        group.delete("tags/:id") { _, context in
            let caller = try editor(context)
            let id = try AdminJSON.pathID(context)
            _ = try await run(caller, "tag_deleted") { try await site.taxonomy.deleteTag(id: id) }
            return Response(status: .noContent)
        }
    }

    private func editor(_ context: Context) throws -> APICaller {
        guard let caller = context.apiCaller else { throw APIProblem(.unauthorized, "no token") }
        try caller.require(.write)
        guard caller.user.role.editsAnyone else {
            throw APIProblem(.forbidden, "the token's user (\(caller.user.role.rawValue)) may not change sections and tags")
        }
        return caller
    }

    /// Runs one edit, audits it as the newsroom does, and turns the rules' refusals into problems.
    private func run(_ caller: APICaller, _ action: String, _ edit: () async throws -> StructureEdit) async throws -> StructureEdit {
        let done: StructureEdit
        do {
            done = try await edit()
        } catch let problem as StructureProblem {
            switch problem {
            case .notFound: throw APIProblem(.notFound, "no such entry")
            case .tagInUse: throw APIProblem(.conflict, site.locale["nr_structure_" + problem.rawValue])
            default: throw APIProblem(.unprocessableContent, site.locale["nr_structure_" + problem.rawValue])
            }
        }
        let title = done.previousName.map { $0 == done.name ? done.name : "\($0) → \(done.name)" } ?? done.name
        try await site.drafts.audit(userID: caller.user.id, action: action, articleID: nil, title: title, now: site.now())
        return done
    }

    private func section(_ id: Int, status: HTTPResponse.Status) async throws -> Response {
        guard let section = try await site.taxonomy.section(id: id) else { throw APIProblem(.notFound, "no section has this id") }
        var members: [String: JSONValue] = [
            "id": .int(section.id), "slug": .string(section.slug), "name": .string(section.name),
            "description": .string(section.description), "position": .int(section.position),
        ]
        members["url"] = .string(site.publicURL + SiteURLs.section(section.slug))
        return Response.json(.object(members), status: status)
    }

    private func tag(_ id: Int) async throws -> Response {
        guard let tag = try await site.taxonomy.tag(id: id) else { throw APIProblem(.notFound, "no tag has this id") }
        return Response.json(
            .object([
                "id": .int(tag.id), "slug": .string(tag.slug), "name": .string(tag.name),
                "url": .string(site.publicURL + SiteURLs.tag(tag.slug)), "articles": .int(try await site.taxonomy.tagUses(id: id)),
            ]))
    }
}
