// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import CommitStatus
import FoundationEssentials
import HTTP
import Logging
import Sockets
import TLS
import Threads

extension CommitStatusReporter {
    /// Posts due entries until cancelled; sleeps until the next is due or a status arrives.
    func deliverLoop() async {
        while !Task.isCancelled {
            let due: [CommitStatusOutboxEntry]
            do {
                due = try await self.outbox.due(at: self.now(), limit: self.configuration.concurrency)
            } catch {
                self.logger.error("cannot read the commit status outbox", metadata: ["error": "\(error)"])
                await self.doorbell.wait(timeout: .seconds(5))
                continue
            }
            if due.isEmpty {
                var sleep = self.configuration.idlePoll
                if let next = try? await self.outbox.nextAttemptTime() {
                    let seconds = max(0, next.timeIntervalSince(self.now()))
                    sleep = min(sleep, .milliseconds(Int64((seconds * 1000).rounded(.up)) + 1))
                }
                await self.doorbell.wait(timeout: sleep)
                continue
            }
            // One entry per stream at most, so posting them together keeps each stream's order.
            let recorded = await withTaskGroup(of: Bool.self) { group in
                for entry in due {
                    group.addTask { await self.deliver(entry) }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            // The outbox takes no writes (disk full, store closing): the same entries would be
            // due again at once, so pause instead of posting them in a tight loop.
            if recorded == 0, !Task.isCancelled {
                await self.doorbell.wait(timeout: .seconds(1))
            }
        }
    }

    /// One attempt at `entry`, and its outcome recorded.
    /// - Returns: whether the outcome was recorded in the outbox.
    @discardableResult
    func deliver(_ entry: CommitStatusOutboxEntry) async -> Bool {
        let update = entry.update
        let target = update.target
        var metadata: Logger.Metadata = [
            "project": "\(target.projectID)", "sha": "\(target.sha)", "ref": "\(target.ref)", "name": "\(target.name)",
            "state": "\(update.state.rawValue)", "outbox_id": "\(entry.id)",
        ]
        let started = self.now()
        let policy = self.configuration.retry
        if policy.isExpired(enqueuedAt: entry.enqueuedAt, now: started) {
            let last = entry.lastError.map { "; last error: \($0)" } ?? ""
            return await self.giveUp(entry, reason: "not delivered within status.give_up_after (\(DurationParsing.format(policy.giveUpAfter))) after \(entry.attempts) attempts\(last)", attempted: false, metadata: metadata)
        }
        guard let token = self.configuration.credentials.token(for: target) else {
            return await self.giveUp(entry, reason: "no GitLab token for project \(target.projectID); set gitlab.status_token, or projects[].status_token for this project", attempted: false, metadata: metadata)
        }
        let verdict: DeliveryVerdict
        do {
            verdict = try await self.post(update, learnedPipelineID: entry.learnedPipelineID, token: token, at: started)
        } catch {
            // Only a target that cannot be posted at all lands here.
            return await self.giveUp(entry, reason: Self.scrub(error.message, token), attempted: false, metadata: metadata)
        }
        // Stopping mid-request: the attempt's outcome is unknown, so the entry stays due for
        // the next start. An answer that did arrive is recorded (a terminal state posted
        // twice would show twice on GitLab).
        if Task.isCancelled, case .retry = verdict { return false }
        let finished = self.now()
        metadata["attempt"] = "\(entry.attempts + 1)"
        do {
            switch verdict {
            case .delivered(let pipelineID):
                try await self.outbox.markDelivered(entry.id, outcome: .delivered, pipelineID: pipelineID, at: finished)
                if let pipelineID { metadata["pipeline_id"] = "\(pipelineID)" }
                self.logger.info("commit status delivered", metadata: metadata)
            case .alreadyThere:
                try await self.outbox.markDelivered(entry.id, outcome: .alreadyThere, pipelineID: nil, at: finished)
                self.logger.info("commit status already set on GitLab", metadata: metadata)
            case .retry(let retryAfter, let reason):
                let reason = Self.scrub(reason, token)
                switch policy.decide(afterAttempt: entry.attempts + 1, enqueuedAt: entry.enqueuedAt, now: finished, retryAfter: retryAfter, random: self.random()) {
                case .retry(let next):
                    try await self.outbox.markFailed(entry.id, error: reason, nextAttempt: next)
                    metadata["error"] = "\(reason)"
                    metadata["retry_in"] = "\(DurationParsing.format(.milliseconds(Int64(next.timeIntervalSince(finished) * 1000))))"
                    if let retryAfter { metadata["retry_after"] = "\(DurationParsing.format(retryAfter))" }
                    self.logger.warning("commit status not delivered; will retry", metadata: metadata)
                case .giveUp:
                    return await self.giveUp(entry, reason: "not delivered within status.give_up_after (\(DurationParsing.format(policy.giveUpAfter))) after \(entry.attempts + 1) attempts; last error: \(reason)", attempted: true, metadata: metadata)
                }
            case .giveUp(let reason):
                return await self.giveUp(entry, reason: Self.scrub(reason, token), attempted: true, metadata: metadata)
            }
            return true
        } catch {
            self.logger.error("cannot record a commit status delivery in the outbox", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return false
        }
    }

    private func giveUp(_ entry: CommitStatusOutboxEntry, reason: String, attempted: Bool, metadata: Logger.Metadata) async -> Bool {
        var metadata = metadata
        metadata["reason"] = "\(reason)"
        self.logger.error("gave up on a commit status", metadata: metadata)
        do {
            try await self.outbox.markGivenUp(entry.id, reason: reason, attempted: attempted, at: self.now())
            return true
        } catch {
            metadata["error"] = "\(error)"
            self.logger.error("cannot record a given-up commit status in the outbox", metadata: metadata)
            return false
        }
    }

    /// Sends one POST and sorts the answer (or the failure to get one).
    /// - Throws: ``CommitStatusError`` when the update cannot become a request.
    private func post(_ update: CommitStatusUpdate, learnedPipelineID: Int64?, token: GitLabToken, at now: Date) async throws(CommitStatusError) -> DeliveryVerdict {
        let request = try CommitStatusRequest(update, pipelineID: learnedPipelineID)
        let client: HTTPClient
        do {
            client = try await self.client(for: request.origin)
        } catch {
            return .retry(after: nil, reason: "cannot make a client for \(request.origin): \(error)")
        }
        var fields = HTTPFields(request.fields.map { HTTPFields.Field(name: $0.name, value: $0.value) })
        fields.append(name: CommitStatusRequest.tokenField, value: token.value)
        do {
            let (head, body) = try await client.collect(
                HTTPClientRequest(method: .post, target: request.target, fields: fields, body: .bytes(request.body)),
                limit: 256 * 1024, headTimeout: self.configuration.requestTimeout)
            return DeliveryVerdict.classify(status: head.status.code, retryAfter: head.fields["retry-after"], body: body, for: update, now: now)
        } catch let error as HTTPClientError {
            let detail = "\(error)"
            switch error.code {
            case .timedOut: return .classify(.timedOut(detail))
            case .tls: return .classify(.tls(detail))
            default: return .classify(.connectionFailed(detail))
            }
        } catch {
            return .classify(.connectionFailed("\(error)"))
        }
    }

    /// The client for `origin`, made on first use, on a thread of its own: for HTTPS that
    /// loads the CA store, a few hundred files, which is no work for the cooperative pool.
    func client(for origin: String) async throws -> HTTPClient {
        if let client = self.clients.withLock({ $0[origin] }) { return client }
        var configuration = HTTPClient.Configuration()
        configuration.connectTimeout = min(configuration.connectTimeout, self.configuration.requestTimeout)
        configuration.headTimeout = self.configuration.requestTimeout
        configuration.maxIdleConnections = 4
        let (tls, group) = (self.configuration.tls, self.group)
        let client = try await NamedThread.run(name: "https-setup") { [configuration] in try HTTPClient(url: origin, tls: tls, group: group, configuration: configuration) }
        return self.clients.withLock { clients in
            if let existing = clients[origin] { return existing }
            clients[origin] = client
            return client
        }
    }

    /// `text` with the token cut out: GitLab (or a proxy in front of it) might echo a header
    /// back in an error body, and that text goes to the log and the outbox.
    static func scrub(_ text: String, _ token: GitLabToken) -> String {
        text.replacing(token.value, with: "<redacted>")
    }
}
