// slipway — Jobs
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// GitLab's collapsible job log sections: a line that opens a section with its header, and one
/// that closes it, each with the Unix time, so a log viewer folds the lines between them and
/// shows how long they took.
///
/// ```
/// \e[0Ksection_start:1700000000:docker_daemon\r\e[0KStarting the job's Docker daemon
/// …
/// \e[0Ksection_end:1700000004:docker_daemon\r\e[0K
/// ```
/// In a terminal `\r\e[0K` erases the marker, leaving only the header. Names are
/// `[A-Za-z0-9_.-]+`, as GitLab's log parser reads them.
public enum LogSection {
    /// The marker that opens section `name` with `header` at `unixTime`.
    public static func start(_ name: String, header: String, at unixTime: Int64, collapsed: Bool = false) -> String {
        "\u{1B}[0Ksection_start:\(unixTime):\(name)\(collapsed ? "[collapsed=true]" : "")\r\u{1B}[0K\(header)"
    }

    /// The marker that closes section `name` at `unixTime`.
    public static func end(_ name: String, at unixTime: Int64) -> String {
        "\u{1B}[0Ksection_end:\(unixTime):\(name)\r\u{1B}[0K"
    }

    /// The shell commands that print ``start(_:header:at:collapsed:)`` and ``end(_:at:)`` with
    /// the container's clock (`date +%s`; an image without `date` prints markers without a
    /// time, which viewers show without a duration).
    static func shellStart(_ name: String, header: String) -> String {
        "printf '\\033[0Ksection_start:%s:\(name)\\r\\033[0K%s\\n' \"$(date +%s 2>/dev/null)\" \(JobScript.quote(header))"
    }

    static func shellEnd(_ name: String) -> String {
        "printf '\\033[0Ksection_end:%s:\(name)\\r\\033[0K\\n' \"$(date +%s 2>/dev/null)\""
    }

    /// The current Unix time in whole seconds.
    static var now: Int64 { Int64(Date().timeIntervalSince1970.rounded(.down)) }
}

extension JobExecution {
    /// Runs `body` in a section of slipway's own steps, opened and closed by notes (so that, like
    /// every note, the markers are not counted as the container's output on a resume).
    func section<Result: Sendable>(_ name: String, _ header: String, _ body: () async -> Result) async -> Result {
        await self.note(LogSection.start(name, header: header, at: LogSection.now))
        let result = await body()
        await self.note(LogSection.end(name, at: LogSection.now))
        return result
    }
}
