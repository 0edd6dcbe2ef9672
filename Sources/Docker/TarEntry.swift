// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// One member of a tar archive.
public struct TarEntry: Sendable, Hashable {
    /// The entry's type (ustar type flag).
    public enum Kind: Sendable, Hashable {
        case file
        case directory
        case symbolicLink
        case hardLink
        /// Any other type flag (devices, FIFOs, …), kept as read.
        case other(UInt8)
    }

    /// Relative path, `/`-separated; directories without a trailing slash.
    public var path: String
    public var kind: Kind
    /// Permission bits, e.g. `0o644` (file-type bits that some writers add are masked off).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    /// Modification time, Unix seconds.
    public var modificationTime: Int64
    /// Target of a link.
    public var linkTarget: String?
    public var userName: String?
    public var groupName: String?
    /// A file's contents (empty for other kinds).
    public var contents: [UInt8]

    public init(path: String, kind: Kind, mode: UInt32, uid: Int = 0, gid: Int = 0, modificationTime: Int64 = 0, linkTarget: String? = nil, userName: String? = nil, groupName: String? = nil, contents: [UInt8] = []) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.modificationTime = modificationTime
        self.linkTarget = linkTarget
        self.userName = userName
        self.groupName = groupName
        self.contents = contents
    }

    /// The contents as UTF-8 text.
    public var text: String { String(decoding: self.contents, as: UTF8.self) }
}
