// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import Jobs

/// How a status looks: an icon, a word and a colour, never the colour alone. The same table is
/// in the script (`slipway.js`, `STATUS`), which redraws statuses as events arrive.
enum StatusPresentation {
    /// The word shown for a job or pipeline status (GitLab's words).
    static func label(_ status: String) -> String {
        switch status {
        case "success": "passed"
        case "failed": "failed"
        case "running": "running"
        case "pending": "pending"
        case "created": "created"
        case "canceled": "canceled"
        case "skipped": "skipped"
        default: status
        }
    }

    /// A symbol that tells the status apart without colour.
    static func icon(_ status: String) -> StaticString {
        switch status {
        case "success": "✓"
        case "failed": "✗"
        case "running": "▶"
        case "pending": "…"
        case "created": "○"
        case "canceled": "⊘"
        case "skipped": "»"
        default: "?"
        }
    }

    /// `<span class="status status-…" data-status="…">icon word</span>`.
    static func badge(_ status: String, into html: inout HTML) {
        html.raw("<span class=\"status\"")
        html.attribute("data-status", status)
        html.raw("><span class=\"icon\" aria-hidden=\"true\">")
        html.raw(self.icon(status))
        html.raw("</span> <span class=\"word\">")
        html.text(self.label(status))
        html.raw("</span></span>")
    }

    /// Why a job failed, in plain words.
    static func explain(_ reason: FailureReason?, exitCode: Int32?) -> String? {
        switch reason {
        case nil: return nil
        case .scriptFailure: return "The script failed: a command exited with status \(exitCode.map(String.init) ?? "other than 0")."
        case .jobExecutionTimeout: return "The job ran past its timeout and was stopped."
        case .runnerSystemFailure: return "slipway or its Docker engine failed; this is not the job's fault. Retrying usually helps."
        case .canceledByUser: return "Someone canceled it."
        case .imageNotFound: return "The job's image does not exist on the Docker engine."
        case .configError: return "The pipeline configuration is invalid."
        case .autoCanceled: return "A newer pipeline for the same ref superseded it."
        case .unknownFailure: return "It failed for a reason slipway does not know."
        }
    }

    /// `1 h 2 min`, `3 min 4 s`, `5.2 s`.
    static func duration(_ seconds: Double) -> String {
        let seconds = max(0, seconds)
        if seconds < 10 { return "\((seconds * 10).rounded() / 10) s" }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole / 60 % 60) min"
    }
}
