// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// The opaque `cursor` of a paginated list: the last id of the previous page, so a page never
/// repeats or skips rows while new ones are added at the top.
public enum PageCursor {
    private static let prefix = "v1."

    /// The cursor continuing after `id`.
    public static func encode(after id: Int64) -> String {
        Base64URL.encode(Array("\(self.prefix)\(id)".utf8))
    }

    /// The id a cursor continues after; 400 for anything that is not a cursor this server made.
    public static func decode(_ text: String) throws(HTTPError) -> Int64 {
        guard let bytes = Base64URL.decode(text), let plain = String(validating: bytes, as: UTF8.self), plain.hasPrefix(self.prefix),
              let id = Int64(plain.dropFirst(self.prefix.count)), id > 0
        else {
            throw HTTPError(.badRequest, "cursor is not valid: pass the cursor of a 'next' link unchanged",
                            type: "https://slipway.dev/problems/invalid-parameter", extensions: ["field": "cursor"])
        }
        return id
    }

    /// The `next` link: the request's path and query with `cursor` replaced.
    static func nextLink(for request: HTTPRequest, after id: Int64) -> String {
        var pairs: [Substring] = []
        if let query = request.head.query {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                let key = pair.firstIndex(of: "=").map { pair[..<$0] } ?? pair
                if key != "cursor" { pairs.append(pair) }
            }
        }
        pairs.append(Substring("cursor=\(self.encode(after: id))"))
        return "\(request.path)?\(pairs.joined(separator: "&"))"
    }
}

/// Unpadded base64url (RFC 4648 §5), as cursors travel in query strings.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = (UInt32(chunk[0]) << 16) | (UInt32(chunk.count > 1 ? chunk[1] : 0) << 8) | UInt32(chunk.count > 2 ? chunk[2] : 0)
            for position in 0..<(chunk.count + 1) {
                output.append(self.alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var value: UInt32 = 0
        var bits = 0
        var output: [UInt8] = []
        for byte in text.utf8 {
            guard let digit = self.alphabet.firstIndex(of: byte) else { return nil }
            value = (value << 6) | UInt32(digit)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((value >> UInt32(bits)) & 0xFF))
            }
        }
        guard bits < 6 else { return nil }
        return output
    }
}
