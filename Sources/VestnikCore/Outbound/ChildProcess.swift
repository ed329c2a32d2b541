import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program run with `posix_spawn`, its standard streams on pipes; for what runs often beside a busy server
/// (every outbound request is a curl, every e-mail the mail program).
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` copying 256 bytes of each short directory
/// entry (swift-corelibs-foundation#5472), which crashed the whole test process here when the copy ran past a mapped
/// page; and `FileHandle.availableData` ends the process on an interrupted read (EINTR). Here every descriptor the
/// parent holds is closed in the child (`addclosefrom_np`), the pipes are close-on-exec in the parent, and reads and
/// waits retry when interrupted.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The write end of the child's standard input (nil: it reads /dev/null), and the read ends of its output.
    public let input: Int32?
    public let output: Int32
    public let errors: Int32

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `path` with `arguments` (not counting the program itself) and exactly `environment`.
    public init(_ path: String, arguments: [String], environment: [String: String], takesInput: Bool) throws {
        func pipePair() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            let made = Self.pipe2.map { $0(&fds, O_CLOEXEC) } ?? pipe(&fds)
            guard made == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
            if Self.pipe2 == nil {
                _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            }
            return (fds[0], fds[1])
        }
        let stdin = takesInput ? try pipePair() : nil
        let stdout = try pipePair()
        let stderr = try pipePair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.write, 2)
        // Nothing else of the server's (database files, sockets) reaches the program.
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and default handlers (the parent ignores SIGPIPE; a thread may
        // block SIGTERM), so a kill ends it and a closed pipe stops its writes.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        let started = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        // The child's ends belong to the child now (or to nobody).
        if let stdin { close(stdin.read) }
        close(stdout.write)
        close(stderr.write)
        guard started == 0 else {
            if let stdin { close(stdin.write) }
            close(stdout.read)
            close(stderr.read)
            throw Failure(description: "\(path) did not start: \(String(cString: strerror(started)))")
        }
        pid = child
        input = stdin?.write
        output = stdout.read
        errors = stderr.read
    }

    /// glibc's `pipe2` and `posix_spawn_file_actions_addclosefrom_np` (2.34), GNU extensions the Swift module does not
    /// import: looked up once by name (without them: `pipe` then close-on-exec, and the child keeps what the parent
    /// did not mark close-on-exec).
    private static let pipe2: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = symbol("pipe2")
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let found = dlsym(nil, name) else { return nil }
        return unsafeBitCast(found, to: T.self)
    }

    /// Writes `bytes` to the child's standard input and closes it (a child that stopped reading: the write fails
    /// with EPIPE, which the caller's exit status explains).
    public func send(_ bytes: [UInt8]) {
        guard let fd = input else { return }
        defer { close(fd) }
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    break
                }
                offset += n
            }
        }
    }

    /// Up to `limit` bytes from `fd`; empty at its end (or on an error other than an interruption).
    public static func read(_ fd: Int32, limit: Int = 65_536) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, limit) }
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(buffer[0..<n]) : []
        }
    }

    /// Everything `fd` still gives, keeping at most `keep` bytes (the rest is read and dropped, so the child never
    /// blocks on a full pipe).
    public static func readAll(_ fd: Int32, keep: Int) -> [UInt8] {
        var kept: [UInt8] = []
        while true {
            let chunk = read(fd)
            if chunk.isEmpty { return kept }
            if kept.count < keep { kept += chunk.prefix(keep - kept.count) }
        }
    }

    private let lock = NSLock()
    private var reaped = false

    /// Sends `signal` unless the child was already waited for (its pid may then be another process's).
    public func kill(_ signal: Int32 = SIGKILL) {
        lock.withLock {
            if !reaped { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Waits for the child to end; its exit status, or nil when a signal ended it. Closes the output pipes (the
    /// input is closed by `send`, which a caller with input calls once).
    public func wait() -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.withLock { reaped = true }
        close(output)
        close(errors)
        // WIFEXITED / WEXITSTATUS, spelled out (the C macros are not imported).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : nil
    }
}
