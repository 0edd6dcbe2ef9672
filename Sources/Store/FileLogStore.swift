// slipway — Store
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Jobs
import Synchronization
import SystemCalls
import Threads

/// Job logs as files (`<directory>/<id>.log`), appended as output arrives and readable — and
/// followable — while the job runs.
///
/// Each job's log is capped at `outputLimit` bytes: past it, one line says the log was
/// truncated and further output is dropped (the job itself keeps running).
public final class FileLogStore: LogStore, Sendable {
    public let directory: String
    public let outputLimit: Int
    private let io: BlockingExecutor
    private let states = Mutex<[JobID: LogState]>([:])
    private let nextWaiterID = Atomic<UInt64>(1)

    private struct LogState {
        var descriptor: CInt = -1
        var size: Int = 0
        var truncated = false
        var finished = false
        /// Bytes of job output appended (dropped ones included); `nil` until known, e.g.
        /// after a restart, when ``outputBytes(of:)`` counts them from the file.
        var outputBytes: Int?
        /// Whether the file ends with a newline (or is empty), so a note starts a line.
        var atLineStart = true
        /// The wall-clock second of the last entry in the times file (`<id>.times`).
        var timedSecond: Int64?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    public init(directory: String, outputLimit: Int) throws {
        self.directory = directory
        self.outputLimit = outputLimit
        self.io = BlockingExecutor(name: "slipway-logs")
        do {
            try Posix.mkdir(directory, mode: 0o755)
        } catch {
            throw StoreError(.io, "cannot create the log directory \(directory)", cause: error)
        }
    }

    deinit {
        for state in self.states.withLock({ Array($0.values) }) where state.descriptor >= 0 { Posix.close(state.descriptor) }
        self.io.stop()
    }

    public func path(for id: JobID) -> String { "\(self.directory)/\(id).log" }

    /// `<id>.times`: lines of `offset unix-milliseconds`, one wherever the second changed
    /// between two appends (see ``times(of:)``).
    public func timesPath(for id: JobID) -> String { "\(self.directory)/\(id).times" }

    // MARK: - Writing

    public func append(_ bytes: [UInt8], to id: JobID) async {
        guard !bytes.isEmpty else { return }
        await self.write(id) { state in
            state.outputBytes? += bytes.count
            guard !state.truncated else { return nil }
            let room = self.outputLimit - state.size
            if bytes.count <= room { return bytes }
            state.truncated = true
            var kept = Array(bytes.prefix(max(0, room)))
            if kept.last != UInt8(ascii: "\n") && !kept.isEmpty { kept.append(UInt8(ascii: "\n")) }
            kept.append(contentsOf: "\(Self.notePrefix)the job log reached its limit of \(self.outputLimit) bytes (workers.output_limit); further output is truncated\n".utf8)
            return kept
        }
    }

    public func appendNote(_ text: String, to id: JobID) async {
        await self.write(id) { state in
            // A note always starts a line of its own, so it can be told from output.
            var line = Array("\(state.atLineStart ? "" : "\n")\(Self.notePrefix)\(text)\n".utf8)
            // Notes go in even past the limit (they explain what happened), but only a few.
            if state.truncated && state.size > self.outputLimit + 64 * 1024 { line = [] }
            return line.isEmpty ? nil : line
        }
    }

    public func finish(_ id: JobID) async {
        let waiters = self.states.withLock { states -> [CheckedContinuation<Void, Never>] in
            var state = states[id] ?? LogState()
            state.finished = true
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            let descriptor = state.descriptor
            state.descriptor = -1
            if descriptor >= 0 { Posix.close(descriptor) }
            states[id] = state
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How slipway's own lines in a log begin.
    static let notePrefix = "[slipway] "

    /// Bytes of output job `id` has produced so far, to resume following its container without
    /// repeating any. After a restart they are counted from the file: every byte that is not
    /// in one of slipway's note lines (`Int.max` once the log was truncated: nothing more is
    /// kept anyway).
    public func outputBytes(of id: JobID) async -> Int {
        if let known = self.states.withLock({ $0[id]?.outputBytes }) { return known }
        let path = self.path(for: id)
        let counted = await self.io.run { () -> Int in
            // A log that cannot be read counts as empty: following its job repeats output
            // rather than losing it.
            (try? Self.readWholeFile(path)).map { Self.countOutputBytes(in: $0) } ?? 0
        }
        return self.states.withLock { states in
            var state = states[id] ?? LogState()
            if state.outputBytes == nil {
                state.outputBytes = counted
                states[id] = state
            }
            return state.outputBytes ?? counted
        }
    }

    /// The bytes of `log` outside note lines; `Int.max` if it holds the truncation note.
    ///
    /// Inexact in two rare cases, by design: output lines that themselves begin with the note
    /// prefix are not counted, and the newline a note adds after output that lacked one is.
    static func countOutputBytes(in log: [UInt8]) -> Int {
        let prefix = Array(self.notePrefix.utf8)
        let truncation = Array("(workers.output_limit); further output is truncated".utf8)
        var output = 0
        var lineStart = 0
        while lineStart < log.count {
            let end = log[lineStart...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? log.count
            let line = log[lineStart..<end]
            if line.starts(with: prefix) {
                if line.firstRange(of: truncation) != nil { return Int.max }
            } else {
                output += line.count
            }
            lineStart = end
        }
        return output
    }

    private static func lastByte(of descriptor: CInt, size: Int) -> UInt8? {
        var byte: UInt8 = 0
        let count = withUnsafeMutableBytes(of: &byte) { raw in Result { () throws(SystemError) in try Posix.pread(descriptor, into: raw, at: size - 1) } }
        return (try? count.get()) == 1 ? byte : nil
    }

    /// Every byte of the file at `path`; empty when there is none.
    private static func readWholeFile(_ path: String) throws(SystemError) -> [UInt8] {
        do {
            return try Posix.readFile(path)
        } catch where error.errno == ENOENT {
            return []
        }
    }

    /// Decides what to write under the lock (so the cap is exact), writes on the I/O thread,
    /// then wakes followers.
    private func write(_ id: JobID, _ decide: @escaping @Sendable (inout LogState) -> [UInt8]?) async {
        let path = self.path(for: id)
        let timesPath = self.timesPath(for: id)
        await self.io.run {
            let (bytes, descriptor, timeEntry) = self.states.withLock { states -> ([UInt8]?, CInt, [UInt8]?) in
                var state = states[id] ?? LogState()
                if state.descriptor < 0 {
                    // Read and write: the last byte of an earlier process's log is read back (pread).
                    state.descriptor = (try? Posix.open(path, flags: O_RDWR | O_CREAT | O_APPEND, mode: 0o644)) ?? -1
                    if state.descriptor >= 0, let info = try? Posix.fstat(state.descriptor) {
                        if info.st_size == 0 {
                            state.outputBytes = state.outputBytes ?? 0
                        } else if state.size == 0 {
                            // A log from an earlier process: its output is counted on demand.
                            state.size = Int(info.st_size)
                            state.truncated = state.size >= self.outputLimit
                            state.atLineStart = Self.lastByte(of: state.descriptor, size: state.size) == UInt8(ascii: "\n")
                        }
                    }
                }
                let bytes = decide(&state)
                var timeEntry: [UInt8]?
                if let bytes, let last = bytes.last {
                    let milliseconds = Self.unixMilliseconds()
                    if state.timedSecond != milliseconds / 1000 {
                        state.timedSecond = milliseconds / 1000
                        timeEntry = Array("\(state.size) \(milliseconds)\n".utf8)
                    }
                    state.size += bytes.count
                    state.atLineStart = last == UInt8(ascii: "\n")
                }
                states[id] = state
                return (bytes, state.descriptor, timeEntry)
            }
            guard let bytes, descriptor >= 0 else { return }
            if let timeEntry { Self.appendTime(timeEntry, to: timesPath) }
            _ = bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try Posix.writeAll(descriptor, raw) } }
        }
        let waiters = self.states.withLock { states -> [CheckedContinuation<Void, Never>] in
            let waiters = states[id].map { Array($0.waiters.values) } ?? []
            states[id]?.waiters = [:]
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    static func unixMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Appends one entry to a times file (on the I/O thread; a lost entry only coarsens times).
    static func appendTime(_ entry: [UInt8], to path: String) {
        guard let descriptor = try? Posix.open(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o644) else { return }
        defer { Posix.close(descriptor) }
        _ = entry.withUnsafeBytes { raw in Result { () throws(SystemError) in try Posix.writeAll(descriptor, raw) } }
    }

    // MARK: - Reading

    /// When job `id`'s log bytes were written (``Jobs/LogStore/times(of:)``); empty for a log
    /// without a times file (written before it existed).
    public func times(of id: JobID) async throws -> [LogTime] {
        let path = self.timesPath(for: id)
        return try await self.io.run { () throws(SystemError) -> [LogTime] in
            Self.parseTimes(try Self.readWholeFile(path))
        }
    }

    /// The entries of a times file; a torn or malformed line is skipped.
    static func parseTimes(_ contents: [UInt8]) -> [LogTime] {
        var times: [LogTime] = []
        for line in contents.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 2, let offset = Int(String(decoding: fields[0], as: UTF8.self)),
                  let milliseconds = Int64(String(decoding: fields[1], as: UTF8.self)) else { continue }
            times.append(LogTime(offset: offset, unixMilliseconds: milliseconds))
        }
        return times
    }

    /// Up to `maximum` bytes of job `id`'s log from `offset`; empty at the current end.
    public func read(_ id: JobID, from offset: Int, maximum: Int = 1 << 20) async throws -> LogChunk {
        let path = self.path(for: id)
        return try await self.io.run { () throws(StoreError) -> LogChunk in
            do throws(SystemError) {
                let descriptor: CInt
                do throws(SystemError) {
                    descriptor = try Posix.open(path, flags: O_RDONLY)
                } catch where error.errno == ENOENT {
                    return LogChunk(bytes: [], nextOffset: offset)
                }
                defer { Posix.close(descriptor) }
                var bytes = [UInt8](repeating: 0, count: maximum)
                var total = 0
                while total < maximum {
                    let start = total
                    let count = try bytes.withUnsafeMutableBytes { raw in
                        Result { () throws(SystemError) in
                            try Posix.pread(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[start...]), at: offset + start)
                        }
                    }.get()
                    if count == 0 { break }
                    total += count
                }
                bytes.removeLast(maximum - total)
                return LogChunk(bytes: bytes, nextOffset: offset + total)
            } catch {
                throw StoreError(.io, "cannot read the log \(path)", cause: error)
            }
        }
    }

    /// Whether `finish` was called for job `id` in this process (`nil`: unknown, e.g. after a
    /// restart — ask the job's status instead).
    public func isFinished(_ id: JobID) -> Bool? {
        self.states.withLock { $0[id]?.finished }
    }

    /// Suspends until job `id`'s log grows past `offset`, is finished, or `timeout` passes.
    public func waitForAppend(to id: JobID, after offset: Int, timeout: Duration) async {
        let ready = self.states.withLock { states -> Bool in
            guard let state = states[id] else { return false }
            return state.size > offset || state.finished
        }
        if ready { return }
        let waiterID = self.nextWaiterID.wrappingAdd(1, ordering: .relaxed).oldValue
        let expiry = Task {
            try? await Task.sleep(for: timeout)
            let waiter = self.states.withLock { $0[id]?.waiters.removeValue(forKey: waiterID) }
            waiter?.resume()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = self.states.withLock { states -> Bool in
                var state = states[id] ?? LogState()
                if state.size > offset || state.finished { return true }
                state.waiters[waiterID] = continuation
                states[id] = state
                return false
            }
            if resumeNow { continuation.resume() }
        }
        expiry.cancel()
    }
}
