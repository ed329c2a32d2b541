import Logging

/// Keeps a logger's metadata as it is and hands it to `inner` only with a line to write. swift-log's
/// `StreamLogHandler` (the text log) renders its metadata into a string on every change, and every request sets its
/// id twice (Hummingbird's and `RequestIDResponder`'s) though at the info level nothing is written for it: 1.5-2 % of
/// a cold article page's CPU. Lines come out as `inner` writes them: its own metadata stays empty and each line's
/// metadata is the logger's, under what the line itself gives.
public struct DeferredMetadataLogHandler<Inner: LogHandler>: LogHandler {
    public var inner: Inner
    public var metadata: Logger.Metadata = [:]

    public init(_ inner: Inner) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            var merged = metadata
            if let own = event.metadata { merged.merge(own) { $1 } }
            event.metadata = merged
        }
        inner.log(event: event)
    }
}
