import SQLKit

extension Database {
    /// Tells every cache that `change` happened: this node's subscribers at once, and on PostgreSQL every other node
    /// through `NOTIFY`. Call it after the write has committed. A notification that cannot be sent is logged, not
    /// thrown: the write itself succeeded, and the other nodes' caches expire on their own within their lifetime.
    public func announce(_ change: ContentChange) async {
        guard !change.isEmpty else { return }
        await changes.prepare(change)
        changes.deliver(change)
        guard dialect == .postgres else { return }
        let channel = changes.channel
        let payload = changes.payload(change)
        do {
            try await read { db in try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run() }
        } catch {
            logger.error("could not notify other nodes of a change (\(change.headerValue)): \(String(reflecting: error))")
        }
    }
}
