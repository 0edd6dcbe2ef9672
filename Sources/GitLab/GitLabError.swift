// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// Why a GitLab-facing operation failed: a webhook delivery that must be refused, a
/// `.gitlab-ci.yml` slipway cannot run, or a `git` command that did not succeed.
///
/// Every message says what to do about it, and never contains a credential: git's stderr is
/// scrubbed of the clone token before it gets here.
///
/// ```swift
/// do {
///     let configuration = try CIConfiguration.parse(yaml)
/// } catch let error as GitLabError where error.code == .configError {
///     // fail the pipeline with failure_reason config_error and error.description
/// }
/// ```
public struct GitLabError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public var code: Code
    /// A human-readable explanation with the fix.
    public var message: String
    /// For configuration errors: the YAML keyword at fault (`artifacts`, `include`, `rules:if`).
    public var keyword: String?
    /// For configuration errors: the 1-based line in `.gitlab-ci.yml`.
    public var line: Int?
    /// The lower-level error, if any (a YAML scanner error, a spawn failure).
    public var underlying: (any Error)?
    /// Where the error was made, for debugging.
    public var location: String

    /// An error of `code` with an actionable `message`.
    public init(_ code: Code, _ message: String, keyword: String? = nil, line: Int? = nil, underlying: (any Error)? = nil,
                fileID: String = #fileID, lineNumber: Int = #line) {
        self.code = code
        self.message = message
        self.keyword = keyword
        self.line = line
        self.underlying = underlying
        self.location = "\(fileID):\(lineNumber)"
    }

    /// The HTTP status a webhook endpoint answers with; `nil` for errors that are not about the
    /// request (configuration and git errors fail a pipeline, not a delivery).
    public var httpStatus: Int? { self.code.httpStatus }

    public var description: String {
        guard let line else { return self.message }
        return "line \(line): \(self.message)"
    }
}
