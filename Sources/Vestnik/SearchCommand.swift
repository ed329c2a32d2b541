import ArgumentParser
import Foundation
import VestnikCore
import VestnikStore

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The search index.", subcommands: [Reindex.self])

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the search index with this binary's analysis, newest article first (the site may serve meanwhile).")

        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            let logger = makeLogger()
            try await reportingFailures {
                print(BulgarianDictionary.system.summary)
                let database = try await options.openMigrated(logger: logger)
                try await database.closing {
                    let rebuild = SearchRebuild(database: database)
                    try await rebuild.schedule()
                    let start = Date()
                    try await rebuild.run { progress in
                        if progress.finished || progress.done % 1_000 == 0 {
                            print("\(progress.done) of \(progress.total) articles")
                            fflush(nil)
                        }
                    }
                    print(String(format: "The search index is rebuilt in %.1f s.", Date().timeIntervalSince(start)))
                }
            }
        }
    }
}
