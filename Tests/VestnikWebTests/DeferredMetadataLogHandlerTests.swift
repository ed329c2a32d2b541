import Logging
import Synchronization
import Testing

@testable import VestnikWeb

@Suite struct DeferredMetadataLogHandlerTests {
    /// What the inner handler is given: its own metadata and each event it is asked to write.
    final class Written: Sendable {
        let events = Mutex<[(own: Logger.Metadata, event: Logger.Metadata?, level: Logger.Level)]>([])
    }

    struct Capturing: LogHandler {
        let written: Written
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            written.events.withLock { $0.append((metadata, event.metadata, event.level)) }
        }
    }

    /// A line carries the logger's metadata and its own (its own winning a shared key), the inner handler's own
    /// metadata is never set, and lines under the level are not written.
    @Test func aLineCarriesTheLoggersMetadataAndItsOwn() {
        let written = Written()
        var logger = Logger(label: "test") { _ in DeferredMetadataLogHandler(Capturing(written: written)) }
        logger.logLevel = .info
        logger[metadataKey: "hb.request.id"] = "abc"
        logger[metadataKey: "shared"] = "logger"
        #expect(logger[metadataKey: "hb.request.id"] == "abc")
        logger.debug("not written")
        logger.info("written", metadata: ["shared": "line", "own": "1"])
        logger.warning("plain")
        let events = written.events.withLock { $0 }
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.own.isEmpty })
        #expect(events.first?.event == ["hb.request.id": "abc", "shared": "line", "own": "1"])
        #expect(events.last?.event == ["hb.request.id": "abc", "shared": "logger"])
        #expect(events.last?.level == .warning)
    }

    /// A logger with no metadata passes a line's metadata on as it is (nil stays nil).
    @Test func noMetadataIsPassedOnAsItIs() {
        let written = Written()
        let logger = Logger(label: "test") { _ in DeferredMetadataLogHandler(Capturing(written: written)) }
        logger.info("bare")
        let events = written.events.withLock { $0 }
        #expect(events.count == 1)
        #expect(events.first?.event == nil)
    }
}
