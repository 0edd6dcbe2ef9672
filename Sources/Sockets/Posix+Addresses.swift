// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

@_exported import SystemCalls

extension Posix {
    /// The address a socket is bound to.
    public static func localAddress(_ fd: CInt) throws(SystemError) -> SocketAddress {
        let (storage, length) = try Posix.localAddressStorage(fd)
        return SocketAddress(storage: storage, length: length)
    }

    /// The address of a socket's peer.
    public static func peerAddress(_ fd: CInt) throws(SystemError) -> SocketAddress {
        let (storage, length) = try Posix.peerAddressStorage(fd)
        return SocketAddress(storage: storage, length: length)
    }
}
