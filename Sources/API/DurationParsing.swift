// slipway — Application
// SPDX-License-Identifier: Apache-2.0

/// Parses durations written as in configuration files and flags: `250ms`, `10s`, `5m`, `1h`,
/// `1h30m`, or a bare number of seconds.
public enum DurationParsing {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingHTTPSpaces()
        guard !trimmed.isEmpty else { return nil }
        // Durations beyond ~30,000 years are refused rather than overflowing Int64 milliseconds.
        let limit = 1e15
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite {
            guard seconds * 1000 < limit else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        var total: Duration = .zero
        var number = ""
        var index = trimmed.startIndex
        var sawComponent = false
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = trimmed.index(after: index)
                continue
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            let milliseconds: Double
            switch unit {
            case "ms": milliseconds = value
            case "s": milliseconds = value * 1000
            case "m": milliseconds = value * 60_000
            case "h": milliseconds = value * 3_600_000
            case "d": milliseconds = value * 86_400_000
            default: return nil
            }
            guard milliseconds < limit else { return nil }
            total += .milliseconds(Int64(milliseconds.rounded()))
            guard total < .milliseconds(Int64(limit)) else { return nil }
            number = ""
            sawComponent = true
        }
        guard number.isEmpty, sawComponent else { return nil }
        return total
    }

    /// Formats a duration the way ``parse(_:)`` reads it back (`1h30m`, `250ms`).
    public static func format(_ duration: Duration) -> String {
        let totalMilliseconds = Int64(duration.components.seconds) * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if totalMilliseconds % 1000 != 0 { return "\(totalMilliseconds)ms" }
        var seconds = totalMilliseconds / 1000
        var text = ""
        if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
        if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
        if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
        return text
    }
}

extension String {
    func trimmingHTTPSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
