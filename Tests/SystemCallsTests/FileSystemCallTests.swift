// slipway — system call tests
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SystemCalls
import Testing

@Suite("file-system calls through the funnel")
struct FileSystemCallTests {
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "slipway-syscalls-\(UInt32.random(in: 0...UInt32.max))"
        try Posix.mkdir(path, mode: 0o755, existingIsFine: false)
        return path
    }

    /// Names of every length up to the 255 bytes a file name may have, many of them, so the
    /// listing takes several `getdents` buffers and entries end at every offset.
    @Test func listsEveryNameWhateverItsLength() throws {
        let directory = try Self.scratch()
        defer { try? Posix.removeTree(directory) }
        var expected: Set<String> = []
        for length in 1...255 {
            for variant in 0..<4 {
                let name = String(repeating: Character(UnicodeScalar(UInt8(97 + variant))), count: length)
                let fd = try Posix.open("\(directory)/\(name)", flags: O_WRONLY | O_CREAT, mode: 0o644)
                Posix.close(fd)
                expected.insert(name)
            }
        }
        #expect(Set(try Posix.directoryEntries(directory)) == expected)
    }

    @Test func removeTreeRemovesLinksButNeverFollowsThem() throws {
        let directory = try Self.scratch()
        let outside = try Self.scratch()
        defer {
            try? Posix.removeTree(directory)
            try? Posix.removeTree(outside)
        }
        let kept = "\(outside)/kept"
        Posix.close(try Posix.open(kept, flags: O_WRONLY | O_CREAT))
        try Posix.mkdir("\(directory)/sub", mode: 0o755)
        try Posix.mkdir("\(directory)/sub/deeper", mode: 0o755)
        Posix.close(try Posix.open("\(directory)/sub/deeper/file", flags: O_WRONLY | O_CREAT))
        #expect(symlink(outside, "\(directory)/sub/link-to-outside") == 0)
        #expect(symlink("/", "\(directory)/link-to-root") == 0)
        try Posix.removeTree(directory)
        #expect(try Posix.lstat(directory) == nil)
        #expect(try Posix.lstat(kept) != nil, "the link was removed, not what it pointed at")
    }

    @Test func errorsCarryTheirErrnoAndPath() throws {
        do {
            _ = try Posix.readFile("/nonexistent/slipway-file")
            Issue.record("read a file that does not exist")
        } catch {
            #expect(error.errno == ENOENT)
            #expect(error.description.contains("/nonexistent/slipway-file"))
        }
        do {
            _ = try Posix.readFile("/dev/zero", limit: 1000)
            Issue.record("read past the limit")
        } catch {
            #expect(error.errno == EFBIG)
        }
    }
}
