// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// Reads GitLab's human durations (`timeout: 1h 30m`, `3 hours`, `90 minutes`, `2h30m`, `600`).
enum CIDuration {
    /// The duration, or `nil` if `text` is not one. A bare number is seconds.
    static func parse(_ text: String) -> Duration? {
        let characters = Array(text.lowercased())
        var index = 0
        var total: Int64 = 0
        var sawComponent = false
        func skipSeparators() {
            while index < characters.count, characters[index] == " " || characters[index] == "," || characters[index] == "\t" { index += 1 }
        }
        skipSeparators()
        // "and" may join components, as ChronicDuration allows ("1 hour and 30 minutes").
        while index < characters.count {
            var digits = ""
            while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                digits.append(characters[index])
                index += 1
            }
            guard let amount = Int64(digits) else { return nil }
            skipSeparators()
            var unit = ""
            while index < characters.count, characters[index].isASCII, characters[index].isLetter {
                unit.append(characters[index])
                index += 1
            }
            let seconds: Int64
            switch unit {
            case "", "s", "sec", "secs", "second", "seconds": seconds = 1
            case "m", "min", "mins", "minute", "minutes": seconds = 60
            case "h", "hr", "hrs", "hour", "hours": seconds = 3600
            case "d", "day", "days": seconds = 86400
            case "w", "week", "weeks": seconds = 604_800
            default: return nil
            }
            let (product, overflow) = amount.multipliedReportingOverflow(by: seconds)
            guard !overflow else { return nil }
            total += product
            sawComponent = true
            skipSeparators()
            if characters[index...].starts(with: Array("and ")) { index += 4; skipSeparators() }
        }
        return sawComponent && total > 0 ? .seconds(total) : nil
    }
}
