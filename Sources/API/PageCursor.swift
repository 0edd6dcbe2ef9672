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
