// slipway — Docker tests
// SPDX-License-Identifier: Apache-2.0

import Docker
import Foundation
import Testing
import TestSupport

@Suite("Tar writer and reader")
struct TarTests {
    static let longPath = "context/" + String(repeating: "nested-directory/", count: 12) + "a-file-whose-path-is-longer-than-ustar-allows.txt"

    static func sampleArchive() throws -> [UInt8] {
        var tar = TarWriter()
        try tar.addDirectory("context")
        try tar.addFile("context/Dockerfile", contents: Array("FROM busybox\n".utf8), modificationTime: 1_700_000_000)
        try tar.addFile("context/empty", contents: [])
        try tar.addFile("context/exactly-512", contents: [UInt8](repeating: 7, count: 512))
        try tar.addFile("context/run.sh", contents: Array("#!/bin/sh\n".utf8), mode: 0o755, uid: 1000, gid: 1000)
        try tar.addSymbolicLink("context/link", target: "Dockerfile")
        // Fits ustar only through the prefix field.
        try tar.addFile("context/" + String(repeating: "p", count: 120) + "/name.txt", contents: Array("prefix\n".utf8))
        try tar.addFile(Self.longPath, contents: Array("long\n".utf8))
        return tar.finish()
    }

    @Test("what TarWriter writes, TarReader reads back")
    func roundTrip() throws {
        let bytes = try Self.sampleArchive()
        #expect(bytes.count % 512 == 0)
        let entries = try TarReader.entries(in: bytes)
        #expect(entries.map(\.path) == [
            "context", "context/Dockerfile", "context/empty", "context/exactly-512", "context/run.sh", "context/link",
            "context/" + String(repeating: "p", count: 120) + "/name.txt", Self.longPath,
        ])
        #expect(entries[0].kind == .directory)
        #expect(entries[1].text == "FROM busybox\n")
        #expect(entries[1].modificationTime == 1_700_000_000)
        #expect(entries[2].contents.isEmpty)
        #expect(entries[3].contents.count == 512)
        #expect(entries[4].mode == 0o755 && entries[4].uid == 1000)
        #expect(entries[5].kind == .symbolicLink && entries[5].linkTarget == "Dockerfile")
        #expect(entries[7].text == "long\n")
    }

    @Test("fed in small pieces, the reader returns the same entries")
    func incremental() throws {
        let bytes = try Self.sampleArchive()
        var reader = TarReader()
        var entries: [TarEntry] = []
        var index = 0
        while index < bytes.count {
            reader.append(Array(bytes[index..<min(bytes.count, index + 100)]))
            index += 100
            while let entry = try reader.next() { entries.append(entry) }
        }
        #expect(reader.isAtEnd)
        try reader.finish()
        #expect(entries == (try TarReader.entries(in: bytes)))
    }

    @Test("GNU tar lists and extracts TarWriter's archive")
    func gnuTarReadsOurs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-tar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await ProcessRunner.run("tar", ["-x", "-f", "-", "-C", directory.path], input: try Self.sampleArchive())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: directory.appendingPathComponent("context/Dockerfile"), encoding: .utf8) == "FROM busybox\n")
        #expect(try String(contentsOf: directory.appendingPathComponent(Self.longPath), encoding: .utf8) == "long\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.appendingPathComponent("context/link").path) == "Dockerfile")
    }

    @Test("TarReader reads GNU tar's archives: gnu long names and pax headers")
    func oursReadsGNUTar() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-tar-\(UUID().uuidString)")
        let deep = directory.appendingPathComponent(String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60) + "/" + String(repeating: "f", count: 60))
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("deep file\n".utf8).write(to: deep.appendingPathComponent("file.txt"))
        for format in ["gnu", "pax", "ustar"] {
            let result = try await ProcessRunner.run("tar", ["--format=\(format)", "-c", "-f", "-", "-C", directory.path, "."])
            if format == "ustar" {
                // The path is too long for ustar: GNU tar refuses it, as it should.
                continue
            }
            #expect(result.status == 0, "\(format): \(result.stderr)")
            let entries = try TarReader.entries(in: result.stdoutBytes)
            let file = entries.first { $0.path.hasSuffix("/file.txt") }
            #expect(file?.text == "deep file\n", "\(format)")
            #expect(file?.path == deep.path.dropFirst(directory.path.count + 1) + "/file.txt", "\(format)")
        }
    }

    @Test("truncated or corrupt archives are errors")
    func corrupt() throws {
        let bytes = try Self.sampleArchive()
        do {
            var reader = TarReader(Array(bytes[..<700]))
            while try reader.next() != nil {}
            try reader.finish()
            Issue.record("a truncated archive must not read cleanly")
        } catch {
            #expect(error.code == .invalidArchive)
        }
        var damaged = bytes
        damaged[520] ^= 0xFF
        #expect(throws: DockerError.self) { _ = try TarReader.entries(in: damaged) }
    }

    @Test("the writer refuses misuse: wrong sizes, writing after finish")
    func writerMisuse() throws {
        var tar = TarWriter()
        try tar.beginFile("a", size: 3)
        #expect(throws: DockerError.self) { try tar.appendContents([1, 2, 3, 4]) }
        try tar.appendContents([1, 2])
        #expect(throws: DockerError.self) { try tar.endFile() }
        #expect(throws: DockerError.self) { try tar.addFile("b", contents: []) }
        try tar.appendContents([3])
        try tar.endFile()
        _ = tar.finish()
        #expect(throws: DockerError.self) { try tar.addFile("c", contents: []) }
    }
}
