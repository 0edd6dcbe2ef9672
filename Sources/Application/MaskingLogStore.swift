// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Jobs
import Synchronization

/// A ``LogStore`` that replaces the values of masked project variables with `[MASKED]` before
/// anything is written, so no reader of a log — API, CLI, the file on disk — ever sees them.
///
/// The secrets of a job are looked up once, at its first append (a pipeline job's project's
/// masked variables); jobs without any pass straight through.
final class MaskingLogStore: LogStore {
    private let base: any LogStore
    private let secrets: @Sendable (JobID) async -> [String]
    /// Per job: its masker, or `nil` when it has nothing to mask. Dropped when the log finishes.
    private let maskers = Mutex<[JobID: LogMasker?]>([:])

    /// - Parameter secrets: the values to mask in job `id`'s log.
    init(base: any LogStore, secrets: @escaping @Sendable (JobID) async -> [String]) {
        self.base = base
        self.secrets = secrets
    }

    func append(_ bytes: [UInt8], to id: JobID) async {
        guard let known = self.maskers.withLock({ $0[id] }) else {
            // First output of this job: learn its secrets, then mask.
            let secrets = await self.secrets(id)
            let masker = secrets.isEmpty ? nil : LogMasker(secrets: secrets)
            self.maskers.withLock { if $0[id] == nil { $0[id] = .some(masker) } }
            return await self.append(bytes, to: id)
        }
        guard known != nil else { return await self.base.append(bytes, to: id) }
        // Appends of one job come from one task in order, so mask-then-write keeps the order.
        let masked = self.maskers.withLock { maskers -> [UInt8] in
            guard var masker = maskers[id] ?? nil else { return bytes }
            let output = masker.mask(bytes)
            maskers[id] = .some(masker)
            return output
        }
        if !masked.isEmpty { await self.base.append(masked, to: id) }
    }

    func appendNote(_ text: String, to id: JobID) async {
        await self.flush(id)
        await self.base.appendNote(text, to: id)
    }

    func outputBytes(of id: JobID) async -> Int {
        await self.base.outputBytes(of: id)
    }

    func finish(_ id: JobID) async {
        await self.flush(id)
        self.maskers.withLock { $0[id] = nil }
        await self.base.finish(id)
    }

    func read(_ id: JobID, from offset: Int, maximum: Int) async throws -> LogChunk {
        try await self.base.read(id, from: offset, maximum: maximum)
    }

    func times(of id: JobID) async throws -> [LogTime] {
        try await self.base.times(of: id)
    }

    func isFinished(_ id: JobID) -> Bool? {
        self.base.isFinished(id)
    }

    func waitForAppend(to id: JobID, after offset: Int, timeout: Duration) async {
        await self.base.waitForAppend(to: id, after: offset, timeout: timeout)
    }

    /// Writes what the masker holds back (the start of a possible secret), masked.
    private func flush(_ id: JobID) async {
        let rest = self.maskers.withLock { maskers -> [UInt8] in
            guard var masker = maskers[id] ?? nil else { return [] }
            let output = masker.finish()
            maskers[id] = .some(masker)
            return output
        }
        if !rest.isEmpty { await self.base.append(rest, to: id) }
    }
}
