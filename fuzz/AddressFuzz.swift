// libFuzzer target for the outgoing requests' address rules (Sources/VestnikCore/Outbound/OutboundAddress.swift):
// any bytes as a host. Built by `fuzz/run.sh address` with -sanitize=fuzzer,address; a crash, a hang or a broken
// property is a finding.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let address = IPAddress(literal: text) else { return 0 }
    // What it reads back as is the same address, and it is judged the same.
    let again = IPAddress(literal: address.description)
    check(again == address, "\(text) -> \(address) -> \(String(describing: again))")
    check(again?.refusal == address.refusal, "the rules differ for \(text) and \(address)")
    if case .v4(let value) = address {
        // The C library reads every dotted form the same way.
        var parsed = in_addr()
        if text.allSatisfy({ $0.isASCII }), inet_aton(text, &parsed) != 0 {
            check(UInt32(bigEndian: parsed.s_addr) == value, "inet_aton reads \(text) otherwise")
        }
    }
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("property broken: \(message())\n".utf8))
        abort()
    }
}
