// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// What GitLab reads out of a commit message.
public enum CommitMessage {
    /// Whether `message` asks to skip CI. GitLab's rule (`Gitlab::Ci::Pipeline::Chain::Skip`):
    /// `/\[(ci[ _-]skip|skip[ _-]ci)\]/i`, anywhere in the message.
    public static func requestsSkip(_ message: String) -> Bool {
        let lowered = Array(message.lowercased().utf8)
        let separators: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "_"), UInt8(ascii: "-")]
        // "[ci?skip]" and "[skip?ci]" are both 9 bytes long.
        guard lowered.count >= 9 else { return false }
        for start in 0...(lowered.count - 9) where lowered[start] == UInt8(ascii: "[") && lowered[start + 8] == UInt8(ascii: "]") {
            let inner = lowered[(start + 1)..<(start + 8)]
            let (first, separator, second) = (Array(inner.prefix(2)), inner[start + 3], Array(inner.suffix(4)))
            if first == Array("ci".utf8), separators.contains(separator), second == Array("skip".utf8) { return true }
            let (skipWord, separator2, ciWord) = (Array(inner.prefix(4)), inner[start + 5], Array(inner.suffix(2)))
            if skipWord == Array("skip".utf8), separators.contains(separator2), ciWord == Array("ci".utf8) { return true }
        }
        return false
    }

    /// `CI_COMMIT_TITLE`: the full first line of the message.
    public static func title(of message: String) -> String {
        // "\r\n" is one Character in Swift, so both line endings are separators here.
        let line = message.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first
        return line.map(String.init) ?? ""
    }
}
