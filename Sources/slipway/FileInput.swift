// slipway — command line
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

import SystemCalls

/// Reads files and standard input for `submit --file`.
enum FileContentsReader {
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws -> [UInt8] {
        do {
            return try Posix.readFile(path)
        } catch {
            throw ReadError(description: error.reason)
        }
    }

    static func readAll(_ descriptor: CInt) throws -> [UInt8] {
        do {
            return try Posix.readAll(descriptor)
        } catch {
            throw ReadError(description: error.reason)
        }
    }
}

enum FileHandleInput {
    static func readStandardInput() throws -> [UInt8] { try FileContentsReader.readAll(0) }
}
