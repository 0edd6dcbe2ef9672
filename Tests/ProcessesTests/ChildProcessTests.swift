// slipway — child process tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Processes
import SystemCalls
import Testing
import TestSupport

@Suite("child processes")
struct ChildProcessTests {
    static func shell(_ script: String, input: ChildProcessConfiguration.Input = .null, timeout: Duration? = nil) -> ChildProcessConfiguration {
        ChildProcessConfiguration(executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"],
                                  input: input, timeout: timeout)
    }

    @Test func capturesEachStreamAndTheExitStatus() async throws {
        let outcome = try await ChildProcess.run(Self.shell("echo out; echo err >&2; exit 3"))
        #expect(outcome.termination == .exited(3))
        #expect(outcome.termination.status == 3)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "out\n")
        #expect(String(decoding: outcome.standardError, as: UTF8.self) == "err\n")
        #expect(!outcome.timedOut)
    }

    @Test func mergesStandardErrorIntoStandardOutputInOrder() async throws {
        var configuration = Self.shell("echo one; echo two >&2; echo three")
        configuration.standardError = .standardOutput
        let outcome = try await ChildProcess.run(configuration)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "one\ntwo\nthree\n")
    }

    @Test func feedsMegabytesThroughStandardInputAndBack() async throws {
        let input = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let outcome = try await ChildProcess.run(Self.shell("cat", input: .bytes(input)))
        #expect(outcome.termination == .exited(0))
        #expect(outcome.standardOutput == input)
    }

    @Test func aChildThatClosesItsInputEarlyIsNoProblem() async throws {
        let outcome = try await ChildProcess.run(Self.shell("head -c 10 >/dev/null; echo read", input: .bytes([UInt8](repeating: 1, count: 4_000_000))))
        #expect(outcome.termination == .exited(0))
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "read\n")
    }

    @Test func keepsOnlyTheCaptureLimit() async throws {
        var configuration = Self.shell("head -c 1000000 /dev/zero")
        configuration.standardOutput = .capture(limit: 1000)
        let outcome = try await ChildProcess.run(configuration)
        #expect(outcome.termination == .exited(0))
        #expect(outcome.standardOutput.count == 1000)
    }

    @Test func reportsTheSignalThatEndedIt() async throws {
        let outcome = try await ChildProcess.run(Self.shell("kill -TERM $$"))
        #expect(outcome.termination == .signaled(SIGTERM))
        #expect(outcome.termination.status == 128 + SIGTERM)
    }

    @Test func theEnvironmentIsExactlyTheOneGiven() async throws {
        let outcome = try await ChildProcess.run(ChildProcessConfiguration(
            executable: "/usr/bin/env", environment: ["ONLY": "this"]))
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "ONLY=this\n")
    }

    @Test func runsInTheGivenDirectory() async throws {
        var configuration = Self.shell("pwd")
        configuration.currentDirectory = "/usr"
        #expect(String(decoding: try await ChildProcess.run(configuration).standardOutput, as: UTF8.self) == "/usr\n")
    }

    @Test func aMissingExecutableIsNotFound() async throws {
        await #expect(throws: ChildProcessError.self) {
            _ = try await ChildProcess.run(ChildProcessConfiguration(executable: "slipway-no-such-program", environment: ["PATH": "/usr/bin:/bin"]))
        }
        do {
            _ = try await ChildProcess.run(ChildProcessConfiguration(executable: "/nonexistent/program", environment: [:]))
            Issue.record("started a program that does not exist")
        } catch {
            #expect(error.code == .notFound)
        }
        // A directory is found but cannot be executed: execve's EACCES comes back from the child.
        do {
            _ = try await ChildProcess.run(ChildProcessConfiguration(executable: "/tmp", environment: [:]))
            Issue.record("executed a directory")
        } catch {
            #expect(error.code == .notFound, "\(error)")
        }
    }

    @Test func inheritsNoDescriptorButItsThreeStreams() async throws {
        // A descriptor of ours without close-on-exec, as a careless library would open one.
        var fds: [CInt] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        // ls itself reads the directory through descriptor 3.
        let outcome = try await ChildProcess.run(ChildProcessConfiguration(executable: "/bin/ls", arguments: ["-1", "/proc/self/fd"], environment: [:]))
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "0\n1\n2\n3\n", "ours were \(fds)")
    }

    @Test func theTimeoutKillsTheWholeProcessGroup() async throws {
        let started = ContinuousClock.now
        // The grandchild holds stdout too: the run ends once the group is dead, not when its
        // pipe is closed by every holder.
        let outcome = try await ChildProcess.run(Self.shell("sleep 300 & echo $!; wait", timeout: .milliseconds(300)))
        #expect(outcome.timedOut)
        #expect(outcome.termination == .signaled(SIGKILL))
        #expect(ContinuousClock.now - started < .seconds(120), "ended by the timeout, not by the 300 s sleep")
        let grandchild = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await waitUntil("the grandchild gone") { !Self.isAlive(grandchild) }
    }

    @Test func cancellingTheRunKillsTheChild() async throws {
        let task = Task { try await ChildProcess.run(Self.shell("echo started; exec sleep 100")) }
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.termination == .signaled(SIGKILL))
    }

    @Test func whatAChildLeavesRunningInItsGroupEndsWithIt() async throws {
        let started = ContinuousClock.now
        let outcome = try await ChildProcess.run(Self.shell("sleep 300 & echo $!"))
        #expect(outcome.termination == .exited(0))
        #expect(ContinuousClock.now - started < .seconds(120), "ended with the shell, not with the 300 s sleep")
        let grandchild = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await waitUntil("the background sleep gone") { !Self.isAlive(grandchild) }
    }

    /// A grandchild in a session of its own survives the group kill and keeps the output pipe
    /// open: the run still ends once the child has exited and the pipe has gone quiet.
    @Test func aRunDoesNotWaitForADetachedGrandchildThatKeepsTheOutputOpen() async throws {
        let started = ContinuousClock.now
        // The inner shell writes its pid once it runs in its own session, then becomes the
        // sleep; the outer shell exits only after that, so the group kill cannot catch it early.
        let directory = NSTemporaryDirectory() + "slipway-setsid-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Self.shell("setsid sh -c 'echo $$ > pid.tmp && mv pid.tmp pid && exec sleep 300' & while [ ! -e pid ]; do sleep 0.01; done; cat pid")
        configuration.currentDirectory = directory
        let outcome = try await ChildProcess.run(configuration)
        #expect(outcome.termination == .exited(0))
        #expect(ContinuousClock.now - started < .seconds(120), "ended with the shell, not with the 300 s sleep")
        let grandchild = try #require(pid_t(String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.isAlive(grandchild), "in a session of its own, it was not the group's to kill")
        kill(grandchild, SIGKILL)
    }

    /// A parent killed with SIGKILL (as a crashed test run would be) takes its children along.
    @Test func aChildDiesWithItsParent() async throws {
        let probe = URL(fileURLWithPath: SlipwayProcess.executable).deletingLastPathComponent().appendingPathComponent("slipway-process-probe").path
        let result = try await ProcessRunner.run(probe, ["orphan"])
        #expect(result.status == 128 + SIGKILL, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("CHILD ") }, "\(result.stdout)")
        let child = try #require(pid_t(line.dropFirst("CHILD ".count)))
        try await waitUntil("the orphaned child of a killed parent gone") { !Self.isAlive(child) }
    }

    /// 64 children started at once from 8 tasks while other tasks open and close descriptors:
    /// every child gets its own streams and status, and none inherits another's pipe (which
    /// would keep a stream open and hang its reader).
    @Test func sixtyFourConcurrentChildrenWhileDescriptorsChurn() async throws {
        let churning = Task.detached {
            var rounds = 0
            while !Task.isCancelled {
                var fds: [CInt] = [-1, -1]
                if pipe(&fds) == 0 {
                    close(fds[0])
                    close(fds[1])
                }
                let file = open("/dev/null", O_RDONLY)
                if file >= 0 { close(file) }
                rounds += 1
                await Task.yield()
            }
            return rounds
        }
        defer { churning.cancel() }
        for round in 0..<10 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for index in 0..<8 {
                            let token = "\(round)-\(task)-\(index)"
                            let input = Array("in-\(token)".utf8)
                            let outcome = try await ChildProcess.run(Self.shell(
                                "read line; echo \"$line out-\(token)\"; echo err-\(token) >&2; exit \(index)",
                                input: .bytes(input + [10]), timeout: .seconds(120)))
                            #expect(outcome.termination == .exited(Int32(index)), "\(token)")
                            #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "in-\(token) out-\(token)\n")
                            #expect(String(decoding: outcome.standardError, as: UTF8.self) == "err-\(token)\n")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        churning.cancel()
        #expect(await churning.value > 0)
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        // A zombie is dead for this purpose: its parent (init) has not reaped it yet.
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }
}
