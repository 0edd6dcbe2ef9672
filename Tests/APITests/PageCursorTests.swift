// slipway — API tests
// SPDX-License-Identifier: Apache-2.0

@testable import API
import HTTP
import Testing

@Suite("page cursors")
struct PageCursorTests {
    /// The next link keeps every other parameter as sent (still percent-encoded, in order,
    /// repeated ones too) and replaces any cursor.
    @Test(arguments: [
        ("/v1/jobs", "/v1/jobs?cursor=42"),
        ("/v1/jobs?", "/v1/jobs?cursor=42"),
        ("/v1/jobs?status=running&limit=50", "/v1/jobs?status=running&limit=50&cursor=42"),
        ("/v1/jobs?cursor=99&limit=5", "/v1/jobs?limit=5&cursor=42"),
        ("/v1/jobs?limit=5&cursor=99", "/v1/jobs?limit=5&cursor=42"),
        ("/v1/jobs?cursor&status=a&&status=b", "/v1/jobs?status=a&status=b&cursor=42"),
        ("/v1/jobs?project=group%2Fapp&cursors=1&ref=f%C3%BC", "/v1/jobs?project=group%2Fapp&cursors=1&ref=f%C3%BC&cursor=42"),
        ("/v1/pipelines?&", "/v1/pipelines?cursor=42"),
    ])
    func nextLinkReplacesTheCursor(target: String, expected: String) {
        let request = HTTPRequest(head: HTTPRequestHead(method: .get, target: target))
        #expect(PageCursor.nextLink(for: request, after: 42) == expected)
    }
}
