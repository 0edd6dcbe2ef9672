// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A container's or exec's collected output, stdout and stderr kept apart.
public struct DockerOutput: Sendable, Hashable {
    public var stdout: [UInt8] = []
    public var stderr: [UInt8] = []
    /// A TTY container's merged output.
    public var raw: [UInt8] = []

    public init() {}

    public var stdoutText: String { String(decoding: self.stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: self.stderr, as: UTF8.self) }
    public var rawText: String { String(decoding: self.raw, as: UTF8.self) }

    /// The total number of bytes.
    public var count: Int { self.stdout.count + self.stderr.count + self.raw.count }

    mutating func append(_ chunk: DockerOutputChunk) {
        switch chunk.stream {
        case .stdout, .stdin: self.stdout.append(contentsOf: chunk.bytes)
        case .stderr: self.stderr.append(contentsOf: chunk.bytes)
        case .raw: self.raw.append(contentsOf: chunk.bytes)
        }
    }
}
