// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets
import TLS

/// The byte stream an ``HTTPClient`` connection runs over: a plain socket (TCP or Unix) or a
/// TLS session on one.
///
/// The client frames HTTP/1.1 on top and needs nothing else, so a transport is four calls.
/// Errors keep the socket's types (``AsyncSocket/Failure``, ``SystemError``) for the same
/// failures on either transport, which is how the client recognises a timeout or a pooled
/// connection the server has closed.
public protocol HTTPClientTransport: AnyObject, Sendable {
    /// Reads at most `maximum` bytes; an empty result means the peer closed its side.
    func read(maximum: Int, deadline: Instant?) async throws -> [UInt8]
    /// Writes every byte of `bytes`.
    func write(_ bytes: [UInt8], deadline: Instant?) async throws
    /// Closes the transport; waiting reads and writes fail.
    func close()
    /// Whether the transport is open and nothing has arrived from the peer (no bytes, no
    /// close), checked without blocking: an idle pooled connection must be, to be reused.
    var isOpenAndQuiet: Bool { get }
}

extension AsyncSocket: HTTPClientTransport {}

extension TLSConnection: HTTPClientTransport {
    /// Checked on the socket: on an idle connection even a TLS record (a `close_notify`) means
    /// the server is done with it. A `close_notify` that arrived with the last response and was
    /// read into the TLS session already is not seen here; the server's FIN, which follows it,
    /// is.
    public var isOpenAndQuiet: Bool { self.socket.isOpenAndQuiet }
}
