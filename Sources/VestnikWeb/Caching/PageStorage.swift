@_spi(CustomByteBufferAllocator) import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the page cache keeps the bytes of the pages it stores: each page in a memory mapping of its own, outside
/// malloc's heap.
///
/// A kept page lives for minutes among the short-lived allocations of every render. In malloc's heap the cache's
/// 32 KB chunks split the free space, and malloc walked more free chunks on every render: at 1,000,000 articles the
/// cached server spent 11.6 % of its samples in libc against 8.9 % with the cache off (bench/README, issue 28).
/// A mapping costs a system call when a page is stored and one when it leaves, and nothing on a hit. When the
/// system refuses a mapping (a cache of over 2 GB passes Linux's 65,530 mappings), the page goes to malloc.
enum PageStorage {
    static let allocator = ByteBufferAllocator(
        allocate: { size in PageStorage.allocate(size) },
        reallocate: { pointer, _, newSize in PageStorage.reallocate(pointer, newSize) },
        deallocate: { pointer in PageStorage.deallocate(pointer) },
        copy: { destination, source, count in destination.copyMemory(from: source, byteCount: count) })

    /// The length of each live mapping, by address: `deallocate` is not told the size, and a header inside the
    /// mapping would push a power-of-two page (NIO's capacities) into one more memory page.
    private static let mappings = Mutex<[UInt: Int]>([:])

    private static func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        if let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED {
            mappings.withLock { $0[UInt(bitPattern: mapped)] = size }
            return mapped
        }
        return malloc(size)
    }

    private static func deallocate(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        if let length = mappings.withLock({ $0.removeValue(forKey: UInt(bitPattern: pointer)) }) {
            munmap(pointer, length)
        } else {
            free(pointer)
        }
    }

    private static func reallocate(_ pointer: UnsafeMutableRawPointer?, _ newSize: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(newSize) }
        guard let length = mappings.withLock({ $0[UInt(bitPattern: pointer)] }) else { return realloc(pointer, newSize) }
        guard let moved = allocate(newSize) else { return nil }
        moved.copyMemory(from: pointer, byteCount: min(length, newSize))
        deallocate(pointer)
        return moved
    }
}
