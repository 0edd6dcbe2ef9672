// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// Writes a tar archive (POSIX ustar, with PAX extended headers for paths longer than ustar
/// holds): build contexts, files to put into a container.
///
/// ```swift
/// var tar = TarWriter()
/// try tar.addDirectory("app")
/// try tar.addFile("app/run.sh", contents: Array("#!/bin/sh\necho hi\n".utf8), mode: 0o755)
/// let bytes = tar.finish()
/// ```
/// For large archives, stream: write a file with ``beginFile(_:size:mode:modificationTime:uid:gid:)``,
/// ``appendContents(_:)`` and ``endFile()``, and send what ``takeBytes()`` returns as you go.
public struct TarWriter: Sendable {
    private var output: [UInt8] = []
    /// Bytes of the current file still expected, while streaming one.
    private var remaining: Int?
    private var currentSize = 0
    private var finished = false

    public init() {}

    /// Adds a regular file.
    public mutating func addFile(_ path: String, contents: [UInt8], mode: UInt32 = 0o644, modificationTime: Int64 = 0, uid: Int = 0, gid: Int = 0) throws(DockerError) {
        try self.beginFile(path, size: contents.count, mode: mode, modificationTime: modificationTime, uid: uid, gid: gid)
        try self.appendContents(contents)
        try self.endFile()
    }

    /// Adds a directory.
    public mutating func addDirectory(_ path: String, mode: UInt32 = 0o755, modificationTime: Int64 = 0, uid: Int = 0, gid: Int = 0) throws(DockerError) {
        try self.checkIdle()
        let entry = TarEntry(path: path, kind: .directory, mode: mode, uid: uid, gid: gid, modificationTime: modificationTime)
        try self.writeHeader(entry, size: 0)
    }

    /// Adds a symbolic link to `target`.
    public mutating func addSymbolicLink(_ path: String, target: String, modificationTime: Int64 = 0, uid: Int = 0, gid: Int = 0) throws(DockerError) {
        try self.checkIdle()
        let entry = TarEntry(path: path, kind: .symbolicLink, mode: 0o777, uid: uid, gid: gid, modificationTime: modificationTime, linkTarget: target)
        try self.writeHeader(entry, size: 0)
    }

    /// Starts a regular file of `size` bytes whose contents follow in
    /// ``appendContents(_:)`` calls.
    public mutating func beginFile(_ path: String, size: Int, mode: UInt32 = 0o644, modificationTime: Int64 = 0, uid: Int = 0, gid: Int = 0) throws(DockerError) {
        try self.checkIdle()
        guard size >= 0 else { throw DockerError(.invalidArchive, "a negative file size for '\(path)'") }
        let entry = TarEntry(path: path, kind: .file, mode: mode, uid: uid, gid: gid, modificationTime: modificationTime)
        try self.writeHeader(entry, size: size)
        self.remaining = size
        self.currentSize = size
    }

    /// Appends contents of the file begun with ``beginFile(_:size:mode:modificationTime:uid:gid:)``.
    public mutating func appendContents(_ bytes: [UInt8]) throws(DockerError) {
        guard let remaining = self.remaining else { throw DockerError(.invalidArchive, "appendContents without beginFile") }
        guard bytes.count <= remaining else {
            throw DockerError(.invalidArchive, "more contents than the \(self.currentSize) bytes declared")
        }
        self.output.append(contentsOf: bytes)
        self.remaining = remaining - bytes.count
    }

    /// Ends the current file: checks its size and pads it to the block size.
    public mutating func endFile() throws(DockerError) {
        guard let remaining = self.remaining else { throw DockerError(.invalidArchive, "endFile without beginFile") }
        guard remaining == 0 else {
            throw DockerError(.invalidArchive, "the file ended \(remaining) bytes short of the \(self.currentSize) declared")
        }
        self.output.append(contentsOf: [UInt8](repeating: 0, count: TarHeader.padding(for: self.currentSize)))
        self.remaining = nil
    }

    /// The bytes written since the last call (for streaming the archive as it is built).
    public mutating func takeBytes() -> [UInt8] {
        defer { self.output = [] }
        return self.output
    }

    /// Ends the archive (two zero blocks) and returns the bytes not yet taken.
    public mutating func finish() -> [UInt8] {
        if !self.finished {
            self.finished = true
            self.output.append(contentsOf: [UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
        }
        return self.takeBytes()
    }

    private func checkIdle() throws(DockerError) {
        guard !self.finished else { throw DockerError(.invalidArchive, "the archive is already finished") }
        guard self.remaining == nil else { throw DockerError(.invalidArchive, "the previous file is not ended (endFile)") }
    }

    private mutating func writeHeader(_ entry: TarEntry, size: Int) throws(DockerError) {
        var path = Self.normalize(entry.path)
        guard !path.isEmpty else { throw DockerError(.invalidArchive, "an empty path in a tar entry") }
        if entry.kind == .directory { path += "/" }
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
        var pax: [(String, String)] = []

        let pathBytes = Array(path.utf8)
        if !Self.fitUstarName(pathBytes, into: &block) { pax.append(("path", path)) }
        if let target = entry.linkTarget, !TarHeader.writeString(Array(target.utf8), into: &block, field: TarHeader.Field.linkname) {
            pax.append(("linkpath", target))
        }
        _ = TarHeader.writeOctal(Int(entry.mode & 0o7777), into: &block, field: TarHeader.Field.mode)
        if !TarHeader.writeOctal(entry.uid, into: &block, field: TarHeader.Field.uid) { pax.append(("uid", String(entry.uid))) }
        if !TarHeader.writeOctal(entry.gid, into: &block, field: TarHeader.Field.gid) { pax.append(("gid", String(entry.gid))) }
        if !TarHeader.writeOctal(size, into: &block, field: TarHeader.Field.size) { pax.append(("size", String(size))) }
        if !TarHeader.writeOctal(Int(max(0, entry.modificationTime)), into: &block, field: TarHeader.Field.mtime) {
            pax.append(("mtime", String(entry.modificationTime)))
        }
        switch entry.kind {
        case .file: block[TarHeader.Field.typeflag] = TarHeader.TypeFlag.file
        case .directory: block[TarHeader.Field.typeflag] = TarHeader.TypeFlag.directory
        case .symbolicLink: block[TarHeader.Field.typeflag] = TarHeader.TypeFlag.symbolicLink
        case .hardLink: block[TarHeader.Field.typeflag] = TarHeader.TypeFlag.hardLink
        case .other(let flag): block[TarHeader.Field.typeflag] = flag
        }
        _ = TarHeader.writeString(Array("ustar\0".utf8), into: &block, field: TarHeader.Field.magic)
        _ = TarHeader.writeString(Array("00".utf8), into: &block, field: TarHeader.Field.version)
        _ = TarHeader.writeString(Array((entry.userName ?? "").utf8.prefix(31)), into: &block, field: TarHeader.Field.uname)
        _ = TarHeader.writeString(Array((entry.groupName ?? "").utf8.prefix(31)), into: &block, field: TarHeader.Field.gname)
        TarHeader.setChecksum(&block)

        if !pax.isEmpty {
            var records: [UInt8] = []
            for (key, value) in pax { records += TarHeader.paxRecord(key, value) }
            var paxBlock = [UInt8](repeating: 0, count: TarHeader.blockSize)
            let paxName = Array("PaxHeaders/\(path.utf8.suffix(80).split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? "entry")".utf8.prefix(99))
            _ = TarHeader.writeString(paxName, into: &paxBlock, field: TarHeader.Field.name)
            _ = TarHeader.writeOctal(0o644, into: &paxBlock, field: TarHeader.Field.mode)
            _ = TarHeader.writeOctal(0, into: &paxBlock, field: TarHeader.Field.uid)
            _ = TarHeader.writeOctal(0, into: &paxBlock, field: TarHeader.Field.gid)
            _ = TarHeader.writeOctal(records.count, into: &paxBlock, field: TarHeader.Field.size)
            _ = TarHeader.writeOctal(0, into: &paxBlock, field: TarHeader.Field.mtime)
            paxBlock[TarHeader.Field.typeflag] = TarHeader.TypeFlag.paxExtended
            _ = TarHeader.writeString(Array("ustar\0".utf8), into: &paxBlock, field: TarHeader.Field.magic)
            _ = TarHeader.writeString(Array("00".utf8), into: &paxBlock, field: TarHeader.Field.version)
            TarHeader.setChecksum(&paxBlock)
            self.output += paxBlock
            self.output += records
            self.output += [UInt8](repeating: 0, count: TarHeader.padding(for: records.count))
            // The ustar fields that overflowed hold a truncated value; the PAX record wins.
            if pax.contains(where: { $0.0 == "path" }) {
                for index in TarHeader.Field.name { block[index] = 0 }
                for index in TarHeader.Field.prefix { block[index] = 0 }
                _ = TarHeader.writeString(Array(pathBytes.suffix(99)), into: &block, field: TarHeader.Field.name)
                TarHeader.setChecksum(&block)
            }
        }
        self.output += block
    }

    /// Puts the path in `name`, or splits it at a `/` into `prefix` and `name`.
    private static func fitUstarName(_ path: [UInt8], into block: inout [UInt8]) -> Bool {
        if TarHeader.writeString(path, into: &block, field: TarHeader.Field.name) { return true }
        // The split slash is dropped: prefix holds what is before it, name what is after.
        for index in path.indices.reversed() where path[index] == UInt8(ascii: "/") {
            let prefix = path[..<index]
            let name = path[(index + 1)...]
            guard name.count <= TarHeader.Field.name.count, !name.isEmpty else { break }
            if prefix.count <= TarHeader.Field.prefix.count {
                _ = TarHeader.writeString(Array(name), into: &block, field: TarHeader.Field.name)
                _ = TarHeader.writeString(Array(prefix), into: &block, field: TarHeader.Field.prefix)
                return true
            }
        }
        return false
    }

    /// Drops leading `/` and `./`, and trailing `/`.
    static func normalize(_ path: String) -> String {
        var text = Substring(path)
        while true {
            if text.hasPrefix("/") {
                text = text.dropFirst()
            } else if text.hasPrefix("./") {
                text = text.dropFirst(2)
            } else {
                break
            }
        }
        while text.hasSuffix("/") { text = text.dropLast() }
        return text == "." ? "" : String(text)
    }
}
