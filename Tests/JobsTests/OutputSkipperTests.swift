// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

@testable import Jobs
import Testing

@Suite("output skipper")
struct OutputSkipperTests {
    /// A replayed stream cut into chunks anywhere keeps exactly the bytes after the skip.
    @Test(arguments: [0, 1, 5, 9, 10, 11, 100], [1, 3, 4, 64])
    func keepsWhatFollowsTheSkippedBytes(skip: Int, chunkSize: Int) {
        let stream = Array("0123456789abcdefghij".utf8)
        let skipper = OutputSkipper(skip)
        var kept: [UInt8] = []
        var offset = 0
        while offset < stream.count {
            let chunk = Array(stream[offset..<min(offset + chunkSize, stream.count)])
            kept += skipper.drop(from: chunk)
            offset += chunkSize
        }
        #expect(kept == Array(stream.dropFirst(skip)))
    }
}
