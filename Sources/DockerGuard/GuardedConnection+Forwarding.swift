// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Sockets

/// Sending a decided request to the engine and its answer back.
extension GuardedConnection {
    /// How a response body ends (RFC 9112 §6.3).
    enum ResponseFraming: Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    /// Sends the request on and relays the answer; false when the connection is done.
    mutating func forward(_ forwarding: Forwarding, request: EngineRequest, head: HTTPRequestHead, framing: HTTP1BodyFraming, bodyRead: Bool) async throws -> Bool {
        let engine: AsyncSocket
        do {
            engine = try await self.connectedEngine()
        } catch {
            return try await self.refuse(GuardRefusal(.badGateway, "slipway guard: the Docker engine does not answer: \(error)"), head: head, framing: framing, bodyRead: bodyRead)
        }
        var lines = "\(head.method.rawValue) \(forwarding.target) \(head.version == .http1_0 ? "HTTP/1.0" : "HTTP/1.1")\r\n"
        for field in head.fields where !Self.isFramingField(field.name) {
            lines += "\(field.name): \(field.value)\r\n"
        }
        var bodyBytes: [UInt8] = []
        let streamsBody = forwarding.body == nil && !bodyRead
        if let body = forwarding.body {
            lines += "Content-Length: \(body.count)\r\n"
            bodyBytes = body
        } else if streamsBody {
            switch framing {
            case .none: break
            case .contentLength(let length): lines += "Content-Length: \(length)\r\n"
            case .chunked: lines += "Transfer-Encoding: chunked\r\n"
            }
        } else {
            lines += "Content-Length: 0\r\n"
        }
        lines += "\r\n"
        // The engine may answer early (an error) and close before it has read the whole body:
        // the rest of the body is not sent, and its answer is still relayed.
        var engineHungUp = false
        do {
            try await Self.writeToEngine(engine, Array(lines.utf8) + bodyBytes)
            if streamsBody {
                try await self.readBody(framing, raw: { raw in try await Self.writeToEngine(engine, Array(raw)) })
            }
        } catch is EngineHungUp {
            engineHungUp = true
        }
        let keepAlive = try await self.relayResponse(forwarding.response, request: request, head: head)
        return keepAlive && !engineHungUp
    }

    /// The engine stopped reading the request.
    private struct EngineHungUp: Error {}

    private static func writeToEngine(_ engine: AsyncSocket, _ bytes: [UInt8]) async throws {
        do {
            try await engine.write(bytes)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EngineHungUp()
        }
    }

    /// The request's own framing fields are replaced by the guard's; `Expect` was answered by
    /// the guard.
    static func isFramingField(_ name: String) -> Bool {
        name.equalsASCIICaseInsensitive("content-length") || name.equalsASCIICaseInsensitive("transfer-encoding")
            || name.equalsASCIICaseInsensitive("expect")
    }

    private mutating func connectedEngine() async throws -> AsyncSocket {
        if let upstream = self.upstream, !upstream.socket.isClosed, !upstream.isAtEnd { return upstream.socket }
        self.upstream?.socket.close()
        let socket = try await AsyncSocket.connect(to: try await self.engine.resolve(), on: self.loop, timeout: self.settings.connectTimeout)
        self.upstream = BufferedSocket(socket)
        return socket
    }

    // MARK: - Responses

    /// Reads the engine's answer and passes it on as `handling` says; false when the
    /// connection ends with it.
    private mutating func relayResponse(_ handling: ResponseHandling, request: EngineRequest, head: HTTPRequestHead) async throws -> Bool {
        var response: HTTPResponseHead
        var rawHead: ArraySlice<UInt8>
        while true {
            guard let (parsed, raw) = try await self.readResponseHead() else {
                try? await self.respond(GuardRefusal(.badGateway, "slipway guard: the Docker engine closed the connection without answering"), closing: true)
                return false
            }
            response = parsed
            rawHead = raw
            // Interim answers (but a protocol switch) go on as they are; the final one follows.
            if (100..<200).contains(response.status.code) && response.status.code != 101 {
                try await self.client.write(Array(rawHead))
                continue
            }
            break
        }
        self.logger.debug("guarded request", metadata: ["request": "\(head.method) \(request.path)", "status": "\(response.status.code)"])
        guard let framing = Self.framing(of: response, request: head) else {
            try? await self.respond(GuardRefusal(.badGateway, "slipway guard: the Docker engine's answer has an invalid Content-Length"), closing: true)
            return false
        }
        if response.status.code == 101 || (request.endpoint.mayUpgrade && response.status.code == 200 && framing == .untilClose) {
            try await self.client.write(Array(rawHead))
            await self.splice()
            return false
        }
        let succeeded = (200..<300).contains(response.status.code)
        switch handling {
        case .recordContainer, .recordExec, .filterDataUsage:
            guard succeeded else { break }
            let (raw, decoded) = try await self.collectResponseBody(framing, limit: handling == .filterDataUsage ? 64 << 20 : 1 << 20)
            if handling == .filterDataUsage {
                let filtered = DataUsageFilter.filter(decoded, policy: self.job.policy)
                try await self.client.write(Self.rewrittenHead(response, contentLength: filtered.count) + filtered)
            } else {
                try await self.client.write(Array(rawHead) + raw)
                if let id = Self.createdID(decoded) {
                    if case .recordContainer(let binds) = handling { self.job.recordContainer(id: id, bindSources: binds) } else { self.job.recordExec(id: id) }
                }
            }
            return Self.keepsAlive(response, request: head, framing: framing)
        case .recordTags(let tags):
            if succeeded { self.job.recordTags(tags) }
        case .recordTagsAfterStream(let tags):
            guard succeeded else { break }
            try await self.client.write(Array(rawHead))
            var scanner = StreamErrorScanner()
            let complete = try await self.relayBody(framing) { scanner.scan($0) }
            if complete && !scanner.sawError { self.job.recordTags(tags) }
            return complete && Self.keepsAlive(response, request: head, framing: framing)
        case .relay:
            break
        }
        try await self.client.write(Array(rawHead))
        let complete = try await self.relayBody(framing) { _ in }
        return complete && Self.keepsAlive(response, request: head, framing: framing)
    }

    /// The engine's response head and its raw bytes; `nil` if the engine closed first.
    private mutating func readResponseHead() async throws -> (HTTPResponseHead, ArraySlice<UInt8>)? {
        while true {
            if self.upstream!.available > 0 {
                let result = self.upstream!.withAvailable { HTTP1ResponseHeadParser.parse($0) }
                switch result {
                case .complete(let head, let consumed): return (head, self.upstream!.take(consumed))
                case .failed: return nil
                case .needMore: break
                }
            }
            guard try await self.upstream!.fill() else { return nil }
        }
    }

    static func framing(of response: HTTPResponseHead, request: HTTPRequestHead) -> ResponseFraming? {
        let code = response.status.code
        if request.method == .head || (100..<200).contains(code) || code == 204 || code == 304 { return ResponseFraming.none }
        let codings = response.fields.tokens("transfer-encoding")
        if let last = codings.last { return last == "chunked" ? .chunked : .untilClose }
        let lengths = Set(response.fields.values("content-length").map { $0.trimmingHTTPWhitespace() })
        guard let first = lengths.first else { return .untilClose }
        guard lengths.count == 1, let length = HTTP1BodyFraming.parseContentLength(String(first)) else { return nil }
        return .length(length)
    }

    static func keepsAlive(_ response: HTTPResponseHead, request: HTTPRequestHead, framing: ResponseFraming) -> Bool {
        guard framing != .untilClose, request.wantsKeepAlive else { return false }
        let tokens = response.fields.tokens("connection")
        if tokens.contains("close") { return false }
        return response.version == .http1_1 || tokens.contains("keep-alive")
    }

    /// Passes the body on as it arrives (raw, framing included), showing `observe` the decoded
    /// bytes; false if the engine closed before the body ended.
    private mutating func relayBody(_ framing: ResponseFraming, observe: (UnsafeRawBufferPointer) -> Void) async throws -> Bool {
        switch framing {
        case .none:
            return true
        case .length(var remaining):
            while remaining > 0 {
                if self.upstream!.available == 0, try await !self.upstream!.fill() { return false }
                let piece = self.upstream!.take(min(remaining, self.upstream!.available))
                remaining -= piece.count
                piece.withUnsafeBytes { observe($0) }
                try await self.client.write(Array(piece))
            }
            return true
        case .chunked:
            var decoder = HTTP1ChunkedDecoder(limits: Self.limits)
            while !decoder.isComplete {
                if self.upstream!.available == 0, try await !self.upstream!.fill() { return false }
                let result = self.upstream!.withAvailable { bytes in
                    decoder.decode(bytes) { event in
                        if case .data(let offset, let count) = event { observe(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])) }
                    }
                }
                guard case .success(let consumed) = result else { return false }
                try await self.client.write(Array(self.upstream!.take(consumed)))
            }
            return true
        case .untilClose:
            while true {
                if self.upstream!.available > 0 {
                    let piece = self.upstream!.takeAll()
                    piece.withUnsafeBytes { observe($0) }
                    try await self.client.write(Array(piece))
                }
                if try await !self.upstream!.fill() { return true }
            }
        }
    }

    /// A whole (small) response body: the raw bytes to pass on and the decoded ones to read.
    private mutating func collectResponseBody(_ framing: ResponseFraming, limit: Int) async throws -> (raw: [UInt8], decoded: [UInt8]) {
        var raw: [UInt8] = []
        var decoded: [UInt8] = []
        var tooLarge = false
        switch framing {
        case .none:
            break
        case .length(let length):
            guard length <= limit else { throw GuardRefusal(.badGateway, "the engine's answer is larger than \(limit) bytes") }
            while self.upstream!.available < length {
                guard try await self.upstream!.fill() else { throw GuardRefusal(.badGateway, "the engine closed the connection in the middle of its answer") }
            }
            raw = Array(self.upstream!.take(length))
            decoded = raw
        case .chunked:
            var decoder = HTTP1ChunkedDecoder(limits: Self.limits)
            while !decoder.isComplete {
                if self.upstream!.available == 0, try await !self.upstream!.fill() { throw GuardRefusal(.badGateway, "the engine closed the connection in the middle of its answer") }
                let result = self.upstream!.withAvailable { bytes in
                    decoder.decode(bytes) { event in
                        if case .data(let offset, let count) = event {
                            if decoded.count + count > limit { tooLarge = true } else { decoded.append(contentsOf: bytes[offset..<(offset + count)]) }
                        }
                    }
                }
                guard case .success(let consumed) = result, !tooLarge else { throw GuardRefusal(.badGateway, "the engine's answer is malformed or larger than \(limit) bytes") }
                raw.append(contentsOf: self.upstream!.take(consumed))
            }
        case .untilClose:
            while try await self.upstream!.fill() {
                guard self.upstream!.available <= limit else { throw GuardRefusal(.badGateway, "the engine's answer is larger than \(limit) bytes") }
            }
            raw = Array(self.upstream!.takeAll())
            decoded = raw
        }
        return (raw, decoded)
    }

    /// The `Id` of a create's answer.
    static func createdID(_ body: [UInt8]) -> String? {
        guard let tree = try? JSONTree.parse(body), let id = try? tree.string("Id", in: ""), !id.isEmpty else { return nil }
        return id
    }

    /// A response head with a new `Content-Length` and no other framing.
    static func rewrittenHead(_ response: HTTPResponseHead, contentLength: Int) -> [UInt8] {
        var text = "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n"
        for field in response.fields where !field.name.equalsASCIICaseInsensitive("content-length") && !field.name.equalsASCIICaseInsensitive("transfer-encoding") {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Content-Length: \(contentLength)\r\n\r\n"
        return Array(text.utf8)
    }

    // MARK: - Upgrades

    /// Both directions byte for byte until each side has ended its stream; what either side
    /// sent ahead (already read into the buffers) goes first.
    private mutating func splice() async {
        guard var upstream = self.upstream else { return }
        let fromClient = Array(self.client.takeAll())
        let fromEngine = Array(upstream.takeAll())
        let client = self.client.socket
        let engine = upstream.socket
        self.upstream = upstream
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Self.pump(from: client, to: engine, first: fromClient) }
            group.addTask { await Self.pump(from: engine, to: client, first: fromEngine) }
        }
    }

    /// One direction of a splice. At end of stream the other side's write half is shut (it
    /// reads end of stream too); on an error both sockets close, which ends the other
    /// direction as well.
    private static func pump(from source: AsyncSocket, to destination: AsyncSocket, first: [UInt8]) async {
        do {
            if !first.isEmpty { try await destination.write(first) }
            while true {
                let bytes = try await source.read(maximum: BufferedSocket.readSize)
                if bytes.isEmpty {
                    destination.shutdownWrite()
                    return
                }
                try await destination.write(bytes)
            }
        } catch {
            source.close()
            destination.close()
        }
    }
}

/// Whether a progress stream (build, import) reported an error: an `errorDetail` key in one of
/// its JSON messages. Inside a JSON string the quotes would be escaped, so the quoted key only
/// appears as a key (or as a whole string value, which errs on the safe side: the tags are then
/// not recorded). The scanner keeps the end of each piece, so a key split between two pieces is
/// found too.
struct StreamErrorScanner {
    private static let needle = Array(#""errorDetail""#.utf8)
    private var tail: [UInt8] = []
    private(set) var sawError = false

    mutating func scan(_ bytes: UnsafeRawBufferPointer) {
        guard !self.sawError else { return }
        let window = self.tail + bytes
        if window.count >= Self.needle.count {
            for start in 0...(window.count - Self.needle.count) where window[start] == Self.needle[0] {
                if window[start..<(start + Self.needle.count)].elementsEqual(Self.needle) {
                    self.sawError = true
                    return
                }
            }
        }
        self.tail = Array(window.suffix(Self.needle.count - 1))
    }
}
