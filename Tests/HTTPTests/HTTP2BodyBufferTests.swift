// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

@Suite("HTTP/2 body buffer")
struct HTTP2BodyBufferTests {
    /// Pieces written, read back through windows of `window` bytes.
    @Test(arguments: [1, 7, 16, 100, 16_384])
    func readsPiecesBackInOrderThroughAnyWindow(window: Int) {
        var buffer = HTTP2BodyBuffer()
        var expected: [UInt8] = []
        for index in 0..<40 {
            let piece = [UInt8](repeating: UInt8(index), count: index * 3)
            buffer.append(piece)
            expected += piece
        }
        #expect(buffer.count == expected.count)
        var read: [UInt8] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: window, alignment: 1)
        defer { scratch.deallocate() }
        while buffer.count > 0 {
            let count = buffer.read(into: scratch)
            #expect(count > 0 && count <= window)
            read += scratch[0..<count]
        }
        #expect(read == expected)
        #expect(buffer.read(into: scratch) == 0)
        #expect(!buffer.isComplete)
    }

    @Test func aFixedBodyIsCompleteFromTheStart() {
        var buffer = HTTP2BodyBuffer(complete: Array("hello".utf8))
        #expect(buffer.isComplete && buffer.count == 5)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 3, alignment: 1)
        defer { scratch.deallocate() }
        #expect(buffer.read(into: scratch) == 3)
        #expect(buffer.read(into: scratch) == 2)
        #expect(buffer.count == 0)
    }
}
