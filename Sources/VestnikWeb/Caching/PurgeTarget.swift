import Foundation
import NIOCore
import NIOPosix

/// A shared cache in front of the site (Varnish with the xkey module, see deploy/varnish/vestnik.vcl) that drops
/// pages by key when sent `PURGE` with the keys in an `xkey-purge` header.
public struct PurgeTarget: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let path: String

    /// Reads `http://host:port/path`; only plain HTTP, since the cache stands beside the nodes.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http",
            let host = components.host, !host.isEmpty
        else { throw PurgeError("a purge URL must look like http://127.0.0.1:6081/, not \(url)") }
        self.host = host
        port = components.port ?? 80
        path = components.path.isEmpty ? "/" : components.path
    }

    public var description: String { "http://\(host):\(port)\(path)" }

    /// Sends one purge of `keys` (space-separated); succeeds on a 2xx answer, throws otherwise.
    func purge(_ keys: String, timeout: TimeAmount = .seconds(5)) async throws {
        let request =
            "PURGE \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nxkey-purge: \(keys)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let statusLine = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: request))
                    var received = ByteBuffer()
                    for try await var chunk in inbound {
                        received.writeBuffer(&chunk)
                        if let line = received.readableBytesView.firstIndex(of: UInt8(ascii: "\r")) {
                            return String(decoding: received.readableBytesView[..<line], as: UTF8.self)
                        }
                        if received.readableBytes > 4096 { break }
                    }
                    return nil
                }
            }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                throw PurgeError("\(self) did not answer within \(timeout.nanoseconds / 1_000_000_000) s")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        let parts = (statusLine ?? "").split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]), (200..<300).contains(status) else {
            throw PurgeError("\(self) answered \(statusLine.map { "“\($0)”" } ?? "nothing") to a purge")
        }
    }
}

public struct PurgeError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
