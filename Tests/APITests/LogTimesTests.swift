// slipway — API tests
// SPDX-License-Identifier: Apache-2.0

@testable import API
import Jobs
import Testing

/// Which entries of a log's times index a `log` event carries.
@Suite("log times in log events")
struct LogTimesTests {
    static let times = LogTimes([LogTime(offset: 0, unixMilliseconds: 1000), LogTime(offset: 100, unixMilliseconds: 2000),
                                 LogTime(offset: 250, unixMilliseconds: 3000)])

    @Test(arguments: [
        (0..<50, [0]), (0..<100, [0]), (0..<101, [0, 100]), (50..<300, [0, 100, 250]), (100..<120, [100]),
        (120..<250, [100]), (260..<400, [250]), (250..<251, [250]),
    ] as [(Range<Int>, [Int])])
    func eventsCarryTheEntryBeforeThemAndThoseInside(range: Range<Int>, offsets: [Int]) {
        #expect(Self.times.covering(range).map(\.offset) == offsets)
    }

    @Test func anEventWithTimesIsOneJSONObject() {
        let event = String(decoding: JobsAPI.logEvent(Array("a\nb".utf8)[...], from: 120, endingAt: 123, times: Self.times), as: UTF8.self)
        #expect(event == "id: 123\nevent: log\ndata: {\"text\":\"a\\nb\",\"times\":[[100,2000]]}\n\n")
        #expect(LogTimes([]).covering(0..<10).isEmpty)
    }
}
