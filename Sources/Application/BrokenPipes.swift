// slipway — Application
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// SIGPIPE for the whole process.
public enum BrokenPipes {
    /// Ignores SIGPIPE: a write to a closed socket or pipe must fail with EPIPE, not kill
    /// slipway.
    public static func ignore() {
        signal(SIGPIPE, SIG_IGN)
    }
}
