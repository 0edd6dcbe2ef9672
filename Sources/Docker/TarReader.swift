// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Reads a tar archive (ustar, PAX `path`/`linkpath`/`size`/`uid`/`gid`/`mtime` records,
/// GNU long names and base-256 numbers): what `GET /containers/{id}/archive` and
/// `docker save` produce.
///
/// Feed bytes as they arrive with ``append(_:)`` and take entries with ``next()``, or read a
/// whole archive with ``entries(in:)`` or ``read(_:limit:)``. Each entry's contents are
/// held in memory.
public struct TarReader: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var pendingPAX: [String: String] = [:]
    private var pendingLongName: String?
    private var pendingLongLink: String?
    /// Whether the end-of-archive marker (a zero block) was read.
    public private(set) var isAtEnd = false

    public init() {}

    public init(_ bytes: [UInt8]) {
        self.buffer = bytes
    }

    /// Adds bytes that arrived.
    public mutating func append(_ bytes: [UInt8]) {
        if self.start > 0, self.start >= self.buffer.count / 2 {
            self.buffer.removeFirst(self.start)
            self.start = 0
        }
        self.buffer.append(contentsOf: bytes)
    }

    /// The next complete entry; `nil` when more bytes are needed or the archive has ended
    /// (see ``isAtEnd``).
    public mutating func next() throws(DockerError) -> TarEntry? {
        while !self.isAtEnd {
            let available = self.buffer.count - self.start
            guard available >= TarHeader.blockSize else { return nil }
            let block = self.buffer[self.start..<(self.start + TarHeader.blockSize)]
            if block.allSatisfy({ $0 == 0 }) {
                self.isAtEnd = true
                return nil
            }
            let (unsigned, signed) = TarHeader.checksum(block)
            let stored = try TarHeader.readNumber(block, field: TarHeader.Field.checksum)
            guard stored == unsigned || stored == signed else {
                throw DockerError(.invalidArchive, "a tar header checksum does not match (not a tar archive?)")
            }
            var size = try TarHeader.readNumber(block, field: TarHeader.Field.size)
            if let paxSize = self.pendingPAX["size"], let value = Int(paxSize) { size = value }
            let flag = block[block.startIndex + TarHeader.Field.typeflag]
            // Links and directories carry no data whatever their size field says.
            let dataSize = (flag == TarHeader.TypeFlag.hardLink || flag == TarHeader.TypeFlag.symbolicLink || flag == TarHeader.TypeFlag.directory) ? 0 : size
            let total = TarHeader.blockSize + dataSize + TarHeader.padding(for: dataSize)
            guard available >= total else { return nil }
            let dataStart = self.start + TarHeader.blockSize
            let data = Array(self.buffer[dataStart..<(dataStart + dataSize)])
            self.start += total

            switch flag {
            case TarHeader.TypeFlag.paxExtended:
                self.pendingPAX.merge(try TarHeader.parsePAX(data)) { _, new in new }
                continue
            case TarHeader.TypeFlag.paxGlobal:
                continue
            case TarHeader.TypeFlag.gnuLongName:
                self.pendingLongName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case TarHeader.TypeFlag.gnuLongLink:
                self.pendingLongLink = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
                continue
            default:
                break
            }

            var path = TarHeader.readString(block, field: TarHeader.Field.name)
            let magic = TarHeader.readString(block, field: TarHeader.Field.magic)
            if magic.hasPrefix("ustar") {
                let prefix = TarHeader.readString(block, field: TarHeader.Field.prefix)
                if !prefix.isEmpty { path = prefix + "/" + path }
            }
            if let long = self.pendingLongName { path = long }
            if let pax = self.pendingPAX["path"] { path = pax }
            var link = TarHeader.readString(block, field: TarHeader.Field.linkname)
            if let long = self.pendingLongLink { link = long }
            if let pax = self.pendingPAX["linkpath"] { link = pax }

            let kind: TarEntry.Kind
            switch flag {
            case TarHeader.TypeFlag.file, TarHeader.TypeFlag.oldFile:
                kind = path.hasSuffix("/") ? .directory : .file
            case TarHeader.TypeFlag.directory: kind = .directory
            case TarHeader.TypeFlag.symbolicLink: kind = .symbolicLink
            case TarHeader.TypeFlag.hardLink: kind = .hardLink
            default: kind = .other(flag)
            }
            var entry = TarEntry(
                path: TarWriter.normalize(path),
                kind: kind,
                mode: UInt32(truncatingIfNeeded: try TarHeader.readNumber(block, field: TarHeader.Field.mode)) & 0o7777,
                uid: try TarHeader.readNumber(block, field: TarHeader.Field.uid),
                gid: try TarHeader.readNumber(block, field: TarHeader.Field.gid),
                modificationTime: Int64(try TarHeader.readNumber(block, field: TarHeader.Field.mtime)),
                linkTarget: (kind == .symbolicLink || kind == .hardLink) ? link : nil,
                userName: Self.nonEmpty(TarHeader.readString(block, field: TarHeader.Field.uname)),
                groupName: Self.nonEmpty(TarHeader.readString(block, field: TarHeader.Field.gname)),
                contents: kind == .file ? data : []
            )
            if let uid = self.pendingPAX["uid"].flatMap(Int.init) { entry.uid = uid }
            if let gid = self.pendingPAX["gid"].flatMap(Int.init) { entry.gid = gid }
            if let mtime = self.pendingPAX["mtime"].flatMap({ Double($0) }) { entry.modificationTime = Int64(mtime) }
            self.pendingPAX = [:]
            self.pendingLongName = nil
            self.pendingLongLink = nil
            return entry
        }
        return nil
    }

    /// Checks that the archive ended cleanly: nothing half-read.
    public func finish() throws(DockerError) {
        if !self.isAtEnd, self.buffer.count > self.start {
            throw DockerError(.invalidArchive, "the tar archive is truncated (\(self.buffer.count - self.start) bytes of an incomplete entry)")
        }
    }

    /// Every entry of a complete archive in memory.
    public static func entries(in bytes: [UInt8]) throws(DockerError) -> [TarEntry] {
        var reader = TarReader(bytes)
        var entries: [TarEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        try reader.finish()
        return entries
    }

    /// Every entry of a streamed archive, reading at most `limit` bytes.
    public static func read(_ stream: DockerByteStream, limit: Int = 256 * 1024 * 1024) async throws(DockerError) -> [TarEntry] {
        var reader = TarReader()
        var entries: [TarEntry] = []
        var total = 0
        do {
            while let piece = try await stream.next() {
                total += piece.count
                guard total <= limit else {
                    stream.cancel()
                    throw DockerError(.invalidArchive, "the archive is larger than \(limit) bytes")
                }
                reader.append(piece)
                while let entry = try reader.next() { entries.append(entry) }
            }
        } catch let error as DockerError {
            throw error
        } catch {
            throw DockerError.transport(error, operation: stream.operation, host: stream.host, phase: .body)
        }
        try reader.finish()
        return entries
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
