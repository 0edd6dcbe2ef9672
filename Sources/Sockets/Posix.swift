// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem

// Each C function is bound once so that nothing (ARC traffic, logging) runs between the
// call and the read of errno; see `Posix.syscall`.
private let sysSend = Glibc.send
private let sysRecv = Glibc.recv
private let sysSendmsg = Glibc.sendmsg
private let sysClose = Glibc.close
private let sysShutdown = Glibc.shutdown
private let sysAccept4 = CSystem.csystem_accept4
private let sysSocket = Glibc.socket
private let sysBind = Glibc.bind
private let sysListen = Glibc.listen
private let sysConnect = Glibc.connect
private let sysSetsockopt = Glibc.setsockopt
private let sysGetsockopt = Glibc.getsockopt
private let sysGetsockname = Glibc.getsockname
private let sysGetpeername = Glibc.getpeername
private let sysEpollCreate1 = CSystem.epoll_create1
private let sysEpollCtl = CSystem.epoll_ctl
private let sysEpollWait = CSystem.epoll_wait
private let sysEventfd = CSystem.eventfd
private let sysUnlink = Glibc.unlink
private let sysPipe2 = CSystem.csystem_pipe2
private let sysRead = Glibc.read
private let sysWrite = Glibc.write
private let sysPoll = Glibc.poll
private let sysOpen = CSystem.csystem_open
private let sysFcntl = CSystem.csystem_fcntl
private let sysWaitpid = Glibc.waitpid
private let sysKill = Glibc.kill
private let sysPidfdOpen = CSystem.csystem_pidfd_open

/// The funnel every system call in slipway goes through.
///
/// It retries `EINTR`, turns `EAGAIN`/`EWOULDBLOCK` into ``IOResult/wouldBlock`` for
/// non-blocking calls, and throws every other errno as a ``SystemError``. Errnos that can only
/// mean a bug in our own code (`EBADF`, `EFAULT`) stop the process: continuing would act on a
/// descriptor that may already belong to someone else.
public enum Posix {
    @inline(__always)
    static func syscall<T: FixedWidthInteger>(
        _ name: StaticString,
        blocking: Bool,
        _ body: () -> T
    ) throws(SystemError) -> IOResult<T> {
        while true {
            let result = body()
            if result >= 0 { return .processed(result) }
            let err = csystem_errno()
            switch err {
            case EINTR:
                continue
            case EAGAIN where blocking, EWOULDBLOCK where blocking:
                return .wouldBlock
            case EBADF, EFAULT:
                preconditionFailure("\(name) failed with errno \(err): a bug in slipway's descriptor handling")
            default:
                throw SystemError(errno: err, call: "\(name)")
            }
        }
    }

    @inline(__always)
    static func syscall<T: FixedWidthInteger>(_ name: StaticString, _ body: () -> T) throws(SystemError) -> T {
        guard case .processed(let value) = try syscall(name, blocking: false, body) else {
            preconditionFailure("unreachable: a blocking-mode call cannot report wouldBlock")
        }
        return value
    }

    // MARK: - Descriptors

    /// `send(2)` with `MSG_NOSIGNAL`: a peer that closed the connection is `EPIPE`, not a
    /// SIGPIPE that kills a process which did not ignore it (a library cannot assume that).
    @inline(never)
    public static func sendNoSignal(_ fd: CInt, from pointer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try syscall("send", blocking: true) { sysSend(fd, pointer.baseAddress, pointer.count, CInt(MSG_NOSIGNAL)) }
    }

    /// `recv(2)` without flags: for sockets the same as `read(2)`, minus the kernel's file-position
    /// and VFS bookkeeping (a few percent of a small request's kernel time).
    @inline(never)
    public static func receive(_ fd: CInt, into pointer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try syscall("recv", blocking: true) { sysRecv(fd, pointer.baseAddress, pointer.count, 0) }
    }

    /// `recv(2)` of one byte with `MSG_PEEK | MSG_DONTWAIT`: what a read would find, without
    /// taking it and without blocking. 0 bytes means the peer closed its side.
    public static func peekByte(_ fd: CInt) throws(SystemError) -> IOResult<Int> {
        var byte: UInt8 = 0
        return try syscall("recv", blocking: true) { sysRecv(fd, &byte, 1, CInt(MSG_PEEK | MSG_DONTWAIT)) }
    }

    /// `sendmsg(2)` with `MSG_NOSIGNAL`: the socket form of `writev`, see ``sendNoSignal(_:from:)``.
    @inline(never)
    public static func sendmsgNoSignal(_ fd: CInt, _ iovecs: UnsafeBufferPointer<iovec>) throws(SystemError) -> IOResult<Int> {
        var message = msghdr()
        message.msg_iov = UnsafeMutablePointer(mutating: iovecs.baseAddress)
        message.msg_iovlen = iovecs.count
        return try syscall("sendmsg", blocking: true) { sysSendmsg(fd, &message, CInt(MSG_NOSIGNAL)) }
    }

    /// Closes a descriptor. `EINTR` is not retried: on Linux the descriptor is released even
    /// when close is interrupted, and a retry could close a descriptor another thread just got.
    @inline(never)
    public static func close(_ fd: CInt) {
        let result = sysClose(fd)
        if result < 0 {
            let err = csystem_errno()
            precondition(err != EBADF, "close(\(fd)) failed with EBADF: descriptor closed twice")
        }
    }

    @inline(never)
    public static func shutdown(_ fd: CInt, how: CInt) throws(SystemError) {
        do {
            _ = try syscall("shutdown") { sysShutdown(fd, how) }
        } catch where error.errno == ENOTCONN {
            // The peer is already gone; there is nothing left to shut down.
        }
    }

    @inline(never)
    public static func pipe() throws(SystemError) -> (read: CInt, write: CInt) {
        var fds: [CInt] = [-1, -1]
        _ = try syscall("pipe2") { sysPipe2(&fds, CInt(O_CLOEXEC | O_NONBLOCK)) }
        return (fds[0], fds[1])
    }

    @inline(never)
    public static func unlink(_ path: String) {
        _ = sysUnlink(path)
    }

    // MARK: - Sockets

    @inline(never)
    public static func socket(domain: CInt, type: CInt) throws(SystemError) -> CInt {
        try syscall("socket") { sysSocket(domain, type | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0) }
    }

    @inline(never)
    public static func bind(_ fd: CInt, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) throws(SystemError) {
        _ = try syscall("bind") { sysBind(fd, address, length) }
    }

    @inline(never)
    public static func listen(_ fd: CInt, backlog: CInt) throws(SystemError) {
        _ = try syscall("listen") { sysListen(fd, backlog) }
    }

    /// Accepts one connection as a non-blocking, close-on-exec descriptor.
    @inline(never)
    public static func accept(_ fd: CInt) throws(SystemError) -> IOResult<CInt> {
        try syscall("accept4", blocking: true) {
            sysAccept4(fd, CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue))
        }
    }

    /// Starts a non-blocking connect; `.wouldBlock` means "in progress" (`EINPROGRESS`).
    @inline(never)
    public static func connect(_ fd: CInt, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) throws(SystemError) -> IOResult<Void> {
        while true {
            if sysConnect(fd, address, length) == 0 { return .processed(()) }
            let err = csystem_errno()
            switch err {
            case EINTR: continue
            case EINPROGRESS, EAGAIN: return .wouldBlock
            case EBADF, EFAULT: preconditionFailure("connect failed with errno \(err)")
            default: throw SystemError(errno: err, call: "connect")
            }
        }
    }

    @inline(never)
    public static func setOption(_ fd: CInt, level: CInt, name: CInt, value: CInt) throws(SystemError) {
        var value = value
        _ = try syscall("setsockopt") {
            sysSetsockopt(fd, level, name, &value, socklen_t(MemoryLayout<CInt>.size))
        }
    }

    @inline(never)
    public static func getOption(_ fd: CInt, level: CInt, name: CInt) throws(SystemError) -> CInt {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        _ = try syscall("getsockopt") { sysGetsockopt(fd, level, name, &value, &length) }
        return value
    }

    @inline(never)
    public static func localAddress(_ fd: CInt) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) in
                try syscall("getsockname") { sysGetsockname(fd, address, &length) }
            }
        }
        return SocketAddress(storage: storage, length: length)
    }

    @inline(never)
    public static func peerAddress(_ fd: CInt) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) in
                try syscall("getpeername") { sysGetpeername(fd, address, &length) }
            }
        }
        return SocketAddress(storage: storage, length: length)
    }

    // MARK: - epoll and eventfd

    @inline(never)
    public static func epollCreate() throws(SystemError) -> CInt {
        try syscall("epoll_create1") { sysEpollCreate1(CInt(EPOLL_CLOEXEC)) }
    }

    @inline(never)
    public static func epollControl(_ epfd: CInt, _ op: CInt, _ fd: CInt, events: UInt32, data: UInt64) throws(SystemError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = data
        _ = try syscall("epoll_ctl") { sysEpollCtl(epfd, op, fd, &event) }
    }

    /// Waits for events; an interrupted wait returns zero events rather than retrying, so the
    /// caller recomputes its timeout.
    @inline(never)
    public static func epollWait(_ epfd: CInt, _ events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: CInt) throws(SystemError) -> Int {
        let result = sysEpollWait(epfd, events.baseAddress, CInt(events.count), timeoutMilliseconds)
        if result >= 0 { return Int(result) }
        let err = csystem_errno()
        if err == EINTR { return 0 }
        throw SystemError(errno: err, call: "epoll_wait")
    }

    @inline(never)
    public static func eventfd() throws(SystemError) -> CInt {
        try syscall("eventfd") { sysEventfd(0, CInt(EFD_NONBLOCK | EFD_CLOEXEC)) }
    }

    // MARK: - Files, pipes and processes

    /// `read(2)`; `.wouldBlock` only for a non-blocking descriptor with nothing to read.
    @inline(never)
    public static func read(_ fd: CInt, into pointer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try syscall("read", blocking: true) { sysRead(fd, pointer.baseAddress, pointer.count) }
    }

    /// `write(2)`; `.wouldBlock` only for a non-blocking descriptor that is full.
    @inline(never)
    public static func write(_ fd: CInt, from pointer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try syscall("write", blocking: true) { sysWrite(fd, pointer.baseAddress, pointer.count) }
    }

    /// `open(2)`, always close-on-exec.
    @inline(never)
    public static func open(_ path: String, flags: CInt, mode: mode_t = 0o644) throws(SystemError) -> CInt {
        do {
            return try syscall("open") { path.withCString { sysOpen($0, flags | O_CLOEXEC, UInt32(mode)) } }
        } catch {
            throw error.with(context: path)
        }
    }

    /// A pipe whose ends are both close-on-exec and blocking (a child's standard streams must
    /// block); make the parent's end non-blocking with ``setNonBlocking(_:)``.
    @inline(never)
    public static func blockingPipe() throws(SystemError) -> (read: CInt, write: CInt) {
        var fds: [CInt] = [-1, -1]
        _ = try syscall("pipe2") { sysPipe2(&fds, CInt(O_CLOEXEC)) }
        return (fds[0], fds[1])
    }

    @inline(never)
    public static func setNonBlocking(_ fd: CInt) throws(SystemError) {
        let flags = try syscall("fcntl") { sysFcntl(fd, F_GETFL, 0) }
        _ = try syscall("fcntl") { sysFcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// `poll(2)`; an interrupted wait returns zero ready descriptors, so the caller recomputes
    /// its timeout.
    @inline(never)
    public static func poll(_ fds: UnsafeMutableBufferPointer<pollfd>, timeoutMilliseconds: CInt) throws(SystemError) -> Int {
        let result = sysPoll(fds.baseAddress, nfds_t(fds.count), timeoutMilliseconds)
        if result >= 0 { return Int(result) }
        let err = csystem_errno()
        if err == EINTR { return 0 }
        throw SystemError(errno: err, call: "poll")
    }

    /// `waitpid(2)`: the raw status, or nil with `WNOHANG` when the child has not exited yet.
    @inline(never)
    public static func waitpid(_ pid: pid_t, options: CInt = 0) throws(SystemError) -> CInt? {
        var status: CInt = 0
        let reaped = try syscall("waitpid") { sysWaitpid(pid, &status, options) }
        return reaped == 0 ? nil : status
    }

    /// `kill(2)`; a process that is already gone (`ESRCH`) is not an error.
    @inline(never)
    public static func kill(_ pid: pid_t, _ signal: CInt) {
        _ = sysKill(pid, signal)
    }

    /// `pidfd_open(2)`: readable once `pid` exits; nil on kernels without pidfds (before 5.3).
    @inline(never)
    public static func pidfdOpen(_ pid: pid_t) throws(SystemError) -> CInt? {
        do {
            return try syscall("pidfd_open") { sysPidfdOpen(pid) }
        } catch where error.errno == ENOSYS {
            return nil
        }
    }
}
