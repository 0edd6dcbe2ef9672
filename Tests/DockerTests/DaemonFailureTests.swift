// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Docker
import Testing
import TestSupport

extension DockerLiveTests {
    /// Needs a daemon of its own to kill: skipped (visibly, with the reason) where this
    /// process cannot start one.
    @Suite("Daemon failures", .enabled(if: PrivateDockerd.isAvailable, Comment(rawValue: PrivateDockerd.unavailableComment)))
    struct DaemonFailureTests {
        @Test("a daemon killed in the middle of a stream is a clear error, not a hang; TCP DOCKER_HOST works")
        func daemonStoppedMidStream() async throws {
            let daemon = try await PrivateDockerd.start(listenOnTCP: true)
            do {
                // Plain TCP, by number and by name (resolved off the cooperative pool).
                let port = try #require(daemon.tcpPort)
                let overTCP = try await DockerClient(host: DockerHost(parsing: "tcp://127.0.0.1:\(port)"), group: DockerTestEnvironment.group)
                #expect(try await overTCP.version().apiVersion != nil)
                let byName = try await DockerClient(host: DockerHost(parsing: "tcp://vm:\(port)"), group: DockerTestEnvironment.group)
                _ = try? await byName.ping() // "vm" is this machine's name in /etc/hosts here; elsewhere it may not resolve.

                let docker = try await DockerClient(host: DockerHost(parsing: daemon.unixHost), group: DockerTestEnvironment.group)
                let events = try await docker.events(filters: DockerFilters().adding("type", "volume"), idleTimeout: .seconds(300))
                let volume = try await overTCP.createVolume(VolumeCreateRequest(labels: DockerTestEnvironment.testLabel))
                let first = try await events.next()
                #expect(first?.action == "create")
                #expect(first?.actor?.id == volume.name)

                // Mid-stream: the daemon dies while the events response is open.
                daemon.kill(SIGKILL)
                let killed = ContinuousClock.now
                do {
                    let event = try await events.next()
                    Issue.record("expected an error after the daemon died, got \(String(describing: event))")
                } catch let error as DockerError {
                    #expect(error.code == .streamFailed)
                    #expect(error.description.contains("GET /v1."))
                    #expect(error.description.contains("/events"))
                    #expect(error.message.contains("broke in the middle of the response"))
                }
                #expect(ContinuousClock.now - killed < .seconds(120), "the error must come from the broken connection, not the 300 s idle timeout")
                #expect(await daemon.waitForExit())

                do {
                    _ = try await docker.ping(timeout: .seconds(2))
                    Issue.record("a ping of a dead daemon should fail")
                } catch {
                    #expect(error.code == .daemonUnavailable)
                    #expect(error.message.contains("cannot connect to the Docker daemon at unix://\(daemon.socketPath)"))
                }
                await #expect(throws: DockerError.self) { _ = try await overTCP.listVolumes() }
            } catch {
                await daemon.stop()
                throw error
            }
            await daemon.stop()
        }
    }
}
