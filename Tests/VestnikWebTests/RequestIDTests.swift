import Testing

@testable import VestnikWeb

@Suite struct RequestIDTests {
    /// A new id is 16 lower-case hex digits, and ids made at once on several threads never repeat.
    @Test func newIDsAreHexAndNeverRepeat() async {
        let made = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<5_000).map { _ in RequestIDs.make() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(made.allSatisfy { $0.utf8.count == 16 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        #expect(Set(made).count == made.count)
        // Consecutive ids do not read as a counter.
        #expect(Set(made.map { $0.prefix(8) }).count > made.count / 2)
    }

    /// A sane id sent by the proxy in front is kept; anything else is replaced by a new one.
    @Test func aSaneIncomingIDIsKept() {
        #expect(RequestIDs.sane("edge-7f3a.42:1") == "edge-7f3a.42:1")
        #expect(RequestIDs.sane("<script>") == nil)
        #expect(RequestIDs.sane(String(repeating: "x", count: 129)) == nil)
    }
}
