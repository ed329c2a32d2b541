import Logging
import ServiceLifecycle
import VestnikStore

/// The loop every periodic background service shares: `round` every `interval` until the graceful shutdown, a failed
/// round logged (`failure` says what failed) and the next one tried as usual. It never returns early: a service that
/// returns stops the whole server.
func repeatUntilShutdown(
    every interval: Duration, logger: Logger, failure: String, _ round: @escaping @Sendable () async throws -> Void
) async {
    do {
        try await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await round()
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.error("\(failure)", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    } catch {
        return  // cancelled: the shutdown
    }
}

/// The same loop for an outbox's sender (mail, webhooks): each round returns how many items went out, counted under
/// `job` in /metrics with the round's result.
func repeatUntilShutdown(
    every interval: Duration, logger: Logger, job: String, failure: String, _ round: @escaping @Sendable () async throws -> Int
) async {
    await repeatUntilShutdown(every: interval, logger: logger, failure: failure) {
        do {
            Instruments.jobItems(job, try await round())
            Instruments.jobRun(job, failed: false)
        } catch {
            Instruments.jobRun(job, failed: true)
            throw error
        }
    }
}
