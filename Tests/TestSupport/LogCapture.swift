// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import Logging
import Synchronization

/// Keeps every log record in memory, so tests can look for a line or make sure a secret is in
/// none.
public final class LogCapture: Sendable {
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]

        /// The record as one line, as a log file would hold it.
        public var text: String {
            ([self.message] + self.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let storage = Mutex<[Record]>([])

    public init() {}

    public var records: [Record] { self.storage.withLock { $0 } }

    /// Every record as `level message key=value…`.
    public var lines: [String] { self.records.map { "\($0.level) \($0.text)" } }

    /// A logger at `level` that writes here.
    public func logger(label: String = "slipway.test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    public var logger: Logger { self.logger() }

    /// A handler for `LoggingSystem`-style factories.
    public func handler() -> any LogHandler { Handler(capture: self) }

    fileprivate func append(_ record: Record) {
        self.storage.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
            self.capture.append(Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
