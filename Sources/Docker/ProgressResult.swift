// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// What a finished pull, import, load or build stream reported.
public struct ProgressResult: Sendable, Hashable {
    /// The image ID from a build's `aux` line or an import's status.
    public var imageID: String?
    /// Image names and IDs from `Loaded image: …` and `Loaded image ID: …` lines of a load.
    public var loadedImages: [String] = []
    /// `stream` output (the build log), the last ``maxOutputBytes`` of it.
    public var output: String = ""
    /// The last status line (`Status: Downloaded newer image for …`).
    public var lastStatus: String?
    public var messageCount = 0

    /// How much build output is kept.
    public static let maxOutputBytes = 1 << 20

    public init() {}

    mutating func record(_ message: ProgressMessage) {
        self.messageCount += 1
        if let id = message.aux?.id { self.imageID = id }
        if let status = message.status {
            self.lastStatus = status
            if status.hasPrefix("sha256:") { self.imageID = status }
        }
        if let stream = message.stream {
            for prefix in ["Loaded image: ", "Loaded image ID: "] where stream.hasPrefix(prefix) {
                self.loadedImages.append(String(stream.dropFirst(prefix.count)).trimmingCharacters(whitespace: true))
            }
            self.output += stream
            if self.output.utf8.count > Self.maxOutputBytes {
                self.output = String(decoding: self.output.utf8.suffix(Self.maxOutputBytes / 2), as: UTF8.self)
            }
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(whitespace: Bool) -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        return String(text)
    }
}
