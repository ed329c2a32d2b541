import Testing
import VestnikCore
@testable import VestnikStore

@Suite struct KeysetCursorTests {
    @Test("a cursor reads back what it wrote, and refuses anything else")
    func roundTrip() {
        let hash = String(repeating: "ab", count: 32)
        #expect(NewsroomCursor(NewsroomCursor(time: 1_795_600_800, key: 42).text) == NewsroomCursor(time: 1_795_600_800, key: 42))
        #expect(MediaCursor(MediaCursor(time: 1_795_600_800, key: hash).text) == MediaCursor(time: 1_795_600_800, key: hash))
        for bad in [
            "", "1795600800", "x-42", "1795600800-", "1795600800-x", "1795600800--4", "1234567890123-1",
            "1795600800-" + String(repeating: "9", count: 70),
        ] {
            #expect(NewsroomCursor(bad) == nil, "\(bad)")
        }
        #expect(MediaCursor("1795600800-not-a-hash") == nil && MediaCursor("1795600800-42") == nil)
    }
}
