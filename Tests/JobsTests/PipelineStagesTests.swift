// slipway — Jobs tests
// SPDX-License-Identifier: Apache-2.0

import Jobs
import Testing

/// The stage rules, as pure functions of the jobs' states.
@Suite("pipeline stages")
struct PipelineStagesTests {
    func job(_ id: Int64, stage: Int, _ status: JobStatus = .created, when: StagedJob.When = .onSuccess, allowFailure: Bool = false,
             interruptible: Bool = false) -> StagedJob {
        StagedJob(id: JobID(id), stageIndex: stage, when: when, allowFailure: allowFailure, interruptible: interruptible, status: status)
    }

    @Test func theFirstStageStartsAllItsJobsAndNothingElse() {
        let step = PipelineStages.next([self.job(1, stage: 0), self.job(2, stage: 0), self.job(3, stage: 1)])
        #expect(step == .init(enqueue: [JobID(1), JobID(2)]))
    }

    @Test func aStageWaitsForEveryJobOfTheOneBefore() {
        #expect(PipelineStages.next([self.job(1, stage: 0, .success), self.job(2, stage: 0, .running), self.job(3, stage: 1)]).isEmpty)
        #expect(PipelineStages.next([self.job(1, stage: 0, .success), self.job(2, stage: 0, .success), self.job(3, stage: 1)])
            == .init(enqueue: [JobID(3)]))
    }

    @Test func aFailureSkipsOnSuccessJobsAndRunsAlwaysAndOnFailureOnes() {
        let step = PipelineStages.next([
            self.job(1, stage: 0, .failed), self.job(2, stage: 1), self.job(3, stage: 2, when: .always),
            self.job(4, stage: 2, when: .onFailure), self.job(5, stage: 2),
        ])
        #expect(step == .init(enqueue: [JobID(3), JobID(4)], skip: [JobID(2), JobID(5)]))
    }

    @Test func anAllowedFailureDoesNotCount() {
        let step = PipelineStages.next([self.job(1, stage: 0, .failed, allowFailure: true), self.job(2, stage: 1), self.job(3, stage: 1, when: .onFailure)])
        #expect(step == .init(enqueue: [JobID(2)], skip: [JobID(3)]))
    }

    @Test func autoCancelNeedsEveryRunningJobInterruptible() {
        #expect(PipelineStages.isAutoCancelable([self.job(1, stage: 0, .running, interruptible: true), self.job(2, stage: 1)]))
        #expect(!PipelineStages.isAutoCancelable([self.job(1, stage: 0, .running), self.job(2, stage: 1)]))
        #expect(PipelineStages.isAutoCancelable([self.job(1, stage: 0, .success), self.job(2, stage: 1, .pending)]))
        #expect(!PipelineStages.isAutoCancelable([self.job(1, stage: 0, .success)]))
    }

    @Test func allowedFailuresCountAsSuccessInThePipelineStatus() {
        var pipeline = Pipeline(id: 1, project: "g/a", ref: "main", createdAt: .now)
        let spec = JobSpecification(name: "x", image: "i", script: ["true"])
        let failed = Job(id: JobID(1), specification: spec, status: .failed, createdAt: .now)
        let passed = Job(id: JobID(2), specification: spec, status: .success, createdAt: .now)
        #expect(pipeline.status(of: [failed, passed]) == .failed)
        pipeline.allowedFailures = [JobID(1)]
        #expect(pipeline.status(of: [failed, passed]) == .success)
        #expect(pipeline.status(of: []) == .created)
        pipeline.settledStatus = .failed
        #expect(pipeline.status(of: []) == .failed)
    }
}
