// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("Labels, volumes and events")
    struct LabelAndEventTests {
        @Test("list containers and volumes by label, remove by label")
        func listAndRemoveByLabel() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("labels")
            let filters = DockerFilters().label("slipway.test.run", run)
            var created: [String] = []
            do {
                for index in 0..<3 {
                    let request = DockerLiveTests.busybox(["sleep", "600"], run: run) { $0.labels?["slipway.test.index"] = "\(index)" }
                    created.append(try await docker.createContainer(request).id)
                }
                try await docker.startContainer(created[0])
                // An unrelated container, to show the filter excludes it.
                let other = DockerTestEnvironment.uniqueName("labels-other")
                try await DockerLiveTests.withContainer(docker, DockerLiveTests.busybox(["true"], run: other)) { _ in
                    let listed = try await docker.listContainers(all: true, filters: filters)
                    #expect(Set(listed.map(\.id)) == Set(created))
                    #expect(listed.allSatisfy { $0.labels?["slipway.test"] == "1" })
                    let running = try await docker.listContainers(all: false, filters: filters)
                    #expect(running.map(\.id) == [created[0]])
                    let second = try await docker.listContainers(all: true, filters: filters.label("slipway.test.index", "1"))
                    #expect(second.map(\.id) == [created[1]])
                }

                let removed = try await docker.removeContainers(matching: filters)
                #expect(Set(removed) == Set(created))
                #expect(try await docker.listContainers(all: true, filters: filters).isEmpty)
            } catch {
                for id in created { _ = try? await docker.removeContainer(id, force: true, removeVolumes: true, idempotent: true) }
                throw error
            }

            let volumeName = "\(run)-volume"
            let volume = try await docker.createVolume(VolumeCreateRequest(name: volumeName, labels: DockerTestEnvironment.labels(run: run)))
            #expect(volume.name == volumeName)
            #expect(volume.driver == "local")
            let anonymous = try await docker.createVolume(VolumeCreateRequest(labels: DockerTestEnvironment.labels(run: run)))
            let volumes = try await docker.listVolumes(filters: filters)
            #expect(Set(volumes.map(\.name)) == [volumeName, anonymous.name])
            for volume in volumes { try await docker.removeVolume(volume.name) }
            #expect(try await docker.listVolumes(filters: filters).isEmpty)
        }

        @Test("the events stream delivers a labelled container's life cycle as it happens")
        func events() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("events")
            let since = Date().timeIntervalSince1970 - 1
            let events = try await docker.events(since: since, filters: DockerFilters().label("slipway.test.run", run).adding("type", "container"), idleTimeout: .seconds(30))
            let request = DockerLiveTests.busybox(["sh", "-c", "exit 4"], run: run)
            let id = try await DockerLiveTests.withContainer(docker, request) { id in
                try await docker.startContainer(id)
                _ = try await docker.waitContainer(id, timeout: .seconds(30))
                return id
            }
            var actions: [String] = []
            var exitCode: String?
            for try await event in events {
                #expect(event.actor?.id == id)
                #expect(event.type == "container")
                if let action = event.action { actions.append(action) }
                if event.action == "die" { exitCode = event.actor?.attributes?["exitCode"] }
                if event.action == "destroy" { break }
            }
            events.cancel()
            #expect(actions.starts(with: ["create", "start"]))
            #expect(actions.contains("die"))
            #expect(actions.last == "destroy")
            #expect(exitCode == "4")
        }
    }
}
