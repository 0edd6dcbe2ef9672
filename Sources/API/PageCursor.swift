// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP

/// The `cursor` of a paginated list: the last id of the previous page, so a page never
/// repeats or skips rows while new ones are added at the top. Clients treat it as opaque and
/// pass it back unchanged; it is a decimal id so that the contract can describe it exactly.
public enum PageCursor {
    /// The cursor continuing after `id`.
    public static func encode(after id: Int64) -> String {
        String(id)
    }

    /// The id a cursor continues after; 400 for anything that is not a cursor this server made.
    public static func decode(_ text: String) throws(HTTPError) -> Int64 {
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let id = Int64(text) else {
            throw HTTPError(.badRequest, "cursor is not valid: pass the cursor of a 'next' link unchanged",
                            type: "https://slipway.dev/problems/invalid-parameter", extensions: ["field": "cursor"])
        }
        return id
    }

    /// The `next` link: the request's path and query with `cursor` replaced.
    static func nextLink(for request: HTTPRequest, after id: Int64) -> String {
        var link = String(request.path)
        link.append("?")
        if let query = request.head.query {
            // Pairs are copied as they are, in one pass over the bytes: the list's other
            // parameters travel unchanged, already percent-encoded.
            let bytes = Array(query.utf8)
            var start = 0
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                let pair = bytes[start..<end]
                let isCursor = pair.starts(with: "cursor=".utf8) || pair.elementsEqual("cursor".utf8)
                if !pair.isEmpty, !isCursor {
                    link.append(String(decoding: pair, as: UTF8.self))
                    link.append("&")
                }
                start = end + 1
            }
        }
        link.append("cursor=")
        link.append(self.encode(after: id))
        return link
    }
}
