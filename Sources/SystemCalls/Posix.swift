// slipway — SystemCalls
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
private let sysPread = Glibc.pread
private let sysFstat = Glibc.fstat
private let sysLstat = Glibc.lstat
private let sysMkdir = Glibc.mkdir
private let sysChmod = Glibc.chmod
private let sysRmdir = Glibc.rmdir
private let sysUnlinkFile = Glibc.unlink
private let sysFsync = Glibc.fsync
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

    /// `getsockname(2)`: the raw address (``SocketAddress`` in Sockets wraps it).
    @inline(never)
    public static func localAddressStorage(_ fd: CInt) throws(SystemError) -> (storage: sockaddr_storage, length: socklen_t) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) in
                try syscall("getsockname") { sysGetsockname(fd, address, &length) }
            }
        }
        return (storage, length)
    }

    /// `getpeername(2)`: the raw address (``SocketAddress`` in Sockets wraps it).
    @inline(never)
    public static func peerAddressStorage(_ fd: CInt) throws(SystemError) -> (storage: sockaddr_storage, length: socklen_t) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) in
                try syscall("getpeername") { sysGetpeername(fd, address, &length) }
            }
        }
        return (storage, length)
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

    // MARK: - Files and directories

    /// `pread(2)`: up to `pointer.count` bytes at `offset`; 0 at the end of the file.
    @inline(never)
    public static func pread(_ fd: CInt, into pointer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemError) -> Int {
        try syscall("pread") { sysPread(fd, pointer.baseAddress, pointer.count, off_t(offset)) }
    }

    /// Writes all of `bytes` to a blocking descriptor, however many calls it takes.
    @inline(never)
    public static func writeAll(_ fd: CInt, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            guard case .processed(let written) = try Posix.write(fd, from: UnsafeRawBufferPointer(rebasing: bytes[offset...])) else {
                preconditionFailure("writeAll is for blocking descriptors")
            }
            offset += written
        }
    }

    @inline(never)
    public static func fstat(_ fd: CInt) throws(SystemError) -> stat {
        var info = stat()
        _ = try syscall("fstat") { sysFstat(fd, &info) }
        return info
    }

    /// `lstat(2)` (symbolic links are not followed); nil when nothing is at `path`.
    @inline(never)
    public static func lstat(_ path: String) throws(SystemError) -> stat? {
        var info = stat()
        do {
            _ = try syscall("lstat") { path.withCString { sysLstat($0, &info) } }
            return info
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw error.with(context: path)
        }
    }

    /// `mkdir(2)`; a directory that is already there is not an error when `existingIsFine`.
    @inline(never)
    public static func mkdir(_ path: String, mode: mode_t, existingIsFine: Bool = true) throws(SystemError) {
        do {
            _ = try syscall("mkdir") { path.withCString { sysMkdir($0, mode) } }
        } catch where error.errno == EEXIST && existingIsFine {
            return
        } catch {
            throw error.with(context: path)
        }
    }

    @inline(never)
    public static func chmod(_ path: String, mode: mode_t) throws(SystemError) {
        do {
            _ = try syscall("chmod") { path.withCString { sysChmod($0, mode) } }
        } catch {
            throw error.with(context: path)
        }
    }

    /// `rmdir(2)` of an empty directory.
    @inline(never)
    public static func rmdir(_ path: String) throws(SystemError) {
        do {
            _ = try syscall("rmdir") { path.withCString { sysRmdir($0) } }
        } catch {
            throw error.with(context: path)
        }
    }

    /// `unlink(2)` of a file or symbolic link (never followed).
    @inline(never)
    public static func removeFile(_ path: String) throws(SystemError) {
        do {
            _ = try syscall("unlink") { path.withCString { sysUnlinkFile($0) } }
        } catch {
            throw error.with(context: path)
        }
    }

    @inline(never)
    public static func fsync(_ fd: CInt) throws(SystemError) {
        _ = try syscall("fsync") { sysFsync(fd) }
    }

    /// Everything a blocking descriptor yields until its end; `EFBIG` past `limit` bytes.
    public static func readAll(_ fd: CInt, limit: Int = Int.max) throws(SystemError) -> [UInt8] {
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let result = buffer.withUnsafeMutableBytes { raw in Result { () throws(SystemError) in try Posix.read(fd, into: raw) } }
            guard case .processed(let count) = try result.get() else { preconditionFailure("readAll is for blocking descriptors") }
            if count == 0 { return contents }
            guard contents.count + count <= limit else { throw SystemError(errno: EFBIG, call: "read") }
            contents.append(contentsOf: buffer[0..<count])
        }
    }

    /// The whole file at `path`; `EFBIG` past `limit` bytes.
    public static func readFile(_ path: String, limit: Int = Int.max) throws(SystemError) -> [UInt8] {
        let fd = try Posix.open(path, flags: O_RDONLY)
        defer { Posix.close(fd) }
        do {
            return try Posix.readAll(fd, limit: limit)
        } catch {
            throw error.with(context: path)
        }
    }

    /// The names in directory `path`, without `.` and `..`.
    @inline(never)
    public static func directoryEntries(_ path: String) throws(SystemError) -> [String] {
        guard let directory = path.withCString({ opendir($0) }) else {
            throw SystemError(errno: csystem_errno(), call: "opendir", context: path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            // readdir(3): NULL with errno unchanged at the end, with errno set on an error.
            csystem_set_errno(0)
            guard let entry = readdir(directory) else {
                let err = csystem_errno()
                if err != 0 { throw SystemError(errno: err, call: "readdir", context: path) }
                return names
            }
            let name = Self.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// The name in a directory entry, read in place. Never `entry.pointee.d_name`: that copies
    /// all 256 bytes `struct dirent` declares, while the kernel packs entries only as long as
    /// their names, so the copy of the last entry of a `getdents` buffer can read past its end
    /// into an unmapped page (Foundation's Process crashed that way, reading `/proc/self/fd`).
    public static func name(of entry: UnsafePointer<dirent>) -> String {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
    }

    /// Removes `path` and everything below it without following symbolic links (a link to
    /// `/` inside is removed, not walked). What cannot be removed is left, and the first such
    /// failure is thrown after the rest was tried.
    public static func removeTree(_ path: String) throws(SystemError) {
        guard let info = try Posix.lstat(path) else { return }
        var failure: SystemError?
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try Posix.directoryEntries(path) {
                do {
                    try removeTree("\(path)/\(name)")
                } catch {
                    failure = failure ?? error
                }
            }
            do {
                try Posix.rmdir(path)
            } catch {
                failure = failure ?? error
            }
        } else {
            try Posix.removeFile(path)
        }
        if let failure { throw failure }
    }
}
