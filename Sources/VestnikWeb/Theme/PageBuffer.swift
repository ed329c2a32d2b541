import NIOCore

/// The page a render writes, straight into the storage of the `ByteBuffer` that is sent: the finished page is not
/// copied into a buffer of its own, and each write is a bounds check and a copy through a pointer, where
/// `ByteBuffer.writeBytes` checks uniqueness, capacity and exclusive access to its storage every time (for the many
/// short writes of a page, about what the copy it saves cost, in `bench/profile.sh`).
///
/// The pointer stays valid because `buffer` is this value's alone and nothing else reads, copies or changes it until
/// `finish`; a `PageBuffer` lives in one `TemplateRenderer` and is never copied.
struct PageBuffer {
    private var buffer: ByteBuffer
    /// The storage's first byte, and how many bytes it holds.
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// How many bytes are written.
    private(set) var count = 0

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: max(capacity, 1))
        (base, self.capacity) = buffer.withUnsafeMutableWritableBytes { ($0.baseAddress!, $0.count) }
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        if bytes.count > capacity - count { grow(bytes.count) }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    mutating func write(_ string: StaticString) {
        write(UnsafeRawBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    func byte(at index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return base.load(fromByteOffset: index, as: UInt8.self)
    }

    /// Takes back what was written after the first `count` bytes.
    mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count)
        self.count = count
    }

    /// The page, as the buffer to send.
    consuming func finish() -> ByteBuffer {
        buffer.moveWriterIndex(to: count)
        return buffer
    }

    /// Doubles the storage (at least), keeping what is written; the pointer then moves with it.
    private mutating func grow(_ needed: Int) {
        buffer.moveWriterIndex(to: count)
        buffer.reserveCapacity(max(2 * capacity, count + needed))
        (base, capacity) = buffer.withUnsafeMutableWritableBytes { [count] in ($0.baseAddress! - count, count + $0.count) }
    }
}
