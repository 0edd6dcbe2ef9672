// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

/// Why a compressed request body was refused.
///
/// One struct rather than an enum with payloads, so callers switch on ``code`` to pick an
/// HTTP status and hand ``message`` to the client as-is, while ``cause`` keeps zlib's own
/// words for the log.
public struct CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarse enough to choose a response status from.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The decompressed body is larger than the body limit (answer 413).
        case outputLimitExceeded
        /// The body expands more than the allowed ratio: a likely compression bomb (answer 413).
        case ratioLimitExceeded
        /// The compressed body itself is larger than allowed, even before decompressing (answer 413).
        case inputLimitExceeded
        /// The body does not start like the declared format: wrong magic bytes, unknown
        /// method, reserved flags, bad header checksum, or a preset dictionary (answer 400).
        case invalidHeader
        /// The compressed data is invalid deflate data (answer 400).
        case corruptData
        /// The CRC-32 (gzip) or Adler-32 (zlib) of the decompressed data does not match
        /// the trailer (answer 400).
        case checksumMismatch
        /// The gzip ISIZE trailer field does not match the decompressed length (answer 400).
        case lengthMismatch
        /// The body ends before the compressed stream does (answer 400).
        case truncated
        /// Bytes follow the end of the compressed stream (answer 400).
        case trailingGarbage
        /// The body is empty although a content coding was declared (answer 400).
        case emptyInput
        /// zlib failed for a reason that is not the client's fault, such as memory
        /// exhaustion (answer 500).
        case internalError
    }

    /// What zlib itself reported, kept for logs and debugging rather than for clients.
    public struct ZlibCause: Sendable, Equatable, CustomStringConvertible {
        /// zlib's return code, for example `Z_DATA_ERROR` (-3).
        public var returnCode: Int32
        /// zlib's `msg` string, when it set one.
        public var message: String?

        /// Creates a cause from a zlib return code and message.
        public init(returnCode: Int32, message: String?) {
            self.returnCode = returnCode
            self.message = message
        }

        /// The symbolic name of ``returnCode``, as zlib.h spells it.
        public var returnCodeName: String {
            switch returnCode {
            case 0: "Z_OK"
            case 1: "Z_STREAM_END"
            case 2: "Z_NEED_DICT"
            case -1: "Z_ERRNO"
            case -2: "Z_STREAM_ERROR"
            case -3: "Z_DATA_ERROR"
            case -4: "Z_MEM_ERROR"
            case -5: "Z_BUF_ERROR"
            case -6: "Z_VERSION_ERROR"
            default: "zlib return code \(returnCode)"
            }
        }

        /// `Z_DATA_ERROR: incorrect data check`, for logs.
        public var description: String {
            if let message { "\(returnCodeName): \(message)" } else { returnCodeName }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence the client can act on, suitable for a problem+json `detail`.
    public var message: String
    /// zlib's return code and message, when zlib detected the failure.
    public var cause: ZlibCause?

    /// Creates an error.
    public init(code: Code, message: String, cause: ZlibCause? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, followed by zlib's cause when there is one.
    public var description: String {
        if let cause { "\(code.rawValue): \(message) (\(cause))" } else { "\(code.rawValue): \(message)" }
    }
}
