// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials
import Jobs
import Testing

@Suite("job state machine")
struct JobStateMachineTests {
    static let events: [JobEvent] = [
        .enqueue, .start, .succeed, .fail(.scriptFailure, exitCode: 1), .cancel(.canceledByUser), .skip, .requeue,
    ]

    /// Every (status, event) pair and the status it must lead to; `nil` means refused.
    static let expected: [JobStatus: [JobStatus?]] = [
        //          enqueue   start     succeed   fail     cancel     skip      requeue
        .created: [.pending, nil, nil, .failed, .canceled, .skipped, nil],
        .pending: [nil, .running, nil, .failed, .canceled, .skipped, .pending],
        .running: [nil, nil, .success, .failed, .canceled, nil, nil],
        .success: [nil, nil, nil, nil, nil, nil, nil],
        .failed: [nil, nil, nil, nil, nil, nil, nil],
        .canceled: [nil, nil, nil, nil, nil, nil, nil],
        .skipped: [nil, nil, nil, nil, nil, nil, nil],
    ]

    @Test(arguments: JobStatus.allCases)
    func everyTransitionIsDecided(_ status: JobStatus) {
        for (index, event) in Self.events.enumerated() {
            let outcome = status.applying(event)
            switch (outcome, Self.expected[status]![index]) {
            case (.success(let next), let expected?):
                #expect(next == expected, "\(status) + \(event)")
            case (.failure(let error), nil):
                #expect(error.from == status)
                #expect("\(error)".contains(status.rawValue))
            case (let outcome, let expected):
                Issue.record("\(status) + \(event): got \(outcome), expected \(String(describing: expected))")
            }
        }
    }

    @Test func finishedStatusesAreFinal() {
        #expect(JobStatus.allCases.filter(\.isFinished) == [.success, .failed, .canceled, .skipped])
    }

    @Test func applyingSetsTimestampsAndOutcome() throws {
        let created = Date(timeIntervalSince1970: 1000)
        var job = Job(id: JobID(1), specification: JobSpecification(name: "j", image: "i", script: ["true"]), status: .pending, createdAt: created)
        try job.apply(.start, at: Date(timeIntervalSince1970: 1010)).get()
        #expect(job.status == .running)
        #expect(job.queuedDuration(now: Date(timeIntervalSince1970: 2000)) == 10)
        try job.apply(.fail(.scriptFailure, exitCode: 3), at: Date(timeIntervalSince1970: 1015)).get()
        #expect(job.status == .failed)
        #expect(job.exitCode == 3)
        #expect(job.failureReason == .scriptFailure)
        #expect(job.duration(now: Date(timeIntervalSince1970: 9999)) == 5)
        #expect(throws: IllegalTransition.self) { try job.apply(.succeed, at: Date()).get() }
    }

    @Test(arguments: ["1", "42", "9007199254740993", "999999999999999999"])
    func parsesJobIDs(_ text: String) {
        #expect(JobID(text)?.description == text)
        #expect(JobID(Substring(text))?.description == text)
    }

    @Test func parsesLeadingZerosAsTheNumber() {
        #expect(JobID("0012") == JobID(12))
    }

    @Test(arguments: ["", "0", "000", "-1", "+1", "1.0", "abc", "1 ", " 1", "1/", "٣", "1000000000000000000", "99999999999999999999", "0x10"])
    func rejectsInvalidJobIDs(_ text: String) {
        #expect(JobID(text) == nil)
    }
}
