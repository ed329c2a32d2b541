import Testing
import VestnikCore

@Suite struct HexTests {
    /// A 64-bit value's 16 digits are its eight big-endian bytes' digits.
    @Test func aValueIsItsBigEndianBytes() {
        for value: UInt64 in [0, 1, 0xF, 0x10, 0xDEAD_BEEF, 0x0123_4567_89AB_CDEF, .max] {
            #expect(Hex.encode(value) == Hex.encode(withUnsafeBytes(of: value.bigEndian) { Array($0) }))
        }
        #expect(Hex.encode(UInt64(0x0123_4567_89AB_CDEF)) == "0123456789abcdef")
    }
}
