// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Splits a stream of JSON documents separated by line feeds (the engine's progress, build
/// and event streams end each object with `\n` or `\r\n`) into lines, whatever the split of
/// the input. Blank lines are skipped. Bytes in, lines out, no I/O.
struct JSONLineSplitter {
    private var partial: [UInt8] = []
    let maxLineBytes: Int

    init(maxLineBytes: Int = 16 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Appends `bytes`; returns the lines they complete, without their line ending.
    mutating func append(_ bytes: [UInt8]) throws(DockerError) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            self.partial.append(contentsOf: bytes[start..<index])
            start = index + 1
            if let line = Self.trimmed(self.partial) { lines.append(line) }
            self.partial.removeAll(keepingCapacity: true)
        }
        self.partial.append(contentsOf: bytes[start...])
        if self.partial.count > self.maxLineBytes {
            throw DockerError(.invalidResponse, "a JSON line is longer than \(self.maxLineBytes) bytes")
        }
        return lines
    }

    /// The last line, if the stream did not end with a line feed.
    mutating func finish() -> [UInt8]? {
        defer { self.partial = [] }
        return Self.trimmed(self.partial)
    }

    private static func trimmed(_ line: [UInt8]) -> [UInt8]? {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        var start = 0
        while start < end, line[start] == UInt8(ascii: " ") || line[start] == UInt8(ascii: "\t") || line[start] == UInt8(ascii: "\r") { start += 1 }
        guard start < end else { return nil }
        return start == 0 && end == line.count ? line : Array(line[start..<end])
    }
}
