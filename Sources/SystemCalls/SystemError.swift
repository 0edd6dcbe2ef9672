// slipway — SystemCalls
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// A system call failed with an errno the caller can act on.
///
/// Bug-class errnos (`EBADF`, `EFAULT`) never become a `SystemError`: they mean our own code is
/// broken, so the funnel in ``Posix`` stops the process instead.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value the call set.
    public var errno: CInt
    /// The name of the call that failed, e.g. `"bind"`.
    public var call: String
    /// What the call was doing, e.g. the address it tried to bind.
    public var context: String?

    public init(errno: CInt, call: String, context: String? = nil) {
        self.errno = errno
        self.call = call
        self.context = context
    }

    /// The C library's text for ``errno``.
    public var reason: String { String(cString: strerror(self.errno)) }

    public var description: String {
        if let context {
            return "\(self.call)(\(context)) failed: \(self.reason) (errno \(self.errno))"
        }
        return "\(self.call) failed: \(self.reason) (errno \(self.errno))"
    }

    /// Returns a copy that says what the failing call was operating on.
    public func with(context: String) -> SystemError {
        var copy = self
        copy.context = context
        return copy
    }
}
