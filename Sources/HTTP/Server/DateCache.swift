// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// The `Date:` header line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once a second.
/// Each event loop owns one; it is not shared between threads.
final class DateCache {
    private var second: Int = -1
    private var line: [UInt8] = []

    /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n` for the current second.
    func headerLine() -> [UInt8] {
        var now = time(nil)
        if now != self.second {
            self.second = now
            var parts = tm()
            gmtime_r(&now, &parts)
            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let text = "Date: \(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT\r\n"
            self.line = Array(text.utf8)
        }
        return self.line
    }

    /// The field value alone (`Sun, 06 Nov 1994 08:49:37 GMT`), for HTTP/2 heads.
    func value() -> ArraySlice<UInt8> {
        let line = self.headerLine()
        return line[6..<(line.count - 2)]
    }
}
