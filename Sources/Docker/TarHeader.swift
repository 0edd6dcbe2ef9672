// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// The 512-byte ustar header: field offsets, numeric encodings and the checksum, shared by
/// ``TarWriter`` and ``TarReader``.
enum TarHeader {
    static let blockSize = 512

    enum Field {
        static let name = 0..<100
        static let mode = 100..<108
        static let uid = 108..<116
        static let gid = 116..<124
        static let size = 124..<136
        static let mtime = 136..<148
        static let checksum = 148..<156
        static let typeflag = 156
        static let linkname = 157..<257
        static let magic = 257..<263
        static let version = 263..<265
        static let uname = 265..<297
        static let gname = 297..<329
        static let devmajor = 329..<337
        static let devminor = 337..<345
        static let prefix = 345..<500
    }

    enum TypeFlag {
        static let file = UInt8(ascii: "0")
        static let oldFile: UInt8 = 0
        static let hardLink = UInt8(ascii: "1")
        static let symbolicLink = UInt8(ascii: "2")
        static let directory = UInt8(ascii: "5")
        static let paxExtended = UInt8(ascii: "x")
        static let paxGlobal = UInt8(ascii: "g")
        static let gnuLongName = UInt8(ascii: "L")
        static let gnuLongLink = UInt8(ascii: "K")
    }

    /// The padding after `size` content bytes to the next block boundary.
    static func padding(for size: Int) -> Int {
        (blockSize - size % blockSize) % blockSize
    }

    /// Writes `value` as zero-padded octal with a terminating NUL into `field`; `false` if it
    /// does not fit.
    static func writeOctal(_ value: Int, into block: inout [UInt8], field: Range<Int>) -> Bool {
        let digits = field.count - 1
        let text = Array(String(value, radix: 8).utf8)
        guard value >= 0, text.count <= digits else { return false }
        var offset = field.lowerBound
        for _ in 0..<(digits - text.count) {
            block[offset] = UInt8(ascii: "0")
            offset += 1
        }
        for byte in text {
            block[offset] = byte
            offset += 1
        }
        block[offset] = 0
        return true
    }

    /// Writes `text` into `field`, NUL-padded; `false` if it is longer than the field.
    static func writeString(_ text: [UInt8], into block: inout [UInt8], field: Range<Int>) -> Bool {
        guard text.count <= field.count else { return false }
        for (index, byte) in text.enumerated() { block[field.lowerBound + index] = byte }
        return true
    }

    static func checksum(_ block: ArraySlice<UInt8>) -> (unsigned: Int, signed: Int) {
        var unsigned = 0
        var signed = 0
        for (index, byte) in zip(block.indices, block) {
            let value = Field.checksum.contains(index - block.startIndex) ? UInt8(ascii: " ") : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        return (unsigned, signed)
    }

    static func setChecksum(_ block: inout [UInt8]) {
        let sum = self.checksum(block[...]).unsigned
        // Six octal digits, NUL, space: the historical layout every reader accepts.
        let text = Array(String(sum, radix: 8).utf8)
        var field = [UInt8](repeating: UInt8(ascii: "0"), count: 6 - text.count) + text
        field.append(0)
        field.append(UInt8(ascii: " "))
        for (index, byte) in field.enumerated() { block[Field.checksum.lowerBound + index] = byte }
    }

    /// Reads a numeric field: octal (NUL- or space-terminated) or GNU base-256 (high bit set).
    static func readNumber(_ block: ArraySlice<UInt8>, field: Range<Int>) throws(DockerError) -> Int {
        let bytes = block[(block.startIndex + field.lowerBound)..<(block.startIndex + field.upperBound)]
        guard let first = bytes.first else { return 0 }
        if first & 0x80 != 0 {
            var value = Int(first & 0x3F)
            guard first & 0x40 == 0 else { throw DockerError(.invalidArchive, "a negative base-256 number in a tar header") }
            for byte in bytes.dropFirst() {
                guard value <= (Int.max >> 8) else { throw DockerError(.invalidArchive, "a base-256 number too large in a tar header") }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var seenDigit = false
        for byte in bytes {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if seenDigit { break }
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7") else {
                throw DockerError(.invalidArchive, "an invalid octal number in a tar header")
            }
            seenDigit = true
            guard value <= (Int.max >> 3) else { throw DockerError(.invalidArchive, "an octal number too large in a tar header") }
            value = value << 3 | Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Reads a NUL-terminated string field.
    static func readString(_ block: ArraySlice<UInt8>, field: Range<Int>) -> String {
        let bytes = block[(block.startIndex + field.lowerBound)..<(block.startIndex + field.upperBound)]
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// One PAX extended header record: `"<length> <key>=<value>\n"`, where length counts
    /// the whole record including its own digits.
    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n".utf8.count
        var length = body + 1
        while String(length).utf8.count + body != length { length = String(length).utf8.count + body }
        return Array("\(length) \(key)=\(value)\n".utf8)
    }

    /// Parses the records of a PAX extended header.
    static func parsePAX(_ data: [UInt8]) throws(DockerError) -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            if data[index] == 0 { break }
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
                  index + length <= data.count, data[index + length - 1] == UInt8(ascii: "\n")
            else {
                throw DockerError(.invalidArchive, "an invalid PAX extended header record")
            }
            let record = data[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw DockerError(.invalidArchive, "a PAX record without '='")
            }
            records[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] = String(decoding: record[(equals + 1)...], as: UTF8.self)
            index += length
        }
        return records
    }
}
