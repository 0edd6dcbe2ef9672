// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Testing
import TestSupport

extension DockerLiveTests {
    @Suite("Archives")
    struct ArchiveTests {
        @Test("put a tar into a created container, run it, read a file back")
        func putAndGet() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("archive")
            var tar = TarWriter()
            try tar.addDirectory("workspace")
            try tar.addFile("workspace/hello.txt", contents: Array("hello from a tar\n".utf8))
            try tar.addFile("workspace/run.sh", contents: Array("#!/bin/sh\ncat /tmp/workspace/hello.txt\necho generated > /tmp/workspace/out.txt\n".utf8), mode: 0o755)
            let longName = "workspace/" + String(repeating: "deep/", count: 30) + "file-with-a-long-path.txt"
            try tar.addFile(longName, contents: Array("long\n".utf8))
            try tar.addSymbolicLink("workspace/link.txt", target: "hello.txt")

            let request = DockerLiveTests.busybox(["/tmp/workspace/run.sh"], run: run)
            try await DockerLiveTests.withContainer(docker, request) { id in
                // Created, not started: the workspace goes in before the job runs.
                try await docker.putArchive(id, path: "/tmp", tar: .bytes(tar.finish()))
                try await docker.startContainer(id)
                #expect(try await docker.waitContainer(id, timeout: .seconds(30)).statusCode == 0)
                #expect(try await docker.logs(id).collect().stdoutText == "hello from a tar\n")

                let (stat, stream) = try await docker.getArchive(id, path: "/tmp/workspace/out.txt")
                #expect(stat?.name == "out.txt")
                #expect(stat?.size == 10)
                let entries = try await TarReader.read(stream)
                #expect(entries.count == 1)
                #expect(entries.first?.path == "out.txt")
                #expect(entries.first?.text == "generated\n")

                let (_, whole) = try await docker.getArchive(id, path: "/tmp/workspace")
                let tree = try await TarReader.read(whole)
                let paths = Set(tree.map(\.path))
                #expect(paths.contains("workspace/hello.txt"))
                #expect(paths.contains(longName))
                #expect(tree.first { $0.path == longName }?.text == "long\n")
                #expect(tree.first { $0.path == "workspace/link.txt" }?.kind == .symbolicLink)
                #expect(tree.first { $0.path == "workspace/link.txt" }?.linkTarget == "hello.txt")
                #expect(tree.first { $0.path == "workspace/run.sh" }?.mode == 0o755)
                #expect(tree.first { $0.path == "workspace" }?.kind == .directory)

                let directoryStat = try await docker.statPath(id, path: "/tmp/workspace")
                #expect(directoryStat.isDirectory)
                do {
                    _ = try await docker.statPath(id, path: "/tmp/nothing-here")
                    Issue.record("stat of a missing path should fail")
                } catch let error as DockerError {
                    #expect(error.code == .notFound)
                }
                // Extracting under a path that does not exist is an engine error, not a hang.
                do {
                    try await docker.putArchive(id, path: "/no/such/dir", tar: .bytes(tar.finish()))
                    Issue.record("a put under a missing directory should fail")
                } catch let error as DockerError {
                    #expect(error.code == .notFound)
                }
            }
        }

        @Test("a streamed tar body (chunked upload)")
        func streamedPut() async throws {
            let docker = try await DockerTestEnvironment.client()
            let run = DockerTestEnvironment.uniqueName("stream-put")
            let size = 3 * 1024 * 1024 + 17
            try await DockerLiveTests.withContainer(docker, DockerLiveTests.busybox(["true"], run: run)) { id in
                let body = DockerRequestBody.stream { writer in
                    var tar = TarWriter()
                    try tar.beginFile("big.bin", size: size)
                    var written = 0
                    while written < size {
                        let piece = min(64 * 1024, size - written)
                        try tar.appendContents([UInt8](repeating: UInt8(truncatingIfNeeded: written / 65536), count: piece))
                        written += piece
                        try await writer.write(tar.takeBytes())
                    }
                    try tar.endFile()
                    try await writer.write(tar.finish())
                }
                try await docker.putArchive(id, path: "/tmp", tar: body)
                let stat = try await docker.statPath(id, path: "/tmp/big.bin")
                #expect(stat.size == Int64(size))
            }
        }
    }
}
