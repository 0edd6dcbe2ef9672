// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// A non-blocking socket descriptor, closed exactly once: by ``close()`` or when the value is
/// dropped.
public struct Socket: ~Copyable {
    /// The raw descriptor, valid for as long as this value lives.
    public let descriptor: CInt

    /// Takes ownership of an open descriptor.
    public init(adopting descriptor: CInt) {
        self.descriptor = descriptor
    }

    deinit {
        Posix.close(self.descriptor)
    }

    /// Closes the descriptor.
    public consuming func close() {}

    /// Gives up ownership without closing; the caller becomes responsible for the descriptor.
    public consuming func release() -> CInt {
        let descriptor = self.descriptor
        discard self
        return descriptor
    }

    // MARK: - Making sockets

    /// Creates a socket bound to `address` and listening with `backlog`.
    ///
    /// TCP listeners get `SO_REUSEADDR` (a restart must not fail on connections in TIME_WAIT);
    /// IPv6 listeners are IPv6-only so that `[::]:8080` and `0.0.0.0:8080` can coexist. A Unix
    /// socket path left by an earlier process is removed first, but only if it is a socket.
    public static func listening(on address: SocketAddress, backlog: CInt = 1024) throws(SystemError) -> Socket {
        let socket = Socket(adopting: try Posix.socket(domain: address.family, type: CInt(SOCK_STREAM.rawValue)))
        switch address {
        case .ipv4:
            try Posix.setOption(socket.descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        case .ipv6:
            try Posix.setOption(socket.descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            try Posix.setOption(socket.descriptor, level: CInt(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
        case .unix(let path):
            removeStaleUnixSocket(at: path)
        }
        do {
            try address.withSockAddr { (pointer, length) throws(SystemError) in
                try Posix.bind(socket.descriptor, pointer, length)
            }
            try Posix.listen(socket.descriptor, backlog: backlog)
        } catch {
            throw error.with(context: address.description)
        }
        return socket
    }

    /// Starts connecting to `address`; `isConnected` is set to false while the connect is in
    /// progress (wait for writability, then check ``pendingError()``).
    public static func connecting(to address: SocketAddress, isConnected: inout Bool) throws(SystemError) -> Socket {
        let socket = Socket(adopting: try Posix.socket(domain: address.family, type: CInt(SOCK_STREAM.rawValue)))
        let result: IOResult<Void>
        do {
            result = try address.withSockAddr { (pointer, length) throws(SystemError) in
                try Posix.connect(socket.descriptor, pointer, length)
            }
        } catch {
            throw error.with(context: address.description)
        }
        if !address.isUnix {
            try socket.setNoDelay()
        }
        switch result {
        case .processed: isConnected = true
        case .wouldBlock: isConnected = false
        }
        return socket
    }

    private static func removeStaleUnixSocket(at path: String) {
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK {
            Posix.unlink(path)
        }
    }

    // MARK: - Options

    /// Disables Nagle's algorithm: a small response must not wait for the peer's delayed ACK.
    public func setNoDelay() throws(SystemError) {
        try Posix.setOption(self.descriptor, level: CInt(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    /// The error of an asynchronous connect, or `nil` once it succeeded.
    public func pendingError() throws(SystemError) -> SystemError? {
        let code = try Posix.getOption(self.descriptor, level: SOL_SOCKET, name: SO_ERROR)
        return code == 0 ? nil : SystemError(errno: code, call: "connect")
    }

    public func localAddress() throws(SystemError) -> SocketAddress {
        try Posix.localAddress(self.descriptor)
    }

    // MARK: - I/O

    /// Accepts one pending connection; the caller owns the returned descriptor (wrap it with
    /// ``init(adopting:)``).
    public func accept() throws(SystemError) -> IOResult<CInt> {
        try Posix.accept(self.descriptor)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try Posix.receive(self.descriptor, into: buffer)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try Posix.sendNoSignal(self.descriptor, from: bytes)
    }

    /// Half-closes the write side, so the peer reads end-of-stream after our last bytes.
    public func shutdownWrite() {
        try? Posix.shutdown(self.descriptor, how: CInt(SHUT_WR))
    }
}
