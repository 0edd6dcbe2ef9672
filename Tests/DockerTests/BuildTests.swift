// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("Images and builds")
    struct BuildTests {
        @Test("build from a tar context FROM the local busybox image, then run the result")
        func buildFromContext() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("build")
            let tag = "slipway-test/built:\(run)"
            var context = TarWriter()
            try context.addFile("Dockerfile", contents: Array("""
                FROM \(DockerTestEnvironment.busyboxImage)
                ARG GREETING=unset
                COPY message.txt /message.txt
                RUN echo "built with $GREETING" > /built.txt && cat /built.txt
                CMD ["cat", "/message.txt", "/built.txt"]

                """.utf8))
            try context.addFile("message.txt", contents: Array("from the context\n".utf8))

            var streamed: [String] = []
            let result = try await docker.build(
                .bytes(context.finish()),
                options: BuildOptions(tags: [tag], buildArgs: ["GREETING": "slipway"], labels: DockerTestEnvironment.labels(run: run), networkMode: "none")
            ).waitUntilFinished { message in
                if let line = message.stream { streamed.append(line) }
            }
            do {
                #expect(streamed.contains { $0.hasPrefix("Step 1/") })
                #expect(result.output.contains("built with slipway"))
                let imageID = try #require(result.imageID)
                #expect(imageID.hasPrefix("sha256:"))

                let image = try await docker.inspectImage(tag)
                #expect(image.id == imageID)
                #expect(image.config?.labels?["slipway.test"] == "1")
                #expect(image.repoTags?.contains(tag) == true)

                let request = ContainerCreateRequest(image: tag, labels: DockerTestEnvironment.labels(run: run), hostConfig: HostConfig(networkMode: "none"))
                try await DockerLiveTests.withContainer(docker, request) { id in
                    try await docker.startContainer(id)
                    #expect(try await docker.waitContainer(id, timeout: .seconds(30)).statusCode == 0)
                    #expect(try await docker.logs(id).collect().stdoutText == "from the context\nbuilt with slipway\n")
                }
            } catch {
                _ = try? await docker.removeImage(tag, force: true, idempotent: true)
                throw error
            }
            let deleted = try await docker.removeImage(tag, force: true)
            #expect(deleted.contains { $0.untagged == tag })
        }

        @Test("a failing build step is an error from inside the 200 stream")
        func failingBuild() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("build-fail")
            var context = TarWriter()
            try context.addFile("Dockerfile", contents: Array("FROM \(DockerTestEnvironment.busyboxImage)\nRUN echo about to fail; exit 7\n".utf8))
            let stream = try await docker.build(.bytes(context.finish()), options: BuildOptions(labels: DockerTestEnvironment.labels(run: run), networkMode: "none"))
            do {
                try await stream.waitUntilFinished()
                Issue.record("the build should fail")
            } catch {
                #expect(error.code == .operationFailed)
                #expect(error.message.contains("returned a non-zero code: 7"), "\(error)")
            }
            // forcerm removed the failed step's container.
            let left = try await docker.listContainers(all: true, filters: DockerFilters().adding("ancestor", DockerTestEnvironment.busyboxImage).adding("status", "exited"))
            #expect(!left.contains { $0.command?.contains("about to fail") == true })
        }

        @Test("import a root filesystem tar, inspect it, remove it")
        func importRootfs() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("import")
            var rootfs = TarWriter()
            try rootfs.addDirectory("etc")
            try rootfs.addFile("etc/slipway-release", contents: Array("imported\n".utf8))
            let repository = "slipway-test/imported"
            let result = try await docker.importImage(.bytes(rootfs.finish()), repository: repository, tag: run, changes: ["LABEL slipway.test=1", "ENV IMPORTED=yes"]).waitUntilFinished()
            let reference = "\(repository):\(run)"
            do {
                let image = try await docker.inspectImage(reference)
                #expect(result.imageID == image.id)
                #expect(image.config?.labels?["slipway.test"] == "1")
                #expect(image.config?.env?.contains("IMPORTED=yes") == true)
            } catch {
                _ = try? await docker.removeImage(reference, force: true, idempotent: true)
                throw error
            }
            try await docker.removeImage(reference)
            #expect(try await docker.imageExists(reference) == false)
        }

        @Test("a pull that cannot reach its registry fails with the engine's message")
        func pullFailure() async throws {
            let docker = try await DockerTestEnvironment.client()
            // Port 1 on loopback: refused at once; nothing leaves the machine.
            do {
                try await docker.pullImage("127.0.0.1:1/slipway-test/absent:1").waitUntilFinished()
                Issue.record("the pull should fail")
            } catch {
                // Refused before any progress: an HTTP error; after progress started: an error
                // line in the 200 stream. Both are DockerErrors with the engine's reason.
                #expect(error.code == .serverError || error.code == .operationFailed || error.code == .notFound, "\(error)")
                #expect(error.message.contains("127.0.0.1:1"), "\(error)")
                print("DockerTests: pull from an unreachable registry: \(error)")
            }
        }
    }
}
