// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

extension DeliveryVerdict {
    /// Sorts GitLab's answer to posting `update`.
    ///
    /// | answer | verdict |
    /// | --- | --- |
    /// | 2xx | delivered (with the `pipeline_id` of the body) |
    /// | 400 `Cannot transition status … from :<the state sent>` | already there |
    /// | 400 `Cannot transition status … from :<another state>` | give up: GitLab refuses that move |
    /// | 401, 403, 404 and other 4xx | give up, naming the fix |
    /// | 408, 409 (another update in progress), 429, 5xx | retry, honouring `Retry-After` |
    /// | 3xx | give up: `gitlab.url` points at a redirect |
    ///
    /// - Parameters:
    ///   - retryAfter: the `Retry-After` header, if any (seconds or an HTTP-date).
    ///   - body: the response body (GitLab's JSON `{"message": …}`).
    ///   - now: for a `Retry-After` date.
    public static func classify(status: Int, retryAfter: String?, body: [UInt8], for update: CommitStatusUpdate, now: Date) -> DeliveryVerdict {
        let target = update.target
        let message = Self.message(in: body)
        let quoted = message.isEmpty ? "" : ": \(message)"
        switch status {
        case 200..<300:
            return .delivered(pipelineID: Self.pipelineID(in: body))
        case 400 where message.hasPrefix("Cannot transition status"):
            if let from = Self.fromState(in: message), from == update.state.rawValue {
                return .alreadyThere
            }
            return .giveUp(reason: "GitLab refuses to set the status '\(target.name)' of \(target.sha) to \(update.state.rawValue) (400\(quoted))")
        case 401:
            return .giveUp(reason: "GitLab refused the token (401 Unauthorized\(quoted)); set a valid access token with the api scope as projects[].status_token or gitlab.status_token")
        case 403:
            return .giveUp(reason: "GitLab refused the status for project \(target.projectID) (403 Forbidden\(quoted)); the token's user needs the Developer role there, and on a protected ref '\(target.ref)' permission to push or merge to it")
        case 404:
            return .giveUp(reason: "GitLab has no commit \(target.sha) in project \(target.projectID) (404 Not Found\(quoted)); check the project id and gitlab.url, that the commit was pushed to that project, and that the token's user can see the project")
        case 408, 409, 429, 500..<600:
            let delay = retryAfter.flatMap { RetryAfter.parse($0, now: now) }
            return .retry(after: delay, reason: "GitLab answered \(status)\(quoted)")
        case 300..<400:
            return .giveUp(reason: "GitLab answered \(status) (a redirect); set gitlab.url to the instance's final https:// address")
        default:
            return .giveUp(reason: "GitLab refused the status (\(status)\(quoted))")
        }
    }

    /// Sorts a failure to get any answer: always worth retrying, since GitLab or the network
    /// may come back; a TLS failure says how to fix it in its reason.
    public static func classify(_ failure: TransportFailure) -> DeliveryVerdict {
        switch failure {
        case .timedOut(let detail):
            return .retry(after: nil, reason: "GitLab did not answer in time: \(detail)")
        case .connectionFailed(let detail):
            return .retry(after: nil, reason: "cannot reach GitLab: \(detail)")
        case .tls(let detail):
            return .retry(after: nil, reason: "cannot establish TLS with GitLab (\(detail)); if GitLab uses a private CA, set gitlab.ca_file to its certificate")
        }
    }

    // MARK: - Reading GitLab's body

    /// GitLab's `message` (a string, or an object of field errors), else the body as text,
    /// cut to 300 characters for a log line.
    static func message(in body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        struct Text: Decodable { var message: String }
        if let text = try? JSONDecoder().decode(Text.self, from: Data(body)) { return String(text.message.prefix(300)) }
        struct Other: Decodable { var error: String }
        if let other = try? JSONDecoder().decode(Other.self, from: Data(body)) { return String(other.error.prefix(300)) }
        let raw = String(decoding: body.prefix(300), as: UTF8.self)
        return raw.filter { !$0.isNewline }
    }

    /// `pipeline_id` of a created status (GitLab 16.3+, gitlab-org/gitlab!127559).
    static func pipelineID(in body: [UInt8]) -> Int64? {
        struct Created: Decodable { var pipeline_id: Int64? }
        return (try? JSONDecoder().decode(Created.self, from: Data(body)))?.pipeline_id
    }

    /// The state after `from :` in `Cannot transition status via :run from :running (…)`.
    static func fromState(in message: String) -> String? {
        guard let marker = message.firstRange(of: " from :") else { return nil }
        let name = message[marker.upperBound...].prefix { $0.isLetter || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }
}
