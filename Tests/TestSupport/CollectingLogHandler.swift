// slipway — test support
// SPDX-License-Identifier: Apache-2.0

import Logging
import Synchronization

/// Every log line a server wrote, to check what it never writes (token values).
public final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    public init() {}
    public func append(_ line: String) { self.lines.withLock { $0.append(line) } }
    public var all: [String] { self.lines.withLock { $0 } }
}

/// A log handler writing each record, with its metadata, as one line into ``LogLines``.
public struct CollectingLogHandler: LogHandler {
    public let lines: LogLines
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(lines: LogLines) { self.lines = lines }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        self.lines.append("\(event.level) \(event.message) \(merged.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))")
    }
}
