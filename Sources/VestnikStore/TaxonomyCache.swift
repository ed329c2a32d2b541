import Foundation
import SQLKit

/// What one write transaction learnt of sections, topics, tags and authors: a batch of saves (an import's 200 posts
/// in one transaction) finds each name's entry, and reads each entry's stored name, once. Valid only inside the
/// transaction that filled it, and used by one task at a time (the transaction's).
final class TaxonomyCache: @unchecked Sendable {
    private var ids: [String: Int] = [:]
    private var names: [String: String] = [:]
    /// The role each author was last given in this transaction (`ensureAuthor` updates it when it differs).
    private var roles: [Int: String] = [:]

    /// The section's, topic's or tag's id, ensured (created if new) on the first use of `name` in the transaction.
    func id(_ kind: TaxonomyKind, _ name: String, in db: any SQLDatabase) async throws -> Int {
        let key = kind.rawValue + "\u{0}" + name
        if let id = ids[key] { return id }
        let id: Int
        switch kind {
        case .section: id = try await TaxonomyRepository.ensureSection(name: name, description: nil, position: nil, in: db)
        case .topic: id = try await TaxonomyRepository.ensureTopic(name: name, description: nil, in: db)
        case .tag: id = try await TaxonomyRepository.ensureTag(name: name, in: db)
        case .author: return try await author(name, role: nil, in: db)
        }
        ids[key] = id
        return id
    }

    /// Finds the entries of `names` already stored, for a batch's saves, in one statement instead of one per name
    /// (on PostgreSQL each a round trip): what `id` would find first for each, in the order the batch uses them (a
    /// name the transaction met already keeps what it found). Names not stored are left to `id`, which creates them.
    func prefetch(_ kind: TaxonomyKind, _ names: [String], in db: any SQLDatabase) async throws {
        let table = TaxonomyRepository.table(kind)
        let found = try await TaxonomyRepository.existingByName(kind, names, db)
        for name in names {
            let key = kind.rawValue + "\u{0}" + name
            guard ids[key] == nil, let entry = found[Array(name.utf8)] else { continue }
            ids[key] = entry.id
            self.names[table + "\u{0}" + String(entry.id)] = entry.name
        }
    }

    /// An author's id, ensured as `TaxonomyRepository.ensureAuthor` does: again whenever the role differs from the
    /// one this transaction gave last, so the stored role is the last byline's, as without the cache.
    func author(_ name: String, role: String?, in db: any SQLDatabase) async throws -> Int {
        let key = TaxonomyKind.author.rawValue + "\u{0}" + name
        if let id = ids[key], role?.isEmpty ?? true || roles[id] == role { return id }
        let id = try await TaxonomyRepository.ensureAuthor(name: name, role: role, bio: nil, in: db)
        ids[key] = id
        if let role, !role.isEmpty { roles[id] = role }
        return id
    }

    /// The stored names of `ids` (an input may name an entry by a name or slug it had before a rename), in order;
    /// those not read yet in this transaction in one statement.
    func names(_ kind: TaxonomyKind, _ ids: [Int], in db: any SQLDatabase) async throws -> [String] {
        let table = TaxonomyRepository.table(kind)
        let missing = Array(Set(ids.filter { names[table + "\u{0}" + String($0)] == nil }))
        if !missing.isEmpty {
            var list: SQLQueryString = ""
            for (offset, id) in missing.enumerated() { list += (offset == 0 ? "" : ", ") + "\(bind: id)" }
            for row in try await db.raw("SELECT id, name FROM \(ident: table) WHERE id IN (\(list))").all() {
                names[table + "\u{0}" + String(try row.int("id"))] = try row.string("name")
            }
        }
        return ids.compactMap { names[table + "\u{0}" + String($0)] }
    }
}
