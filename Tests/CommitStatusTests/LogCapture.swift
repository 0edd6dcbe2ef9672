// slipway — commit status tests
// SPDX-License-Identifier: Apache-2.0

import Logging
import Synchronization

/// Keeps every log record in memory, rendered as text (message and metadata), so tests can
/// look for a line, or make sure a secret is in none.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]

        /// The record as one line, as a log file would hold it.
        var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let storage = Mutex<[Record]>([])

    var records: [Record] { self.storage.withLock { $0 } }

    /// A logger at trace level that writes here.
    var logger: Logger {
        Logger(label: "slipway.test") { _ in Handler(capture: self) }
    }

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
