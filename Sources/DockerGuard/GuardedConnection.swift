// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

import Docker
import HTTP
import Logging
import Sockets

/// One client connection to a job's guarded socket, relayed to the engine request by request
/// over a connection of its own.
///
/// Each request head is parsed with the server's strict HTTP/1.1 parser and framing rules (no
/// request smuggling past the guard), decided by ``RequestGuard``, and sent on with the target
/// and body the rules rebuilt. Bodies stream through as they arrive, both ways; an answer that
/// takes the connection over (attach, exec, BuildKit's session and gRPC) turns the connection
/// into a byte-for-byte splice. Everything runs in the connection's task: reads and writes go
/// straight to the non-blocking sockets and suspend only when the kernel says "would block".
struct GuardedConnection {
    let job: GuardedJob
    let settings: DockerGuard.Settings
    let engine: DockerHost
    let loop: EventLoop
    let logger: Logger
    var client: BufferedSocket
    var upstream: BufferedSocket?
    /// An answer went out with `Connection: close` while the client may still be sending: read
    /// and drop what it sends for a moment before closing, or the kernel would reset the
    /// connection and the client might never read the answer.
    private var lingersBeforeClose = false

    static let lingerPeriod: Duration = .seconds(2)
    static let lingerBytes = 8 << 20

    /// Head limits: the engine's Go server accepts heads of up to 1 MiB, and the CLI sends
    /// registry credentials for every configured registry in one header line.
    static let limits: HTTP1Limits = {
        var limits = HTTP1Limits()
        limits.maxHeadBytes = 1 << 20
        limits.maxFieldLineBytes = 1 << 20
        limits.maxRequestLineBytes = 64 * 1024
        limits.maxFieldCount = 500
        return limits
    }()

    init(client: AsyncSocket, job: GuardedJob, settings: DockerGuard.Settings, engine: DockerHost, loop: EventLoop, logger: Logger) {
        self.client = BufferedSocket(client)
        self.job = job
        self.settings = settings
        self.engine = engine
        self.loop = loop
        self.logger = logger
    }

    /// Serves requests until either side closes, a request is refused in a way that ends the
    /// connection, or the task is canceled (the job ended).
    mutating func run() async {
        defer {
            self.client.socket.close()
            self.upstream?.socket.close()
        }
        do {
            while try await self.serveOneRequest() {}
        } catch {
            if !(error is CancellationError) {
                self.logger.debug("guarded connection ended", metadata: ["error": "\(error)"])
            }
        }
        if self.lingersBeforeClose { await self.linger() }
    }

    private func linger() async {
        let deadline = Instant.now() + Self.lingerPeriod
        var drained = 0
        while drained < Self.lingerBytes, let bytes = try? await self.client.socket.read(deadline: deadline), !bytes.isEmpty {
            drained += bytes.count
        }
    }

    // MARK: - One request

    /// Serves the next request; false when the connection is done.
    private mutating func serveOneRequest() async throws -> Bool {
        guard let (head, framing) = try await self.readHead() else { return false }
        var request: EngineRequest
        do {
            request = try EngineRequest(head: head)
        } catch {
            return try await self.refuse(error, head: head, framing: framing.framing, bodyRead: false)
        }
        if framing.expectsContinue {
            try await self.client.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        var bodyRead = false
        if RequestGuard.readsBody(request.endpoint) {
            let bytes: [UInt8]
            do {
                bytes = try await self.collectBody(framing.framing, limit: RequestGuard.maximumInspectedBodyBytes)
            } catch let refusal as GuardRefusal {
                return try await self.refuse(refusal, head: head, framing: framing.framing, bodyRead: false)
            }
            bodyRead = true
            if !bytes.isEmpty {
                do {
                    request.body = try JSONTree.parse(bytes)
                } catch {
                    return try await self.refuse(.badRequest("the request body is not valid JSON: \(error)"), head: head, framing: framing.framing, bodyRead: true)
                }
            }
        }
        var resolved: [ObjectReference: Resolution] = [:]
        var forwarding: Forwarding?
        for _ in 0..<4 {
            switch self.job.rules.decide(request, resolved: resolved) {
            case .forward(let decided):
                forwarding = decided
            case .refuse(let refusal):
                if refusal.rule != nil { self.logger.info("guarded socket refused a request", metadata: ["request": "\(head.method) \(request.path)", "reason": "\(refusal.message)"]) }
                return try await self.refuse(refusal, head: head, framing: framing.framing, bodyRead: bodyRead)
            case .lookUp(let references):
                do {
                    resolved.merge(try await self.job.resolve(references)) { _, new in new }
                } catch let error as DockerError where (400..<500).contains(error.status ?? 0) {
                    // The engine refused the lookup itself (an invalid volume name, say): its answer.
                    return try await self.refuse(GuardRefusal(HTTPStatus(code: error.status!), error.message), head: head, framing: framing.framing, bodyRead: bodyRead)
                } catch {
                    return try await self.refuse(GuardRefusal(.badGateway, "slipway guard: cannot ask the Docker engine about \(references.count == 1 ? "an object" : "objects") of this request: \(error)"),
                                                 head: head, framing: framing.framing, bodyRead: bodyRead)
                }
                continue
            }
            break
        }
        guard let forwarding else {
            return try await self.refuse(GuardRefusal(.internalServerError, "slipway guard: the request needs more lookups than expected"), head: head, framing: framing.framing, bodyRead: bodyRead)
        }
        return try await self.forward(forwarding, request: request, head: head, framing: framing.framing, bodyRead: bodyRead)
    }

    /// The next request head and its framing; `nil` when the client closed between requests.
    /// A connection may sit idle between requests as long as the client likes (the engine
    /// does not time it out either); once a head has begun it must be complete within the
    /// header timeout.
    private mutating func readHead() async throws -> (HTTPRequestHead, HTTP1BodyFraming.Decision)? {
        var parser = HTTP1HeadParser(limits: Self.limits)
        var deadline: Instant?
        while true {
            if self.client.available > 0 {
                let result = self.client.withAvailable { parser.parse($0) }
                switch result {
                case .complete(var head, let consumed):
                    _ = self.client.take(consumed)
                    // The Docker client names the socket's path as the Host of its upgrade
                    // requests; the engine ignores the Host of a Unix socket, and so does the
                    // guard (one Host line is still required, as the engine requires it).
                    if head.fields.count(of: "host") == 1 { head.fields.set(name: "Host", value: "docker") }
                    switch HTTP1BodyFraming.decide(for: head) {
                    case .success(let decision): return (head, decision)
                    case .failure(let error):
                        try await self.respond(GuardRefusal(error.status, "slipway guard: \(error.reason)"), closing: true)
                        return nil
                    }
                case .failed(let error):
                    try await self.respond(GuardRefusal(error.status, "slipway guard: \(error.reason)"), closing: true)
                    return nil
                case .needMore:
                    deadline = deadline ?? Instant.now() + self.settings.headerTimeout
                }
            }
            let more: Bool
            do {
                more = try await self.client.fill(deadline: self.client.available > 0 ? deadline : nil)
            } catch AsyncSocket.Failure.timedOut {
                try? await self.respond(GuardRefusal(.requestTimeout, "slipway guard: the request head did not arrive within \(self.settings.headerTimeout)"), closing: true)
                return nil
            }
            if !more { return nil }
        }
    }

    // MARK: - Refusing

    /// Answers a refusal. The connection stays open when the request's body has been read (or
    /// it had none); otherwise it is closed rather than the body drained.
    mutating func refuse(_ refusal: GuardRefusal, head: HTTPRequestHead, framing: HTTP1BodyFraming, bodyRead: Bool) async throws -> Bool {
        let keepOpen = head.wantsKeepAlive && (bodyRead || framing == .none)
        try await self.respond(refusal, closing: !keepOpen)
        return keepOpen
    }

    mutating func respond(_ refusal: GuardRefusal, closing: Bool) async throws {
        let body = refusal.body
        var head = "HTTP/1.1 \(refusal.status.code) \(refusal.status.reasonPhrase)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        if closing { head += "Connection: close\r\n" }
        head += "\r\n"
        try await self.client.write(Array(head.utf8) + body)
        if closing {
            self.client.socket.shutdownWrite()
            self.lingersBeforeClose = true
        }
    }

    // MARK: - Request bodies

    /// Reads a whole request body (decoded from its framing) of at most `limit` bytes.
    private mutating func collectBody(_ framing: HTTP1BodyFraming, limit: Int) async throws -> [UInt8] {
        var body: [UInt8] = []
        try await self.readBody(framing, decoded: { piece in
            guard body.count + piece.count <= limit else {
                throw GuardRefusal(.contentTooLarge, "slipway guard: the request body is larger than \(limit) bytes")
            }
            body.append(contentsOf: piece)
        })
        return body
    }

    /// Reads the client's body as it arrives until it ends, handing `decoded` the body's bytes
    /// and `raw` the bytes as received (chunk framing included), which are what is forwarded:
    /// the framing was validated strictly, so the engine reads the same body.
    mutating func readBody(_ framing: HTTP1BodyFraming, decoded: (UnsafeRawBufferPointer) throws -> Void = { _ in },
                           raw: (ArraySlice<UInt8>) async throws -> Void = { _ in }) async throws {
        switch framing {
        case .none:
            return
        case .contentLength(var remaining):
            while remaining > 0 {
                if self.client.available == 0 { try await self.fillBody() }
                let piece = self.client.take(min(remaining, self.client.available))
                remaining -= piece.count
                try piece.withUnsafeBytes { try decoded($0) }
                try await raw(piece)
            }
        case .chunked:
            var decoder = HTTP1ChunkedDecoder(limits: Self.limits)
            while !decoder.isComplete {
                if self.client.available == 0 { try await self.fillBody() }
                var failure: (any Error)?
                let result = self.client.withAvailable { bytes in
                    decoder.decode(bytes) { event in
                        guard failure == nil, case .data(let offset, let count) = event else { return }
                        do {
                            try decoded(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                        } catch {
                            failure = error
                        }
                    }
                }
                if let failure { throw failure }
                switch result {
                case .success(let consumed): try await raw(self.client.take(consumed))
                case .failure(let error): throw GuardRefusal(error.status, "slipway guard: \(error.reason)")
                }
            }
        }
    }

    private mutating func fillBody() async throws {
        guard try await self.client.fill(deadline: Instant.now() + self.settings.bodyIdleTimeout) else {
            throw GuardRefusal(.badRequest, "slipway guard: the client closed the connection in the middle of the request body")
        }
    }
}
