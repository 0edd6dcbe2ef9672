// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

import Compression
import HTTP

/// A file the pages load (stylesheet, script, icon), compiled into the binary. Its URL holds a
/// hash of its bytes, so it can be cached for good and a new build is fetched anew; its ETag is
/// the same hash, for revalidation. The gzipped form is made once, at start-up.
struct Asset: Sendable {
    /// `slipway-<hash>.js`: the path segment after `/assets/`.
    let fileName: String
    let contentType: String
    let bytes: [UInt8]
    let gzipped: [UInt8]
    /// `"<hash>"`, quoted as an entity tag is.
    let entityTag: String

    init(name: String, extension fileExtension: String, contentType: String, text: String) {
        self.bytes = Array(text.utf8)
        let hash = Self.fnv1a(self.bytes)
        let hex = String(hash, radix: 16)
        let digest = String(repeating: "0", count: 16 - hex.count) + hex
        self.fileName = "\(name)-\(digest).\(fileExtension)"
        self.contentType = contentType
        self.gzipped = GzipEncoder.gzip(self.bytes, level: 9)
        self.entityTag = "\"\(digest)\""
    }

    var path: String { "/assets/\(self.fileName)" }

    /// The asset for `request`: 304 when its `If-None-Match` names this version, gzipped when
    /// the client accepts it.
    func response(for request: HTTPRequest) -> HTTPResponse {
        var fields: HTTPFields = [
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": self.entityTag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        ]
        if let match = request.fields["If-None-Match"], match.split(separator: ",").contains(where: { tag in
            let tag = tag.trimmingHTTPWhitespace()
            return tag == "*" || tag == self.entityTag || tag == "W/\(self.entityTag)"
        }) {
            return HTTPResponse(status: .notModified, fields: fields)
        }
        fields.append(name: "Content-Type", value: self.contentType)
        let acceptEncoding = request.fields.values("Accept-Encoding").joined(separator: ", ")
        if !acceptEncoding.isEmpty, ContentCoding.negotiate(acceptEncoding: acceptEncoding) == .gzip {
            fields.append(name: "Content-Encoding", value: "gzip")
            return HTTPResponse(status: .ok, fields: fields, body: ResponseBody(bytes: self.gzipped))
        }
        return HTTPResponse(status: .ok, fields: fields, body: ResponseBody(bytes: self.bytes))
    }

    /// FNV-1a, 64 bits: enough to tell builds apart, not a security property.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

/// The pages' assets.
enum Assets {
    static let style = Asset(name: "slipway", extension: "css", contentType: "text/css; charset=utf-8", text: Self.styleText)
    static let script = Asset(name: "slipway", extension: "js", contentType: "text/javascript; charset=utf-8", text: Self.scriptText)
    static let icon = Asset(name: "slipway", extension: "svg", contentType: "image/svg+xml", text: Self.iconText)

    static let all: [Asset] = [style, script, icon]

    static let iconText = #"""
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5394"/><path d="M3 11h10l-2 3H5z M8 2v8 M8 3l4 6H8z" stroke="#fff" fill="#fff"/></svg>
        """#
}
