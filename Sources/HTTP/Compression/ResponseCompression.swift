// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Compression

/// Decides whether a response is gzipped and does it: a fixed body at once, a streaming body
/// piece by piece as it is written (each write sync-flushed, so a log line reaches the client
/// as soon as it is written).
///
/// The checks run cheapest first, so a small response (a health check, most errors) costs a
/// length comparison and a look for `Accept-Encoding`, and nothing is allocated unless the
/// response is actually compressed.
enum ResponseCompression {
    /// The response to send for `request`: `response` itself, or a gzipped copy carrying
    /// `Content-Encoding: gzip` and `Vary: Accept-Encoding`.
    static func apply(
        _ response: HTTPResponse,
        method: HTTPMethod,
        requestFields: HTTPFields,
        configuration: ResponseCompressionConfiguration
    ) -> HTTPResponse {
        guard configuration.enabled, response.status.code >= 200, !response.status.forbidsBody, method != .head else { return response }
        let length = response.body.knownLength
        if length == 0 { return response }
        let isLarge = length.map { $0 >= configuration.minimumBytes } ?? true
        if !isLarge {
            // Below the threshold only a client that refuses the uncompressed form gets gzip.
            guard let accept = Self.acceptEncoding(requestFields), Self.refusesIdentity(accept) else { return response }
        }
        guard let contentType = response.fields["content-type"], ContentCoding.isCompressible(contentType: contentType),
              !response.fields.contains("content-encoding")
        else { return response }
        var compressed = response
        // The representation now depends on Accept-Encoding, whatever this client sent.
        Self.addVary(to: &compressed.fields)
        guard ContentCoding.negotiate(acceptEncoding: Self.acceptEncoding(requestFields)) == .gzip else { return compressed }
        compressed.fields.set(name: "Content-Encoding", value: "gzip")
        let level = min(max(configuration.level, 1), 9)
        switch response.body.storage {
        case .bytes(let bytes):
            compressed.body = ResponseBody(bytes: GzipEncoder.gzip(bytes, level: level))
        case .stream(_, let producer):
            compressed.body = .stream { writer in
                let sink = GzipStreamSink(downstream: writer.sink, level: level)
                try await producer(ResponseBodyWriter(sink: sink))
                try await writer.write(sink.finishStream())
            }
        }
        return compressed
    }

    /// Every `Accept-Encoding` line, joined as RFC 9110 §5.3 says.
    static func acceptEncoding(_ fields: HTTPFields) -> String? {
        var joined: String?
        for field in fields where field.name.equalsASCIICaseInsensitive("accept-encoding") {
            joined = joined.map { "\($0), \(field.value)" } ?? field.value
        }
        return joined
    }

    /// Whether `Accept-Encoding` rules out an uncompressed body (`identity;q=0`, or `*;q=0`
    /// without identity). Only a q-value can refuse anything, so values without `=` are
    /// answered without parsing.
    static func refusesIdentity(_ acceptEncoding: String) -> Bool {
        guard acceptEncoding.utf8.contains(UInt8(ascii: "=")) else { return false }
        return ContentCoding.negotiate(acceptEncoding: acceptEncoding, supported: [.identity]) == nil
    }

    private static func addVary(to fields: inout HTTPFields) {
        let tokens = fields.tokens("vary")
        if tokens.contains("*") || tokens.contains("accept-encoding") { return }
        if let existing = fields["vary"] {
            fields.set(name: "Vary", value: "\(existing), Accept-Encoding")
        } else {
            fields.append(name: "Vary", value: "Accept-Encoding")
        }
    }
}
