// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// Replaces secrets with `[MASKED]` in a stream of log bytes, as GitLab does for masked
/// variables. Output arrives in arbitrary chunks, so a secret may be split between two of them:
/// the masker holds back the last few bytes of each chunk (fewer than the longest secret) until
/// the next chunk shows whether they start a secret.
///
/// ```swift
/// var masker = LogMasker(secrets: project.variables.filter(\.masked).map(\.value))
/// for await chunk in output { await log(masker.mask(chunk)) }
/// await log(masker.finish())
/// ```
public struct LogMasker: Sendable {
    /// What a secret becomes.
    public static let replacement = Array("[MASKED]".utf8)

    private let secrets: [[UInt8]]
    private let firstBytes: Set<UInt8>
    private let longest: Int
    private var pending: [UInt8] = []

    /// A masker for `secrets`; empty strings are ignored. When one secret is a prefix of
    /// another, the longer match wins.
    public init(secrets: [String]) {
        let unique = Set(secrets.filter { !$0.isEmpty }.map { Array($0.utf8) })
        self.secrets = unique.sorted { $0.count > $1.count }
        self.firstBytes = Set(self.secrets.map { $0[0] })
        self.longest = self.secrets.first?.count ?? 0
    }

    /// Whether there is anything to mask; a masker with no secrets passes bytes straight through.
    public var isEmpty: Bool { self.secrets.isEmpty }

    /// Masks `chunk`, returning the bytes that are now safe to write; up to (longest secret − 1)
    /// bytes may be held back until the next call or ``finish()``.
    public mutating func mask(_ chunk: some Collection<UInt8>) -> [UInt8] {
        guard !self.secrets.isEmpty else { return Array(chunk) }
        var buffer = self.pending
        buffer.append(contentsOf: chunk)
        // A secret starting before `boundary` lies wholly inside the buffer, so it can be
        // decided now; anything starting at or after it might continue in the next chunk.
        let boundary = buffer.count - (self.longest - 1)
        let (output, consumed) = self.scan(buffer, until: boundary)
        self.pending = Array(buffer[consumed...])
        return output
    }

    /// Masks and returns whatever is held back; call once the stream has ended.
    public mutating func finish() -> [UInt8] {
        guard !self.pending.isEmpty else { return [] }
        let (output, _) = self.scan(self.pending, until: self.pending.count)
        self.pending = []
        return output
    }

    private func scan(_ buffer: [UInt8], until boundary: Int) -> (output: [UInt8], consumed: Int) {
        var output: [UInt8] = []
        output.reserveCapacity(buffer.count)
        var index = 0
        while index < boundary {
            let byte = buffer[index]
            if self.firstBytes.contains(byte), let length = self.match(in: buffer, at: index) {
                output.append(contentsOf: Self.replacement)
                index += length
            } else {
                output.append(byte)
                index += 1
            }
        }
        return (output, min(index, buffer.count))
    }

    /// The length of the longest secret at `start`, if any.
    private func match(in buffer: [UInt8], at start: Int) -> Int? {
        for secret in self.secrets where start + secret.count <= buffer.count {
            var equal = true
            for offset in 0..<secret.count where buffer[start + offset] != secret[offset] {
                equal = false
                break
            }
            if equal { return secret.count }
        }
        return nil
    }
}
