import Foundation
import Logging

/// The in-process half of change events: every repository that changes public content announces a `ContentChange`
/// through `Database.announce`, and every subscriber on this node (the page cache, the CDN purger) hears it at once,
/// before the write's caller returns — so the next request already sees the change.
///
/// Other nodes hear of it through PostgreSQL (`NOTIFY` on `channel`, sent by `Database.announce`; a listener
/// service on each node hands what it receives to `deliver(_:fromNode:)`). `node` tells our own echoes apart.
public final class ChangeFeed: Sendable {
    public typealias Handler = @Sendable (ContentChange) -> Void

    /// This process's random name, carried in notifications so a node skips its own.
    public let node: String
    /// The PostgreSQL notification channel, one per schema so installations sharing a database stay apart.
    public let channel: String
    private let handlers = LockedHandlers()

    init(schema: String?) {
        node = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        channel = Self.channel(schema: schema)
    }

    static func channel(schema: String?) -> String {
        let suffix = (schema ?? "").lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return suffix.isEmpty ? "vestnik_changes" : "vestnik_changes_\(suffix.prefix(40))"
    }

    /// Calls `handler` with every change from now on, on whatever task announced it: keep it short and non-blocking.
    /// `localOnly` handlers hear only what this node announced (a CDN purge is sent once, by the node that changed it).
    public func subscribe(localOnly: Bool = false, _ handler: @escaping Handler) {
        handlers.append(handler, hears: localOnly ? .local : .all)
    }

    /// Calls `handler` with the changes other nodes announced (and those delivered on their behalf, such as the
    /// "everything" after the listener reconnects), never with this node's own.
    public func subscribeToOtherNodes(_ handler: @escaping Handler) {
        handlers.append(handler, hears: .remote)
    }

    /// Calls `handler` with every change this node announces, awaited before the change is delivered (so what it
    /// reads again is in place before the caches drop their pages and before the write's caller goes on).
    public func subscribeBeforeDelivery(_ handler: @escaping @Sendable (ContentChange) async -> Void) {
        handlers.appendPreparer(handler)
    }

    /// Runs the `subscribeBeforeDelivery` handlers for a change this node announces.
    func prepare(_ change: ContentChange) async {
        guard !change.isEmpty else { return }
        for handler in handlers.preparers { await handler(change) }
    }

    /// Hands `change` to this node's subscribers: announced here when `origin` is nil, else by node `origin`. A
    /// change whose `origin` is our own `node` is an echo of our own announcement and is skipped (it was delivered
    /// when it was made).
    public func deliver(_ change: ContentChange, fromNode origin: String? = nil) {
        guard !change.isEmpty, origin != node else { return }
        for (handler, hears) in handlers.all {
            switch hears {
            case .all: handler(change)
            case .local: if origin == nil { handler(change) }
            case .remote: if origin != nil { handler(change) }
            }
        }
    }

    /// A notification's payload: `node keys…` (PostgreSQL allows 8,000 bytes; a longer list becomes "everything").
    func payload(_ change: ContentChange) -> String {
        let text = "\(node) \(change.headerValue)"
        return text.utf8.count <= 7_900 ? text : "\(node) \(CacheKey.site)"
    }

    /// Reads a payload made by `payload(_:)` on some node.
    public static func parse(payload: String) -> (node: String, change: ContentChange)? {
        guard let space = payload.firstIndex(of: " ") else { return nil }
        let change = ContentChange(headerValue: payload[payload.index(after: space)...])
        return change.isEmpty ? nil : (String(payload[..<space]), change)
    }
}

private final class LockedHandlers: @unchecked Sendable {
    private let lock = NSLock()
    enum Hears { case all, local, remote }
    private var handlers: [(ChangeFeed.Handler, hears: Hears)] = []
    private var preparing: [@Sendable (ContentChange) async -> Void] = []

    func append(_ handler: @escaping ChangeFeed.Handler, hears: Hears) { lock.withLock { handlers.append((handler, hears)) } }
    var all: [(ChangeFeed.Handler, hears: Hears)] { lock.withLock { handlers } }
    func appendPreparer(_ handler: @escaping @Sendable (ContentChange) async -> Void) { lock.withLock { preparing.append(handler) } }
    var preparers: [@Sendable (ContentChange) async -> Void] { lock.withLock { preparing } }
}
