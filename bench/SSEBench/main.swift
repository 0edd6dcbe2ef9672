// slipway — the SSE fan-out client of bench/api.sh (not a product).
//
//   slipway-sse-bench PORT SUBSCRIBERS EVENTS [TIMEOUT_SECONDS]
//
// Opens SUBSCRIBERS connections to GET /v1/events on 127.0.0.1:PORT and reads them all on one
// epoll thread. Prints `connected` once every subscriber has its response head; then, when each
// has EVENTS events or the timeout (default 120 s) passes, one JSON line in the format of
// `Tests/python/sse_client.py fanout`: per subscriber the number of events and whether their ids
// were contiguous, and the percentiles of the delivery delay (arrival time minus the event's
// `finished_at`, else `created_at`).
//
// The Python client spent the whole burst parsing (1,000,000 events through one interpreter on
// the two cores the server also needs), so its delays measured the client. This one does per
// event a scan for the block end, the id and one timestamp.

#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// One subscriber's connection and what it has read.
final class Subscriber {
    let descriptor: CInt
    var headComplete = false
    var pending: [UInt8] = []  // raw bytes not yet decoded (head, chunk framing)
    var stream: [UInt8] = []  // decoded body bytes not yet split into events
    var chunkRemaining = 0  // body bytes left in the current chunk
    var skipCRLF = false  // a chunk's trailing CRLF is next
    var ids: [Int] = []
    var delays: [Double] = []
    var closed = false

    init(descriptor: CInt) {
        self.descriptor = descriptor
    }
}

func fail(_ message: String) -> Never {
    let line = "slipway-sse-bench: \(message)\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}

func wallClock() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func monotonic() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func connectSubscriber(port: UInt16) -> CInt {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { fail("socket: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { fail("connect: errno \(errno)") }
    let request = "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    let written = request.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
    guard written == request.utf8.count else { fail("write: errno \(errno)") }
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    return descriptor
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (as the API writes timestamps) in seconds since the epoch.
func parseTimestamp(_ bytes: ArraySlice<UInt8>) -> Double? {
    let text = Array(bytes)
    guard text.count >= 24, text[4] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"), text[23] == UInt8(ascii: "Z") else { return nil }
    func number(_ range: Range<Int>) -> Int {
        range.reduce(0) { $0 * 10 + Int(text[$1] &- UInt8(ascii: "0")) }
    }
    // Howard Hinnant's days-from-civil.
    let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
    let y = month <= 2 ? year - 1 : year
    let era = y / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    let seconds = days * 86_400 + number(11..<13) * 3600 + number(14..<16) * 60 + number(17..<19)
    return Double(seconds) + Double(number(20..<23)) / 1000
}

/// The index of the first occurrence of `needle` in `haystack`, by memchr and memcmp: the client
/// must not become the bottleneck it replaces.
func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
    haystack.withUnsafeBytes { hay -> Int? in
        needle.withUnsafeBytes { pattern -> Int? in
            guard let base = hay.baseAddress, let patternBase = pattern.baseAddress, let first = pattern.first else { return nil }
            var offset = 0
            while hay.count - offset >= pattern.count {
                guard let hit = memchr(base + offset, Int32(first), hay.count - offset) else { return nil }
                let position = base.distance(to: UnsafeRawPointer(hit))
                guard hay.count - position >= pattern.count else { return nil }
                if memcmp(base + position, patternBase, pattern.count) == 0 { return haystack.startIndex + position }
                offset = position + 1
            }
            return nil
        }
    }
}

let blockEnd: [UInt8] = Array("\n\n".utf8)
let idPrefix: [UInt8] = Array("id: ".utf8)
let finishedKey: [UInt8] = Array("\"finished_at\":\"".utf8)
let createdKey: [UInt8] = Array("\"created_at\":\"".utf8)

/// Splits the decoded stream into events and records each one's id and delay.
func consumeEvents(_ subscriber: Subscriber, receivedAt received: Double) {
    var start = subscriber.stream.startIndex
    while let end = find(blockEnd, in: subscriber.stream[start...]) {
        let block = subscriber.stream[start..<end]
        start = end + 2
        guard let idStart = find(idPrefix, in: block) else { continue }  // retry: or a heartbeat
        var index = idStart + idPrefix.count
        var id = 0
        while index < block.endIndex, block[index] >= UInt8(ascii: "0"), block[index] <= UInt8(ascii: "9") {
            id = id * 10 + Int(block[index] - UInt8(ascii: "0"))
            index += 1
        }
        subscriber.ids.append(id)
        let stampKey = find(finishedKey, in: block).map { ($0, finishedKey.count) } ?? find(createdKey, in: block).map { ($0, createdKey.count) }
        if let (keyStart, keyLength) = stampKey, keyStart + keyLength + 24 <= block.endIndex,
           let created = parseTimestamp(block[(keyStart + keyLength)..<(keyStart + keyLength + 24)]) {
            subscriber.delays.append(received - created)
        }
    }
    subscriber.stream.removeSubrange(subscriber.stream.startIndex..<start)
}

/// Takes the response head off `pending`, then decodes the chunked body into `stream`.
func decode(_ subscriber: Subscriber) {
    if !subscriber.headComplete {
        guard let end = find(Array("\r\n\r\n".utf8), in: subscriber.pending[...]) else { return }
        let head = String(decoding: subscriber.pending[..<end], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 200") else { fail("subscriber refused: \(head.prefix(200))") }
        guard head.lowercased().contains("transfer-encoding: chunked") else { fail("expected a chunked event stream: \(head)") }
        subscriber.headComplete = true
        subscriber.pending.removeSubrange(..<(end + 4))
    }
    var index = 0
    let bytes = subscriber.pending
    while index < bytes.count {
        if subscriber.skipCRLF {
            guard bytes.count - index >= 2 else { break }
            index += 2
            subscriber.skipCRLF = false
        } else if subscriber.chunkRemaining > 0 {
            let take = min(subscriber.chunkRemaining, bytes.count - index)
            subscriber.stream.append(contentsOf: bytes[index..<(index + take)])
            subscriber.chunkRemaining -= take
            index += take
            if subscriber.chunkRemaining == 0 { subscriber.skipCRLF = true }
        } else {
            guard let lineEnd = find(Array("\r\n".utf8), in: bytes[index...]) else { break }
            var size = 0
            for byte in bytes[index..<lineEnd] {
                guard let digit = Int(String(UnicodeScalar(byte)), radix: 16) else { break }
                size = size * 16 + digit
            }
            index = lineEnd + 2
            if size == 0 {
                subscriber.closed = true
                break
            }
            subscriber.chunkRemaining = size
        }
    }
    subscriber.pending.removeSubrange(..<index)
}

// MARK: - Main

let arguments = CommandLine.arguments
guard arguments.count >= 4, let port = UInt16(arguments[1]), let subscriberCount = Int(arguments[2]), let eventCount = Int(arguments[3]) else {
    fail("usage: slipway-sse-bench PORT SUBSCRIBERS EVENTS [TIMEOUT_SECONDS]")
}
let timeout = arguments.count > 4 ? Double(arguments[4]) ?? 120 : 120

let epoll = epoll_create1(0)
var subscribers: [Subscriber] = []
for index in 0..<subscriberCount {
    let subscriber = Subscriber(descriptor: connectSubscriber(port: port))
    subscribers.append(subscriber)
    var event = epoll_event()
    event.events = EPOLLIN.rawValue
    event.data.u64 = UInt64(index)
    guard epoll_ctl(epoll, EPOLL_CTL_ADD, subscriber.descriptor, &event) == 0 else { fail("epoll_ctl: errno \(errno)") }
}

var announced = false
let deadline = monotonic() + timeout
let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 256)
while monotonic() < deadline {
    if !announced, subscribers.allSatisfy(\.headComplete) {
        print("connected")
        fflush(nil)
        announced = true
    }
    if subscribers.allSatisfy({ $0.ids.count >= eventCount || $0.closed }) { break }
    let ready = epoll_wait(epoll, events, 256, 100)
    guard ready >= 0 || errno == EINTR else { fail("epoll_wait: errno \(errno)") }
    let received = wallClock()
    for slot in 0..<max(0, Int(ready)) {
        let subscriber = subscribers[Int(events[slot].data.u64)]
        while true {
            let count = read(subscriber.descriptor, readBuffer.baseAddress, readBuffer.count)
            if count > 0 {
                subscriber.pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                continue
            }
            if count == 0 { subscriber.closed = true }
            break
        }
        decode(subscriber)
        consumeEvents(subscriber, receivedAt: received)
        if subscriber.closed || subscriber.ids.count >= eventCount {
            epoll_ctl(epoll, EPOLL_CTL_DEL, subscriber.descriptor, nil)
        }
    }
}

let delays = subscribers.flatMap(\.delays).sorted()
func percentile(_ p: Double, of sorted: [Double]) -> String {
    sorted.isEmpty ? "null" : "\(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))])"
}
let report = subscribers.map { subscriber -> String in
    let ids = Array(subscriber.ids.prefix(eventCount))
    let contiguous = ids.isEmpty || ids == Array(ids[0]..<(ids[0] + ids.count))
    return "{\"count\": \(ids.count), \"contiguous\": \(contiguous)}"
}
print("{\"subscribers\": [\(report.joined(separator: ", "))], \"p50\": \(percentile(0.5, of: delays)), \"p99\": \(percentile(0.99, of: delays)), \"max\": \(delays.last.map { "\($0)" } ?? "null")}")
for subscriber in subscribers { close(subscriber.descriptor) }
