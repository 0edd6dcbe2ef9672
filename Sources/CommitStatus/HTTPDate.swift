// slipway — CommitStatus
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// Parses an HTTP-date (RFC 9110 §5.6.7), all three forms a recipient must accept:
/// - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` (what servers send),
/// - the obsolete RFC 850 form `Sunday, 06-Nov-94 08:49:37 GMT`,
/// - and ANSI C's asctime form `Sun Nov  6 08:49:37 1994`.
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        let day: Int, month: Int, year: Int, time: Substring
        if words.count == 6, words[0].hasSuffix(","), words[5] == "GMT" {
            // IMF-fixdate: day-name "," SP day SP month SP year SP time SP "GMT"
            guard let d = Int(words[1]), let m = Self.month(words[2]), let y = Int(words[3]), words[3].count == 4 else { return nil }
            (day, month, year, time) = (d, m, y, words[4])
        } else if words.count == 4, words[0].hasSuffix(","), words[3] == "GMT" {
            // RFC 850: day-name "," SP dd-mon-yy SP time SP "GMT"; two-digit years are read
            // as within 50 years of now in RFC 9110; 19xx/20xx split at 70 is close enough.
            let parts = words[1].split(separator: "-")
            guard parts.count == 3, let d = Int(parts[0]), let m = Self.month(parts[1]), let yy = Int(parts[2]), parts[2].count == 2 else { return nil }
            (day, month, year, time) = (d, m, yy < 70 ? 2000 + yy : 1900 + yy, words[2])
        } else if words.count == 5, !words[0].hasSuffix(",") {
            // asctime: day-name SP month SP day SP time SP year
            guard let m = Self.month(words[1]), let d = Int(words[2]), let y = Int(words[4]) else { return nil }
            (day, month, year, time) = (d, m, y, words[3])
        } else {
            return nil
        }
        let clock = time.split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func month(_ name: Substring) -> Int? {
        self.months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`, http://howardhinnant.github.io/date_algorithms.html).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
