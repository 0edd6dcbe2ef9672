// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

import CZlib

extension BodyInflater {
    /// How messages name the body's coding.
    var codingName: String { format.rawValue }

    /// zlib's `msg`, if it set one.
    var zlibMessage: String? { stream.pointee.msg.map { String(cString: $0) } }

    func outputLimitError() -> CompressionError {
        CompressionError(
            code: .outputLimitExceeded,
            message: "The \(codingName)-compressed request body decompresses to more than \(outputLimit) bytes, the limit for this request; send a smaller body."
        )
    }

    func ratioLimitError(output: Int, input: Int) -> CompressionError {
        CompressionError(
            code: .ratioLimitExceeded,
            message: "The \(codingName)-compressed request body expands more than \(ratioLimit ?? 0) times (\(output) bytes from \(input) compressed bytes so far), which this server refuses as a likely compression bomb; send the body uncompressed or less repetitive."
        )
    }

    func inputLimitError() -> CompressionError {
        CompressionError(
            code: .inputLimitExceeded,
            message: "The \(codingName)-compressed request body is longer than \(inputLimit) bytes, the limit for this request; send a smaller body."
        )
    }

    func trailingGarbageError(extraBytes: Int) -> CompressionError {
        CompressionError(
            code: .trailingGarbage,
            message: "The request body has \(extraBytes) or more bytes after the end of the \(codingName) data; send only the compressed data, or fix Content-Encoding if the body is not \(codingName)-compressed."
        )
    }

    func truncatedError() -> CompressionError {
        CompressionError(
            code: .truncated,
            message: "The \(codingName)-compressed request body ends before its compressed data does (after \(totalInput) bytes); send the complete body."
        )
    }

    func emptyInputError() -> CompressionError {
        CompressionError(
            code: .emptyInput,
            message: "The request body is empty, but Content-Encoding says \(codingName); send a \(codingName)-compressed body or leave out Content-Encoding."
        )
    }

    func presetDictionaryError() -> CompressionError {
        CompressionError(
            code: .invalidHeader,
            message: "The deflate-compressed request body needs a preset dictionary, which HTTP does not provide; compress it without one.",
            cause: .init(returnCode: Z_NEED_DICT, message: zlibMessage)
        )
    }

    func internalError(status: Int32) -> CompressionError {
        CompressionError(
            code: .internalError,
            message: "The server could not decompress the request body; try again later.",
            cause: .init(returnCode: status, message: zlibMessage)
        )
    }

    /// Classifies a `Z_DATA_ERROR` by zlib's message, the only detail zlib gives.
    func dataError() -> CompressionError {
        let zlibSays = zlibMessage
        let cause = CompressionError.ZlibCause(returnCode: Z_DATA_ERROR, message: zlibSays)
        switch zlibSays {
        case "incorrect header check", "unknown compression method", "invalid window size",
             "unknown header flags set", "header crc mismatch":
            let expected = format == .gzip ? "gzip data (it must start with bytes 1f 8b 08)" : "zlib or deflate data"
            return CompressionError(
                code: .invalidHeader,
                message: "The request body is not \(expected) (\(zlibSays ?? "bad header")); check that Content-Encoding says how the body was really compressed.",
                cause: cause
            )
        case "incorrect data check":
            let check = format == .gzip ? "CRC-32" : "Adler-32"
            return CompressionError(
                code: .checksumMismatch,
                message: "The \(codingName)-compressed request body fails its \(check) check, so it was damaged or altered on the way; compress it again and resend it.",
                cause: cause
            )
        case "incorrect length check":
            return CompressionError(
                code: .lengthMismatch,
                message: "The gzip trailer of the request body gives a length (ISIZE) that differs from the decompressed length, so it was damaged or altered on the way; compress it again and resend it.",
                cause: cause
            )
        default:
            return CompressionError(
                code: .corruptData,
                message: "The \(codingName)-compressed request body is corrupt (\(zlibSays ?? "invalid deflate data")); compress it again and resend it.",
                cause: cause
            )
        }
    }
}
