import Foundation
import VestnikCore

/// The folder that holds the library's files, each named by its address (`<sha256>.<ext>`), so the same bytes are
/// stored once and a file never changes once written. Several nodes may share the folder (a network mount): a file
/// is written under a temporary name and renamed into place, so no reader ever sees half of one.
public struct MediaFiles: Sendable {
    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    /// Stores the bytes under their address unless a file of that name is already there.
    public func store(_ bytes: [UInt8], at address: MediaAddress) throws {
        let target = url(of: address)
        if FileManager.default.fileExists(atPath: target.path) { return }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".upload-\(UUID().uuidString)")
        try Data(bytes).write(to: temporary)
        do {
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            // Another upload of the same bytes won the race: its file is ours too.
            if !FileManager.default.fileExists(atPath: target.path) { throw error }
        }
    }

    /// The file's bytes, or nil when there is none.
    public func read(_ address: MediaAddress) -> Data? {
        FileManager.default.contents(atPath: url(of: address).path)
    }

    /// Deletes the file (a picture rewritten by `vestnik media scrub`: its old bytes held what it was scrubbed of).
    public func remove(_ address: MediaAddress) throws {
        do {
            try FileManager.default.removeItem(at: url(of: address))
        } catch CocoaError.fileNoSuchFile {
            return
        }
    }

    /// Only a validated address ever becomes a path, so nothing can point outside the folder.
    func url(of address: MediaAddress) -> URL { folder.appendingPathComponent(address.fileName) }
}
