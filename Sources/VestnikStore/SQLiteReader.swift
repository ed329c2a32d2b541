import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import VaporCSQLite

/// A SQLite connection for reading that keeps its statements prepared and runs them on the calling thread.
///
/// Why not sqlite-nio's connection: it prepares every statement anew (the SQL parser was 8 %
/// of an article page's CPU), hops to its thread pool and back for each query, and hands every row to the event
/// loop as a task of its own. A page's reads are a few indexed lookups of microseconds each, less than those hops
/// cost. Running them where the request already runs is safe because WAL readers never wait for the writer, and
/// the work is CPU work the machine does either way; the busy timeout below only matters in the rare moments
/// SQLite itself needs a lock (recovery after a crash).
///
/// Statements stay prepared per connection, keyed by their SQL text, up to `statementLimit`; SQLite prepares a
/// kept statement again by itself when the schema changes. A reader's connection is `query_only`, so a write sent
/// there by mistake fails instead of bypassing the one writer. The writer is a connection of this kind too, on a
/// thread of its own (`SQLiteConnections`): a batch of imported posts is thousands of small statements and a publish
/// about 170, and the same prepare and thread hops per statement were most of their cost.
final class SQLiteReadConnection: @unchecked Sendable {
    /// More distinct statements than any page issues; a flood of one-off SQL (an `IN` list per length) starts over.
    static let statementLimit = 128

    private var handle: OpaquePointer?
    private var statements: [String: PreparedStatement] = [:]
    /// How many statements stay prepared (`statementLimit` for a reader).
    private let statementLimit: Int
    /// One query at a time: the pool hands a connection to one reader, but that reader may run child tasks.
    private let lock = NSLock()

    private init(handle: OpaquePointer, statementLimit: Int) {
        self.handle = handle
        self.statementLimit = statementLimit
    }

    deinit { close() }

    /// Opens a connection to `path` with `pragmas` (a reader's unless told); `statementLimit` statements stay
    /// prepared. `creating` (the writer): a missing file is made, as a new site's first start needs.
    static func open(
        path: String, pragmas: [String] = readerPragmas, statementLimit: Int = statementLimit, creating: Bool = false
    ) throws
        -> SQLiteReadConnection
    {
        var handle: OpaquePointer?
        // No mutex of SQLite's own: `lock` already keeps the connection to one thread at a time, and SQLite's took
        // and gave back a mutex in every call (each step and each column of each row).
        let flags =
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE | (creating ? SQLITE_OPEN_CREATE : 0)
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite_nio_sqlite3_close(handle) }
            throw DatabaseOpenError(description: "cannot open SQLite database \(path): \(message)")
        }
        let connection = SQLiteReadConnection(handle: handle, statementLimit: statementLimit)
        // Search ranks on readers with bm25 fed the index's own term counts.
        SearchRankFunction.register(on: handle)
        do {
            for pragma in pragmas { try connection.query(pragma, []) { _ in } }
        } catch {
            connection.close()
            throw DatabaseOpenError(description: "cannot use SQLite database \(path): \(error)")
        }
        return connection
    }

    /// A reader's settings. 8 MB of pages per reader (SQLite's default is 2 MB): on a 5.5 GB site of a million
    /// articles a random article page then finds the upper levels of its B-trees here instead of asking the kernel
    /// for them, 28 % more pages per second (bench/pages.sh); the four readers add at most 24 MB to the process.
    static let readerPragmas = [
        "PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON", "PRAGMA query_only = ON", "PRAGMA cache_size = -8000",
    ]

    /// The settings of the writer of a bulk import (`Database.open(bulkWrites:)`). The journal is WAL (the file's
    /// own setting, made by every writer) and `synchronous = NORMAL` as every connection has it, which in WAL
    /// mode loses no committed transaction on a crash of the process, only the last ones on a power cut, and never
    /// corrupts the file; so a kill -9 still leaves whole batches. What changes is only memory: 32 MB of pages
    /// instead of 2 MB (the indexes of articles, terms and redirects that every post updates stay in memory as the
    /// file grows past a gigabyte), and temporary B-trees (sorting, `IN` lists) in memory instead of a temp file; and
    /// a checkpoint after 8,192 pages of WAL (32 MB) instead of 1,000: the same index pages change in every batch, and
    /// a checkpoint copies each changed page once, however often it changed since the last one.
    static let bulkWriterPragmas = [
        "PRAGMA busy_timeout = \(SQLiteConnections.writerBusyTimeout)", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL",
        "PRAGMA cache_size = -32000", "PRAGMA temp_store = MEMORY", "PRAGMA wal_autocheckpoint = 8192",
    ]

    /// Runs `sql` with `binds` and hands each row to `onRow`, on the calling thread.
    func query(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteReadRow) throws -> Void) throws {
        try lock.withLock {
            guard let handle else { throw DatabaseUnavailableError(description: "the database is closed") }
            let statement = try prepared(sql, on: handle)
            // Every call binds every parameter of its SQL, so the old values need no clearing; and
            // `sqlite3_clear_bindings` would make SQLite prepare the statement again whenever the planner looked at a
            // bound value (a statement of the article page did, on every call).
            defer { sqlite_nio_sqlite3_reset(statement.handle) }
            try bind(binds, to: statement.handle, on: handle)
            var columns = statement.columns
            var first = true
            while true {
                let status = sqlite_nio_sqlite3_step(statement.handle)
                if first {
                    // A schema change makes SQLite prepare the statement again inside `step`, and its columns may
                    // have changed with it.
                    first = false
                    let prepares = sqlite_nio_sqlite3_stmt_status(statement.handle, SQLITE_STMTSTATUS_REPREPARE, 0)
                    if prepares != statement.prepares {
                        columns = SQLiteReadRow.Columns(of: statement.handle)
                        statements[sql] = PreparedStatement(handle: statement.handle, columns: columns, prepares: prepares)
                    }
                }
                if status == SQLITE_DONE { return }
                guard status == SQLITE_ROW else { throw error(status, on: handle) }
                let count = columns.names.count
                var values: [SQLiteReadRow.Value] = []
                values.reserveCapacity(count)
                for column in 0..<Int32(count) { values.append(Self.value(of: statement.handle, at: column)) }
                try onRow(SQLiteReadRow(columns: columns, values: values))
            }
        }
    }

    /// Starts a read transaction, so that the statements up to `endTransaction()` read one snapshot and take
    /// SQLite's shared lock once: alone, each statement began and ended a transaction of its own, which on a page of
    /// three statements was 7 % of the CPU (a lock on the WAL index through `fcntl` each time).
    func beginTransaction() throws {
        endTransaction()  // one left open by a failed end would make every later BEGIN on this reader fail
        try query("BEGIN", []) { _ in }
    }

    /// Ends the transaction `beginTransaction()` started, if it is still open; never throws, so that it can end every
    /// read. A read-only transaction cannot fail to commit; should it, a rollback ends it as well.
    func endTransaction() {
        let open = lock.withLock { handle.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false }
        guard open else { return }
        do { try query("COMMIT", []) { _ in } } catch { try? query("ROLLBACK", []) { _ in } }
    }

    func close() {
        lock.withLock {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            statements = [:]
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            handle = nil
        }
    }

    private func prepared(_ sql: String, on handle: OpaquePointer) throws -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        if statements.count >= statementLimit {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            statements = [:]
        }
        var raw: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard status == SQLITE_OK else { throw error(status, on: handle) }
        guard let raw else {
            // Only a comment or whitespace: nothing to run. Prepare something that returns no rows instead.
            return try prepared("SELECT 1 WHERE 0", on: handle)
        }
        let statement = PreparedStatement(
            handle: raw, columns: SQLiteReadRow.Columns(of: raw),
            prepares: sqlite_nio_sqlite3_stmt_status(raw, SQLITE_STMTSTATUS_REPREPARE, 0))
        statements[sql] = statement
        return statement
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer, on handle: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .text(let text):
                status = sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                }
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw error(status, on: handle) }
        }
    }

    /// Text longer than this stays bytes until a string is asked of it (`SQLiteReadRow.Value.longText`); shorter text,
    /// the dozens of small columns of a page, becomes a string at once, with no second allocation.
    static let longText = 1024

    private static func value(of statement: OpaquePointer, at column: Int32) -> SQLiteReadRow.Value {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .data(.integer(Int(sqlite_nio_sqlite3_column_int64(statement, column))))
        case SQLITE_FLOAT: return .data(.float(sqlite_nio_sqlite3_column_double(statement, column)))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .data(.text("")) }
            let bytes = UnsafeBufferPointer(start: text, count: Int(sqlite_nio_sqlite3_column_bytes(statement, column)))
            if bytes.count > longText { return .longText(Array(bytes)) }
            return .data(.text(String(decoding: bytes, as: UTF8.self)))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .data(.blob(buffer))
        default: return .data(.null)
        }
    }

    private func error(_ status: Int32, on handle: OpaquePointer) -> SQLiteReadError {
        SQLiteReadError(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    /// SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private struct PreparedStatement {
        let handle: OpaquePointer
        let columns: SQLiteReadRow.Columns
        /// How often SQLite had prepared it again when `columns` were read.
        let prepares: Int32
    }
}

/// A failed read: SQLite's result code and message (sqlite-nio's own error type cannot be made outside it).
struct SQLiteReadError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "SQLite error \(code): \(message)" }
}

/// A row of a `SQLiteReadConnection` query, decoded the way sqlite-kit decodes its rows (`SQLiteDataDecoder`), so
/// repositories see the same values from either connection.
struct SQLiteReadRow: SQLRow {
    /// A statement's column names and where each is, looked up once per statement rather than once per row.
    ///
    /// The repositories name a column for every value they decode (an article row is some thirty), and a
    /// `[String: Int]` hashed each name with SipHash, 1 % of an article page. Column names are short identifiers
    /// that differ in their length or their first, middle or last byte, so those four make the slot of an
    /// open-addressed table, and one string comparison confirms it.
    final class Columns: Sendable {
        let names: [String]
        /// Position + 1 of the column in each slot, 0 for an empty slot; a power of two at least four times the
        /// number of columns, so probes are short.
        private let slots: [Int]

        convenience init(of statement: OpaquePointer) {
            self.init(
                names: (0..<sqlite_nio_sqlite3_column_count(statement)).map {
                    String(cString: sqlite_nio_sqlite3_column_name(statement, $0))
                })
        }

        init(names: [String]) {
            self.names = names
            var size = 16
            while size < names.count * 4 { size <<= 1 }
            var slots = [Int](repeating: 0, count: size)
            for (position, name) in names.enumerated() {
                var slot = Self.hash(name) & (size - 1)
                // A name twice (`SELECT a.id, b.id`) is found at its first position, as sqlite-kit's rows find it.
                while slots[slot] != 0, names[slots[slot] - 1] != name { slot = (slot + 1) & (size - 1) }
                if slots[slot] == 0 { slots[slot] = position + 1 }
            }
            self.slots = slots
        }

        /// Where the column `name` is, or nil when the row has none.
        func position(of name: String) -> Int? {
            let mask = slots.count - 1
            var slot = Self.hash(name) & mask
            while true {
                let entry = slots[slot]
                guard entry != 0 else { return nil }
                if names[entry - 1] == name { return entry - 1 }
                slot = (slot + 1) & mask
            }
        }

        private static func hash(_ name: String) -> Int {
            let utf8 = name.utf8
            let count = utf8.count
            guard count > 0 else { return 0 }
            let middle = utf8[utf8.index(utf8.startIndex, offsetBy: count / 2)]
            let mixed = count &* 0x9E37_79B9 ^ Int(utf8.first!) &* 0x85EB_CA6B ^ Int(middle) &* 0xC2B2_AE35 ^ Int(utf8.last!) &* 0x27D4_EB2F
            return mixed ^ (mixed >> 15)
        }
    }

    /// A column's value: as sqlite-kit has it, or a long text as SQLite's bytes (`SQLiteReadConnection.longText`),
    /// which becomes a string only when one is asked of it; `utf8(column:)` takes the bytes as they are.
    enum Value {
        case data(SQLiteData)
        case longText([UInt8])

        var data: SQLiteData {
            switch self {
            case .data(let data): data
            case .longText(let bytes): .text(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    let columns: Columns
    let values: [Value]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.position(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.position(of: column) else { return true }
        if case .data(.null) = values[offset] { return true }
        return false
    }

    /// A text column's UTF-8 bytes as SQLite holds them, without the check (and repair) of their UTF-8 that a string
    /// makes; any other value as `String` decodes it. See `Article.bodyUTF8` for why the page may use them unchecked.
    func utf8(column: String) throws -> [UInt8] {
        if case .longText(let bytes) = values[try offset(of: column)] { return bytes }
        return Array(try decode(column: column, as: String.self).utf8)
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        let value = values[try offset(of: column)].data
        // The column types the repositories read by the hundred per page (`RowDecoding.swift`), converted as
        // `SQLiteDataDecoder` converts them but without its conformance lookup and cast per value; anything else,
        // and any value these cannot take, goes the decoder's way (with its errors).
        // `D` is that very type in each branch, so the bit casts are identities (an `as! D` was a dynamic cast each).
        if D.self == String.self, let text = String(sqliteData: value) { return unsafeBitCast(text, to: D.self) }
        if D.self == Int.self, let number = Int(sqliteData: value) { return unsafeBitCast(number, to: D.self) }
        if D.self == Int?.self {
            if case .null = value { return unsafeBitCast(Int?.none, to: D.self) }
            if let number = Int(sqliteData: value) { return unsafeBitCast(Int?.some(number), to: D.self) }
        }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }

    private func offset(of column: String) throws -> Int {
        guard let offset = columns.position(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteReadColumnKey(stringValue: column),
                .init(codingPath: [], debugDescription: "no column \(column) in the row (\(columns.names.joined(separator: ", ")))"))
        }
        return offset
    }
}

private struct SQLiteReadColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// SQLKit's view of a `SQLiteReadConnection`: the same dialect and value encoding as sqlite-kit's, so every
/// repository query runs unchanged on it.
struct SQLiteReadDatabase: SQLDatabase {
    let connection: SQLiteReadConnection
    let logger: Logger
    /// SQLKit's futures API wants one; nothing here runs on it.
    let eventLoop: any EventLoop
    /// Where statements run when they must not hold up the calling thread (`Database.readAside`); nil: right here.
    var threadPool: NIOThreadPool? = nil

    var dialect: any SQLDialect { SQLiteDialect() }
    var version: (any SQLDatabaseReportedVersion)? { SQLiteLibraryVersion.runtime }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        guard let threadPool else { return try run(query, onRow) }
        try await threadPool.runIfActive { try run(query, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, rawBinds) = serialize(query)
        logger.debug("Executing query", metadata: ["sql": .string(sql), "binds": .array(rawBinds.map { .string("\($0)") })])
        let binds = try rawBinds.map(Self.encode)
        try connection.query(sql, binds) { onRow($0) }
    }

    /// sqlite-kit's encoding of a bound value. Texts and integers, nearly every bind, are taken as they are:
    /// the encoder's look-up of the value's conformance was a tenth of a bulk import's writer.
    static func encode(_ value: any Encodable & Sendable) throws -> SQLiteData {
        if let text = value as? String { return .text(text) }
        if let number = value as? Int { return .integer(number) }
        return try SQLiteDataEncoder().encode(value)
    }
}

/// The linked SQLite library's version, for SQLKit features that depend on it.
private struct SQLiteLibraryVersion: SQLDatabaseReportedVersion {
    let number: Int
    var stringValue: String { "\(number / 1_000_000).\(number / 1_000 % 1_000).\(number % 1_000)" }

    static let runtime = SQLiteLibraryVersion(number: Int(sqlite_nio_sqlite3_libversion_number()))

    func isEqual(to otherVersion: any SQLDatabaseReportedVersion) -> Bool {
        (otherVersion as? Self)?.number == number
    }

    func isOlder(than otherVersion: any SQLDatabaseReportedVersion) -> Bool {
        (otherVersion as? Self).map { number < $0.number } ?? false
    }
}
