import Foundation
import Testing

@testable import VestnikWeb

/// Inputs the fuzzer found (`fuzz/run.sh multipart`), kept so they never come back.
@Suite struct MultipartFuzzRegressionTests {
    @Test("a Content-Disposition parameter that is only = is skipped, not a crash (it trapped on an index out of range)")
    func bareEquals() {
        #expect(MultipartForm.parameters("form-data; =; name=\"x\"").contains { $0.0 == "name" && $0.1 == "x" })
        let body = Array("--b\r\nContent-Disposition: form-data; =;2;; name=\"f\"\r\n\r\nv\r\n--b--\r\n".utf8)
        #expect(MultipartForm.parse(body, boundary: "b", truncated: false) != nil)
    }
}
