// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// The HTTP request that posts one ``CommitStatusUpdate``:
/// `POST {gitlab_url}/api/v4/projects/:id/statuses/:sha` with a JSON body.
///
/// Plain data, no I/O: the sender connects to ``origin``, sends ``target`` and ``body`` with
/// ``fields``, and adds the token as ``tokenField`` itself, so the token is in no value that
/// could be logged.
public struct CommitStatusRequest: Sendable, Hashable {
    /// The header that carries the access token.
    public static let tokenField = "PRIVATE-TOKEN"

    /// `scheme://host[:port]` of the GitLab instance.
    public var origin: String
    /// The origin-form target: `/api/v4/projects/42/statuses/<sha>`, behind any relative URL
    /// root of the instance.
    public var target: String
    /// Content type and accept headers (never the token).
    public var fields: [(name: String, value: String)] {
        [("Content-Type", "application/json"), ("Accept", "application/json"), ("User-Agent", "slipway")]
    }
    /// The JSON body.
    public var body: [UInt8]

    /// The most GitLab keeps of a description.
    public static let maximumDescriptionLength = 255

    /// Builds the request for `update`.
    ///
    /// - Parameter pipelineID: GitLab's pipeline to attach to, when the update's target
    ///   names none (one learnt from an earlier answer).
    /// - Throws: ``CommitStatusError`` with code ``CommitStatusError/Code/invalidTarget``.
    public init(_ update: CommitStatusUpdate, pipelineID: Int64? = nil) throws(CommitStatusError) {
        let target = update.target
        let (origin, root) = try Self.split(gitlabURL: target.gitlabURL)
        guard !target.projectID.isEmpty else {
            throw CommitStatusError(.invalidTarget, "a commit status needs the GitLab project's id or path")
        }
        guard (7...64).contains(target.sha.utf8.count), target.sha.utf8.allSatisfy(Self.isHexDigit) else {
            throw CommitStatusError(.invalidTarget, "'\(target.sha)' is not a commit sha (7 to 64 hexadecimal digits)")
        }
        self.origin = origin
        self.target = "\(root)/api/v4/projects/\(Self.percentEncoded(target.projectID))/statuses/\(target.sha.lowercased())"
        let body = Body(
            state: update.state.rawValue, ref: target.ref, name: target.name, target_url: update.targetURL,
            description: update.description.map { String($0.prefix(Self.maximumDescriptionLength)) },
            pipeline_id: target.pipelineID ?? pipelineID
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        self.body = Array(try! encoder.encode(body))
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.origin == rhs.origin && lhs.target == rhs.target && lhs.body == rhs.body
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.origin)
        hasher.combine(self.target)
        hasher.combine(self.body)
    }

    /// The fields GitLab reads (`nil` ones are left out).
    private struct Body: Encodable {
        var state: String
        var ref: String
        var name: String
        var target_url: String?
        var description: String?
        var pipeline_id: Int64?
    }

    /// Splits `https://host[:port][/root]` into its origin and its path root (no trailing
    /// slash): GitLab may live under a relative URL root.
    /// - Throws: ``CommitStatusError`` with code ``CommitStatusError/Code/invalidTarget``.
    public static func origin(of gitlabURL: String) throws(CommitStatusError) -> (origin: String, root: String) {
        try self.split(gitlabURL: gitlabURL)
    }

    static func split(gitlabURL: String) throws(CommitStatusError) -> (origin: String, root: String) {
        let lower = gitlabURL.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw CommitStatusError(.invalidTarget, "gitlab.url '\(gitlabURL)' must start with https:// (or http://)")
        }
        let afterScheme = gitlabURL.index(gitlabURL.startIndex, offsetBy: lower.hasPrefix("https://") ? 8 : 7)
        let rest = gitlabURL[afterScheme...]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw CommitStatusError(.invalidTarget, "gitlab.url '\(gitlabURL)' must not have a query or fragment")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        guard slash != rest.startIndex else {
            throw CommitStatusError(.invalidTarget, "gitlab.url '\(gitlabURL)' has no host")
        }
        var root = String(rest[slash...])
        while root.hasSuffix("/") { root.removeLast() }
        return (String(gitlabURL[..<slash]), root)
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters: a project path's
    /// `/` becomes `%2F`, as GitLab's API expects for `:id`.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%"
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return result
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
