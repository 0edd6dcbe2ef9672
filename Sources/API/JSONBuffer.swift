// slipway — API
// SPDX-License-Identifier: Apache-2.0

/// A JSON document written straight into bytes, for the hot responses (job lookups and lists).
///
/// Foundation's `JSONEncoder` builds a tree of boxed values and sorts every object's keys per
/// call; for a page of 50 jobs that was over half the server's CPU. Writers using this buffer
/// emit their keys already in sorted order and produce the same bytes as
/// ``HTTP/JSONCoding/encode(_:)`` (sorted keys, slashes unescaped, numbers as
/// `JSONEncoder` writes them); APITests compare the two.
///
/// The bytes live in storage of its own rather than an `[UInt8]`: a page is written in a few
/// thousand small appends, and `Array.append(contentsOf:)` was the writer's largest cost
/// (uniqueness and capacity checks through a generic path). Noncopyable, so the storage has
/// exactly one owner and is freed once.
struct JSONBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        self.storage = .allocate(capacity: self.capacity)
    }

    deinit {
        self.storage.deallocate()
    }

    /// The document so far.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: self.storage, count: self.count))
    }

    /// Appends `count` bytes from `source`.
    private mutating func append(_ source: UnsafePointer<UInt8>, count: Int) {
        if self.count + count > self.capacity { self.grow(to: self.count + count) }
        (self.storage + self.count).initialize(from: source, count: count)
        self.count += count
    }

    private mutating func append(_ byte: UInt8) {
        if self.count == self.capacity { self.grow(to: self.count + 1) }
        self.storage[self.count] = byte
        self.count += 1
    }

    private mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        if let base = buffer.baseAddress { self.append(base, count: buffer.count) }
    }

    private mutating func grow(to minimum: Int) {
        let capacity = max(minimum, self.capacity * 2)
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        storage.initialize(from: self.storage, count: self.count)
        self.storage.deallocate()
        self.storage = storage
        self.capacity = capacity
    }

    /// Appends JSON syntax or an already-escaped key, as is.
    mutating func raw(_ text: StaticString) {
        self.append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    mutating func null() {
        self.raw("null")
    }

    /// A string, escaped as `JSONEncoder` escapes it: `"` and `\`, the short forms for
    /// backspace, tab, line feed, form feed and carriage return, `\u00xx` (lowercase) for the
    /// other control characters, everything else (slashes and non-ASCII included) as UTF-8.
    mutating func string(_ text: String) {
        self.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ self.escaped($0) }) == nil {
            var contiguous = text
            contiguous.withUTF8 { self.escaped($0) }
        }
        self.append(UInt8(ascii: "\""))
    }

    /// `utf8` with the characters JSON needs escaped escaped: runs between them in one copy.
    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let base = utf8.baseAddress else { return }
        var start = 0
        for index in 0..<utf8.count {
            let byte = base[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            self.append(base + start, count: index - start)
            self.escape(byte)
            start = index + 1
        }
        self.append(base + start, count: utf8.count - start)
    }

    mutating func string(_ text: String?) {
        if let text { self.string(text) } else { self.null() }
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): self.raw(#"\""#)
        case UInt8(ascii: "\\"): self.raw(#"\\"#)
        case 0x08: self.raw(#"\b"#)
        case 0x09: self.raw(#"\t"#)
        case 0x0A: self.raw(#"\n"#)
        case 0x0C: self.raw(#"\f"#)
        case 0x0D: self.raw(#"\r"#)
        default:
            let hex: StaticString = "0123456789abcdef"
            self.raw(#"\u00"#)
            self.append(hex.utf8Start[Int(byte >> 4)])
            self.append(hex.utf8Start[Int(byte & 0xF)])
        }
    }

    /// A decimal integer.
    mutating func integer(_ value: Int64) {
        if value < 0 {
            self.append(UInt8(ascii: "-"))
        }
        self.digits(value.magnitude, minimumWidth: 1)
    }

    mutating func integer(_ value: Int64?) {
        if let value { self.integer(value) } else { self.null() }
    }

    /// The decimal digits of `value`, zero-padded on the left to `minimumWidth`, written
    /// backwards straight into the storage, two digits at a time.
    mutating func digits(_ value: UInt64, minimumWidth: Int) {
        var width = 1
        var bound: UInt64 = 10
        while width < 20, value >= bound {
            width += 1
            bound = bound &* 10
        }
        width = max(width, minimumWidth)
        if self.count + width > self.capacity { self.grow(to: self.count + width) }
        let pairs = Self.digitPairs.utf8Start
        var position = self.count + width
        var rest = value
        while rest >= 100 {
            let pair = Int(rest % 100) &* 2
            rest /= 100
            position -= 2
            self.storage[position] = pairs[pair]
            self.storage[position + 1] = pairs[pair + 1]
        }
        if rest >= 10 {
            position -= 2
            self.storage[position] = pairs[Int(rest) &* 2]
            self.storage[position + 1] = pairs[Int(rest) &* 2 + 1]
        } else {
            position -= 1
            self.storage[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest)
        }
        while position > self.count {
            position -= 1
            self.storage[position] = UInt8(ascii: "0")
        }
        self.count += width
    }

    /// "00" to "99": the two digits of a number below 100 start at twice its value.
    private static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// `seconds` rounded to milliseconds, as ``number(_:)`` writes that rounded `Double`
    /// (`235.958`, `0.5`, `3600`), but from its digits: the durations are the most common
    /// fractional numbers in job lists, and formatting each as a `Double` cost more than any
    /// other field. Below 10^12 ms the exact decimal is also the shortest one that reads back as
    /// the same `Double`, which is what `description` prints; anything else (including -0 and
    /// non-finite values) takes the general path.
    mutating func seconds(roundedToMilliseconds seconds: Double) {
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds.magnitude < 1e12, !(milliseconds == 0 && milliseconds.sign == .minus) else {
            return self.number(milliseconds / 1000)
        }
        let whole = Int64(milliseconds)
        if whole < 0 { self.append(UInt8(ascii: "-")) }
        self.digits(whole.magnitude / 1000, minimumWidth: 1)
        var fraction = whole.magnitude % 1000
        guard fraction != 0 else { return }
        var width = 3
        while fraction.isMultiple(of: 10) {
            fraction /= 10
            width -= 1
        }
        self.append(UInt8(ascii: "."))
        self.digits(fraction, minimumWidth: width)
    }

    /// A finite number as `JSONEncoder` writes a `Double`: its `description`, without a
    /// trailing `.0` (3600, 0.5, 1e+16).
    mutating func number(_ value: Double) {
        // Whole numbers below 2^53 print as their digits plus ".0", which is dropped; -0.0
        // keeps its sign ("-0") and takes the general path.
        if value.rounded(.towardZero) == value, value.magnitude < 9_007_199_254_740_992, !(value == 0 && value.sign == .minus) {
            return self.integer(Int64(value))
        }
        var text = value.description
        text.withUTF8 { utf8 in
            var count = utf8.count
            if count >= 2, utf8[count - 2] == UInt8(ascii: "."), utf8[count - 1] == UInt8(ascii: "0") { count -= 2 }
            self.append(UnsafeBufferPointer(rebasing: utf8[..<count]))
        }
    }

    mutating func number(_ value: Double?) {
        if let value { self.number(value) } else { self.null() }
    }
}
