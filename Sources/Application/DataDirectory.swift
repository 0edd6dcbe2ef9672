// slipway — Application
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import SystemCalls

/// slipway's data directory: `slipway.db`, `logs/`, `workspaces/` and `instance`.
enum DataDirectory {
    /// Creates `path` if needed and returns it as an absolute, symlink-free path: workspaces
    /// under it are mounted at the same path inside containers, and the Docker daemon resolves
    /// that path on the host.
    static func prepare(_ path: String) throws -> String {
        do {
            try Posix.mkdir(path, mode: 0o755)
        } catch {
            throw ConfigurationError("cannot create the data directory \(path): \(error.reason)")
        }
        guard let resolved = realpath(path, nil) else {
            throw ConfigurationError("cannot resolve the data directory \(path): \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The installation's identifier, created once and kept in `<data>/instance`; it labels
    /// every container so several installations can share one engine without reaping each
    /// other's containers.
    static func instanceIdentifier(in directory: String) throws -> String {
        let path = "\(directory)/instance"
        if let text = try? FileContents.readString(path) {
            let identifier = String(text.filter { !$0.isWhitespace })
            if !identifier.isEmpty { return identifier }
        }
        var random = SystemRandomNumberGenerator()
        let identifier = (0..<8).map { _ in
            let byte = UInt8.random(in: 0...255, using: &random)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
        let descriptor = try Posix.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        defer { Posix.close(descriptor) }
        let line = Array((identifier + "\n").utf8)
        try line.withUnsafeBytes { raw in Result { () throws(SystemError) in try Posix.writeAll(descriptor, raw) } }.get()
        try Posix.fsync(descriptor)
        return identifier
    }
}
