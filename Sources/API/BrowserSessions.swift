// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Synchronization

/// Sessions of people using the web pages. A browser cannot send `Authorization: Bearer`
/// on a navigation or an `EventSource`, so a person presents an API token once (`POST
/// /login`) and gets a random session id in an `HttpOnly`, `SameSite=Strict` cookie instead.
/// A session carries the name of the token it was opened with and nothing more: every check
/// asks ``AccessPolicy`` for that token's current scope, so the token model stays the only
/// model of who may do what.
///
/// A session is also where a page's forms get their CSRF token: one random value per session,
/// checked on every form post. In memory only: a restart signs everyone out.
public final class BrowserSessions: Sendable {
    /// One signed-in (or, without tokens, anonymous) browser.
    public struct Session: Sendable, Hashable {
        /// The cookie's value: 32 random bytes, base64url without padding.
        public let id: String
        /// The token the session was opened with; `nil` for a session without one (an
        /// install without tokens, or anonymous reading), which exists only to carry the
        /// CSRF token of its forms.
        public let tokenName: String?
        /// The value forms must echo in their `csrf` field.
        public let csrfToken: String
        let expires: ContinuousClock.Instant
    }

    public static let cookieName = "slipway_session"

    private struct State {
        var sessions: [String: Session] = [:]
        /// Session ids oldest first, for eviction once `capacity` is reached.
        var order: [String] = []
    }

    public let lifetime: Duration
    public let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    /// - Parameters:
    ///   - lifetime: how long a session lasts after it is opened.
    ///   - capacity: sessions kept at most; the oldest goes first (a flood of sign-ins cannot
    ///     exhaust memory, only sign out the oldest sessions).
    ///   - now: the clock (tests move it).
    public init(lifetime: Duration = .seconds(12 * 3600), capacity: Int = 10_000,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// Opens a session for `tokenName` (`nil`: a session that only carries a CSRF token).
    public func open(tokenName: String?) -> Session {
        let session = Session(id: Self.randomToken(), tokenName: tokenName, csrfToken: Self.randomToken(), expires: self.now() + self.lifetime)
        self.state.withLock { state in
            state.sessions[session.id] = session
            state.order.append(session.id)
            // Expired and evicted ids are dropped from the front only: amortized, no scan.
            while state.order.count > self.capacity || (state.order.first.map { state.sessions[$0] == nil } ?? false) {
                let oldest = state.order.removeFirst()
                state.sessions[oldest] = nil
            }
            if state.order.count > 2 * self.capacity { state.order.removeAll { state.sessions[$0] == nil } }
        }
        return session
    }

    /// The live session whose id `request`'s `Cookie` header carries, if any.
    public func session(for request: HTTPRequest) -> Session? {
        guard let id = Self.cookie(Self.cookieName, in: request.fields) else { return nil }
        return self.session(id: id)
    }

    /// The live session with `id`; an expired one is forgotten.
    public func session(id: String) -> Session? {
        guard Self.isWellFormed(id) else { return nil }
        let now = self.now()
        return self.state.withLock { state in
            guard let session = state.sessions[id] else { return nil }
            guard session.expires > now else {
                state.sessions[id] = nil
                return nil
            }
            return session
        }
    }

    /// Ends session `id` (sign out).
    public func close(id: String) {
        _ = self.state.withLock { $0.sessions.removeValue(forKey: id) }
    }

    /// Sessions open now (tests, metrics).
    public var count: Int { self.state.withLock { $0.sessions.count } }

    // MARK: - Values

    /// 32 random bytes from the system's CSPRNG (getrandom), base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            var word = generator.next() as UInt64
            for _ in 0..<8 {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return Base64URL.encode(bytes)
    }

    /// Whether `id` could be a session id (43 base64url characters): anything else is not
    /// looked up at all.
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 43 && id.utf8.allSatisfy(Base64URL.isAlphabet)
    }

    /// The value of cookie `name` in the request's `Cookie` fields (HTTP/2 may split them
    /// into several), or nil. Malformed pairs are skipped; at most 64 pairs are read.
    public static func cookie(_ name: String, in fields: HTTPFields) -> String? {
        var seen = 0
        for value in fields.values("Cookie") {
            for pair in value.split(separator: ";", omittingEmptySubsequences: true) {
                seen += 1
                if seen > 64 { return nil }
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let key = pair[..<equals].trimmingHTTPWhitespace()
                guard key == name else { continue }
                var cookieValue = pair[pair.index(after: equals)...].trimmingHTTPWhitespace()
                if cookieValue.hasPrefix("\""), cookieValue.hasSuffix("\""), cookieValue.count >= 2 {
                    cookieValue = cookieValue.dropFirst().dropLast()
                }
                return String(cookieValue)
            }
        }
        return nil
    }

    /// Compares two secrets in time that does not depend on where they first differ.
    public static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// base64url (RFC 4648 §5) without padding.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            output.append(self.alphabet[Int(triple >> 18 & 63)])
            output.append(self.alphabet[Int(triple >> 12 & 63)])
            if index + 1 < bytes.count { output.append(self.alphabet[Int(triple >> 6 & 63)]) }
            if index + 2 < bytes.count { output.append(self.alphabet[Int(triple & 63)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
