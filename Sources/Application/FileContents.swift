// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import SystemCalls

/// Small configuration files (tokens, certificates, the configuration itself), read through
/// the syscall funnel.
enum FileContents {
    /// Reads a whole (small) file as UTF-8 text.
    static func readString(_ path: String) throws(SystemError) -> String {
        String(decoding: try Posix.readFile(path, limit: 16 * 1024 * 1024), as: UTF8.self)
    }
}
