// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// A file's metadata in a container, from the `X-Docker-Container-Path-Stat` header of the
/// archive calls (base64 JSON).
public struct PathStat: Decodable, Sendable, Hashable {
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode` bits: permissions in the low 9 bits, type flags high (directory
    /// is `1 << 31`).
    public var mode: UInt32
    public var mtime: String?
    /// The target of a symbolic link.
    public var linkTarget: String?

    public var isDirectory: Bool { self.mode & (1 << 31) != 0 }

    enum CodingKeys: String, CodingKey {
        case name, size, mode, mtime, linkTarget
    }

    /// Decodes the header value.
    init?(header: String) {
        guard let data = Data(base64Encoded: header), let stat = try? JSONDecoder().decode(PathStat.self, from: data) else { return nil }
        self = stat
    }
}
