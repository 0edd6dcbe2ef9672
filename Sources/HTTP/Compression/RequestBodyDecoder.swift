// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Compression

/// Decodes a request body sent with `Content-Encoding: gzip` or `deflate` as it arrives,
/// within the route's body limit (after decoding) and the inflater's ratio limit, so a gzip
/// bomb is stopped after a few hundred KiB of work. Errors are the responses to send:
/// 413 for a limit, 400 for a corrupt or truncated stream, 415 for a coding we do not
/// decode (RFC 9110 §15.5.16).
final class RequestBodyDecoder {
    private var inflater: BodyInflater
    private(set) var output: [UInt8] = []

    private init(format: CompressionFormat, limit: Int) {
        self.inflater = BodyInflater(format: format, outputLimit: limit)
    }

    /// A decoder for a body with `fields`, `nil` for an unencoded body, or the 415 to answer.
    static func make(for fields: HTTPFields, limit: Int) -> Result<RequestBodyDecoder?, HTTPError> {
        let values = fields.values("content-encoding")
        if values.isEmpty { return .success(nil) }
        switch ContentCoding.parseContentEncoding(values.joined(separator: ", ")) {
        case .success(let coding):
            guard let format = coding.compressionFormat else { return .success(nil) }
            return .success(RequestBodyDecoder(format: format, limit: limit))
        case .failure(let unsupported):
            let accepted = ContentCoding.requestCodings.map(\.rawValue).joined(separator: ", ")
            return .failure(HTTPError(.unsupportedMediaType, unsupported.message, fields: ["Accept-Encoding": accepted]))
        }
    }

    /// Decodes the next piece of the body.
    func append(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) {
        do {
            try self.inflater.inflate(bytes, into: &self.output)
        } catch {
            throw Self.httpError(error)
        }
    }

    /// Ends the body; returns it decoded.
    func finish() throws(HTTPError) -> [UInt8] {
        do {
            try self.inflater.finish()
        } catch {
            throw Self.httpError(error)
        }
        let body = self.output
        self.output = []
        return body
    }

    /// Decoded bytes held so far.
    var decodedCount: Int { self.output.count }

    static func httpError(_ error: CompressionError) -> HTTPError {
        switch error.code {
        case .outputLimitExceeded, .ratioLimitExceeded, .inputLimitExceeded:
            HTTPError(.contentTooLarge, error.message)
        case .internalError:
            HTTPError(.internalServerError, error.message)
        case .invalidHeader, .corruptData, .checksumMismatch, .lengthMismatch, .truncated, .trailingGarbage, .emptyInput:
            HTTPError(.badRequest, error.message)
        }
    }
}
