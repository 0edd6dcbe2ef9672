// slipway — HTTP/1.1 request decoder fuzz target (libFuzzer)
// SPDX-License-Identifier: Apache-2.0
//
// Compiled together with the parser's sources (see fuzz/run-http1.sh), so it sees the
// decoder's internal API as a unit test would, and only the parser is instrumented.
//
// Input layout (the first bytes configure the run; the rest is what a client sends):
//
//   byte 0        bits 0-1: limits profile (0-2 default, 3 small limits so the 414/431/chunk
//                 limits are reachable with short inputs); bits 2-4: the body limit the
//                 "router" sets after each head (see `bodyLimits`)
//   byte 1        bits 0-2: k, how many piece-size bytes follow (0: the stream in one piece)
//   bytes 2..<2+k piece sizes, cycled, in which the stream is handed to the decoder
//   rest          the connection's byte stream (pipelined requests and all)
//
// Each input is decoded three times, the way HTTP1ServerConnection drives the decoder (keep
// the unconsumed bytes, consume `consumed`, set `bodyLimit` after a head, stop on `.failed`):
// in one piece, one byte at a time, and in the fuzzer-chosen pieces. Every decode call is
// checked against the invariants below, and the three transcripts must be equal.

/// Body limits a route may set (`bodyLimit` after a head).
let bodyLimits: [Int] = [.max, 0, 1, 5, 16, 64, 1024, 65536]

/// Limits small enough that short fuzz inputs cross every one of them.
let smallLimits: HTTP1Limits = {
    var limits = HTTP1Limits()
    limits.maxRequestLineBytes = 48
    limits.maxFieldLineBytes = 40
    limits.maxHeadBytes = 160
    limits.maxFieldCount = 4
    limits.maxChunkLineBytes = 12
    limits.maxTrailerBytes = 24
    return limits
}()

/// What a connection observes for one byte stream; equal for every way of splitting it.
struct Transcript: Equatable {
    enum Event: Equatable {
        case head(HTTPRequestHead, HTTP1BodyFraming.Decision)
        /// A complete request body (collected across `onBody` calls).
        case end(body: [UInt8])
        case failed(status: Int)
    }

    var events: [Event] = []
    /// After the stream ends without a failure: whether the decoder waits for a new request,
    /// and the body bytes of the unfinished request delivered so far.
    var atBoundary = true
    var pendingBody: [UInt8] = []
}

/// `precondition` with the transcript so far, so a crash report says what led to it.
@inline(__always)
func invariant(_ condition: Bool, _ message: @autoclosure () -> String, _ transcript: @autoclosure () -> Transcript) {
    if !condition {
        preconditionFailure("\(message())\n  events so far: \(transcript().events)")
    }
}

/// Feeds `stream` to a fresh decoder in pieces of `pieceSizes` (cycled; nil: one piece).
func drive(_ stream: UnsafeRawBufferPointer, pieceSizes: [Int]?, limits: HTTP1Limits, bodyLimit: Int) -> Transcript {
    var decoder = HTTP1RequestDecoder(limits: limits)
    var transcript = Transcript()
    // The connection's input buffer: bytes received and not yet consumed start at `start`.
    var buffer: [UInt8] = []
    buffer.reserveCapacity(stream.count)
    var start = 0
    var fed = 0
    var pieceIndex = 0
    var body: [UInt8] = []
    // The framing of the request being decoded; nil between requests.
    var framing: HTTP1BodyFraming?
    // Every decode call consumes a byte, moves head → body → end, or ends a piece with
    // `.needMore`; more calls than this means the decoder stopped making progress.
    var calls = 0
    var callBudget = 3 * stream.count + 8

    repeat {
        // Receive the next piece.
        let size: Int
        if let pieceSizes {
            size = min(pieceSizes[pieceIndex % pieceSizes.count], stream.count - fed)
            pieceIndex += 1
        } else {
            size = stream.count - fed
        }
        buffer.append(contentsOf: stream[fed..<(fed + size)])
        fed += size
        callBudget += 1

        // Decode until the decoder needs more input, as HTTP1ServerConnection.processInput does.
        decoding: while true {
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
                // A request without a body ends with no further input; between requests, wait.
                if decoder.isAtRequestBoundary { break decoding }
            }
            calls += 1
            invariant(calls <= callBudget, "the decoder makes no progress (\(calls) calls for \(stream.count) bytes)", transcript)
            let available = buffer.count - start
            let wasAtBoundary = decoder.isAtRequestBoundary
            let outcome = buffer.withUnsafeBytes { raw in
                let input = UnsafeRawBufferPointer(rebasing: raw[start...])
                return decoder.decode(input) { chunk in
                    // Body bytes must lie inside the input and belong to a request with a body.
                    let lower = UnsafeRawPointer(input.baseAddress!), upper = lower + input.count
                    invariant(chunk.count == 0 || (chunk.baseAddress! >= lower && chunk.baseAddress! + chunk.count <= upper),
                              "onBody got bytes outside the input", transcript)
                    invariant(framing != nil && framing != HTTP1BodyFraming.none, "onBody called for a request without a body (\(String(describing: framing)))", transcript)
                    body.append(contentsOf: chunk)
                }
            }
            switch outcome {
            case .needMore(let consumed):
                invariant(consumed >= 0 && consumed <= available, "needMore consumed \(consumed) of \(available) bytes", transcript)
                // A head is re-scanned from its start (consumes nothing); a body takes all it gets.
                invariant(consumed == 0 || consumed == available, "needMore left \(available - consumed) of \(available) bytes unconsumed", transcript)
                invariant(wasAtBoundary ? consumed == 0 : consumed == available, "needMore consumed \(consumed) of \(available) bytes (at boundary: \(wasAtBoundary))", transcript)
                start += consumed
                invariant(decoder.isAtRequestBoundary == wasAtBoundary, "needMore changed the phase", transcript)
                break decoding
            case .head(let head, let decision, let consumed):
                invariant(wasAtBoundary && framing == nil, "a head before the previous request ended", transcript)
                invariant(consumed > 0 && consumed <= available, "head consumed \(consumed) of \(available) bytes", transcript)
                invariant(!decoder.isAtRequestBoundary, "at a request boundary right after a head", transcript)
                buffer.withUnsafeBytes { raw in
                    checkHead(head, decision, bytes: UnsafeRawBufferPointer(rebasing: raw[start..<(start + consumed)]), limits: limits, transcript)
                }
                transcript.events.append(.head(head, decision))
                start += consumed
                framing = decision.framing
                decoder.bodyLimit = bodyLimit
            case .end(let consumed):
                invariant(framing != nil, "end without a head", transcript)
                invariant(consumed >= 0 && consumed <= available, "end consumed \(consumed) of \(available) bytes", transcript)
                invariant(decoder.isAtRequestBoundary, "not at a request boundary after end", transcript)
                switch framing! {
                case .none:
                    invariant(body.isEmpty && consumed == 0, "a request without a body consumed \(consumed) bytes", transcript)
                case .contentLength(let length):
                    invariant(body.count == length, "Content-Length \(length) but \(body.count) body bytes", transcript)
                case .chunked:
                    invariant(body.count <= bodyLimit, "a chunked body of \(body.count) bytes passed the limit \(bodyLimit)", transcript)
                }
                transcript.events.append(.end(body: body))
                body = []
                framing = nil
                start += consumed
            case .failed(let error):
                invariant((400...599).contains(error.status.code), "failed with status \(error.status.code)", transcript)
                invariant(!error.reason.isEmpty, "failed without a reason", transcript)
                transcript.events.append(.failed(status: error.status.code))
                return transcript
            }
            invariant(start <= buffer.count, "consumed past the input", transcript)
            invariant(body.count <= bodyLimit, "\(body.count) body bytes delivered past the limit \(bodyLimit)", transcript)
            if case .contentLength(let length) = framing {
                invariant(body.count <= length, "\(body.count) body bytes delivered for Content-Length \(length)", transcript)
            }
        }
    } while fed < stream.count

    transcript.atBoundary = decoder.isAtRequestBoundary
    transcript.pendingBody = body
    return transcript
}

/// What a parsed head must satisfy, whatever the bytes were: nothing a later component could
/// misread (no control characters, no CR/LF, no ambiguous framing) gets through.
func checkHead(_ head: HTTPRequestHead, _ decision: HTTP1BodyFraming.Decision, bytes: UnsafeRawBufferPointer, limits: HTTP1Limits, _ transcript: Transcript) {
    invariant(!head.method.rawValue.isEmpty && head.method.rawValue.utf8.allSatisfy(HTTP1Syntax.isTokenCharacter),
              "method '\(head.method)' is not a token", transcript)
    invariant(!head.target.isEmpty && head.target.utf8.allSatisfy(HTTP1Syntax.isTargetCharacter),
              "target '\(head.target)' has a space, control or non-ASCII byte", transcript)
    invariant(head.version != .http2, "an HTTP/1 head with version HTTP/2", transcript)
    invariant(head.fields.count <= limits.maxFieldCount, "\(head.fields.count) fields passed the limit", transcript)
    invariant(bytes.count <= limits.maxHeadBytes + 2 * HTTP1HeadParser.maxLeadingEmptyLines, "a head of \(bytes.count) bytes passed the limit", transcript)
    for field in head.fields {
        invariant(!field.name.isEmpty && field.name.utf8.allSatisfy(HTTP1Syntax.isTokenCharacter), "field name '\(field.name)' is not a token", transcript)
        let value = Array(field.value.utf8)
        invariant(value.allSatisfy(HTTP1Syntax.isFieldValueCharacter), "field '\(field.name)' has a control character", transcript)
        invariant(value.first != 0x20 && value.first != 0x09 && value.last != 0x20 && value.last != 0x09,
                  "field '\(field.name)' value is not trimmed", transcript)
    }

    // Framing: exactly one way to find the end of the body (RFC 9112 §6.3), never a guess.
    let contentLengths = head.fields.values("content-length")
    let transferEncodings = head.fields.values("transfer-encoding")
    invariant(contentLengths.isEmpty || transferEncodings.isEmpty, "accepted both Content-Length and Transfer-Encoding", transcript)
    invariant(contentLengths.count <= 1 && transferEncodings.count <= 1, "accepted a repeated framing header", transcript)
    switch decision.framing {
    case .none:
        invariant(transferEncodings.isEmpty, "no body despite Transfer-Encoding", transcript)
        if let length = contentLengths.first {
            invariant(!length.isEmpty && length.utf8.allSatisfy { $0 == UInt8(ascii: "0") }, "no body despite Content-Length '\(length)'", transcript)
        }
    case .contentLength(let length):
        invariant(length > 0, "Content-Length framing of \(length) bytes", transcript)
        invariant(contentLengths.count == 1 && HTTP1BodyFraming.parseContentLength(contentLengths[0]) == length
                  && contentLengths[0].utf8.allSatisfy(HTTP1Syntax.isDigit),
                  "Content-Length framing \(length) from \(contentLengths)", transcript)
    case .chunked:
        invariant(head.version == .http1_1, "chunked framing for \(head.version)", transcript)
        invariant(transferEncodings.count == 1 && transferEncodings[0].trimmingHTTPWhitespace().equalsASCIICaseInsensitive("chunked"),
                  "chunked framing from Transfer-Encoding \(transferEncodings)", transcript)
    }
    let hosts = head.fields.values("host")
    invariant(hosts.count <= 1, "accepted \(hosts.count) Host fields", transcript)
    invariant(head.version == .http1_0 || hosts.count == 1, "an HTTP/1.1 request without Host", transcript)
    invariant(!decision.expectsContinue || (head.version == .http1_1 && decision.framing != .none), "100-continue for a request that must not get it", transcript)
    invariant(decision.keepAlive == head.wantsKeepAlive, "keep-alive decision differs from the head", transcript)

    // The head's own bytes, parsed alone in one piece, give the same head.
    var parser = HTTP1HeadParser(limits: limits)
    switch parser.parse(bytes) {
    case .complete(let again, let consumed):
        invariant(again == head && consumed == bytes.count, "re-parsing the head's \(bytes.count) bytes gave \(again), \(consumed)", transcript)
    case let other:
        invariant(false, "re-parsing the head's \(bytes.count) bytes gave \(other)", transcript)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limits = input[0] & 0x03 == 3 ? smallLimits : HTTP1Limits()
    let bodyLimit = bodyLimits[Int(input[0] >> 2) & 0x07]
    let sizeCount = min(Int(input[1] & 0x07), size - 2)
    var pieceSizes: [Int]? = (0..<sizeCount).map { Int(input[2 + $0]) }
    if pieceSizes?.allSatisfy({ $0 == 0 }) ?? false { pieceSizes = nil }
    let stream = UnsafeRawBufferPointer(rebasing: input[(2 + sizeCount)...])

    let whole = drive(stream, pieceSizes: nil, limits: limits, bodyLimit: bodyLimit)
    let byteByByte = drive(stream, pieceSizes: [1], limits: limits, bodyLimit: bodyLimit)
    precondition(whole == byteByByte, "one piece and byte by byte differ:\n  whole: \(whole)\n  bytes: \(byteByByte)")
    if let pieceSizes {
        let pieces = drive(stream, pieceSizes: pieceSizes, limits: limits, bodyLimit: bodyLimit)
        precondition(whole == pieces, "one piece and pieces of \(pieceSizes) differ:\n  whole:  \(whole)\n  pieces: \(pieces)")
    }
    return 0
}
