import Foundation
import HTTPTypes
import Hummingbird

/// The address of the client behind a request, for everything that counts or limits per client (the read beacon,
/// the login throttle).
enum ClientAddress {
    /// The connection's address, or with `trustedProxies` > 0 the entry of `X-Forwarded-For` that the nearest
    /// trusted proxy wrote (entries further left are whatever the client claimed).
    static func of(_ request: Request, connection: String?, trustedProxies: Int) -> String {
        let connection = connection ?? ""
        guard trustedProxies > 0 else { return connection }
        let entries = request.headers[values: forwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !entries.isEmpty else { return connection }
        return entries.count >= trustedProxies ? entries[entries.count - trustedProxies] : entries[0]
    }
}

private let forwardedFor = HTTPField.Name("X-Forwarded-For")!
