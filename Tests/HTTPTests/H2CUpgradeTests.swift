// slipway — HTTP tests
// SPDX-License-Identifier: Apache-2.0

import Testing
@testable import HTTP

@Suite("h2c upgrade")
struct H2CUpgradeTests {
    static let base64Cases: [(text: String, decoded: [UInt8]?)] = [
        ("AAMAAABkAAQCAAAAAAIAAAAA", [0, 3, 0, 0, 0, 100, 0, 4, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0]),  // curl 7.88
        ("_-8", [0xFF, 0xEF]),
        ("AA", [0]),
        ("AAA", [0, 0]),
        ("", nil),                 // token68 needs at least one character
        ("A", nil),                // 6 bits cannot be a byte
        ("AB", nil),               // leftover bits must be zero
        ("AA==", nil),             // no padding in HTTP2-Settings
        ("+/8A", nil),             // standard alphabet, not base64url
        ("AA AA", nil),
    ]

    @Test(arguments: base64Cases)
    func decodesBase64URLStrictly(_ testCase: (text: String, decoded: [UInt8]?)) {
        #expect(H2CUpgrade.decodeBase64URL(Substring(testCase.text)) == testCase.decoded)
    }

    static let settingsCases: [(payload: [UInt8], valid: Bool)] = [
        ([], true),
        ([0, 3, 0, 0, 0, 100], true),
        ([0, 2, 0, 0, 0, 1], true),
        ([0, 2, 0, 0, 0, 2], false),                       // ENABLE_PUSH must be 0 or 1
        ([0, 4, 0x7F, 0xFF, 0xFF, 0xFF], true),
        ([0, 4, 0x80, 0, 0, 0], false),                    // window above 2^31-1
        ([0, 5, 0, 0, 0x3F, 0xFF], false),                 // MAX_FRAME_SIZE below 16384
        ([0, 5, 0, 0, 0x40, 0], true),
        ([0, 5, 1, 0, 0, 0], false),                       // above 2^24-1
        ([0xAB, 0xCD, 0xFF, 0xFF, 0xFF, 0xFF], true),      // unknown identifiers are ignored
        ([0, 3, 0, 0, 0], false),                          // not a whole entry
    ]

    @Test(arguments: settingsCases)
    func validatesSettingsPayloads(_ testCase: (payload: [UInt8], valid: Bool)) {
        #expect(H2CUpgrade.isValidSettingsPayload(testCase.payload) == testCase.valid)
    }

    struct RequestCase: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod = .get
        var version: HTTPVersion = .http1_1
        var fields: HTTPFields = [
            "Host": "h", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABk",
        ]
        var framing: HTTP1BodyFraming = .none
        var qualifies: Bool
        var testDescription: String { self.name }
    }

    static let requestCases: [RequestCase] = [
        RequestCase(name: "curl's upgrade", qualifies: true),
        RequestCase(name: "HEAD", method: .head, qualifies: true),
        RequestCase(name: "case-insensitive tokens", fields: ["Host": "h", "connection": "upgrade,http2-settings", "upgrade": "H2C", "http2-settings": "AAMAAABk"], qualifies: true),
        RequestCase(name: "upgrade list", fields: ["Host": "h", "Connection": "keep-alive, Upgrade, HTTP2-Settings", "Upgrade": "websocket, h2c", "HTTP2-Settings": "AAMAAABk"], qualifies: true),
        RequestCase(name: "POST", method: .post, qualifies: false),
        RequestCase(name: "GET with a body", framing: .contentLength(2), qualifies: false),
        RequestCase(name: "chunked body", framing: .chunked, qualifies: false),
        RequestCase(name: "HTTP/1.0", version: .http1_0, qualifies: false),
        RequestCase(name: "h2 (TLS token)", fields: ["Host": "h", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2", "HTTP2-Settings": "AAMAAABk"], qualifies: false),
        RequestCase(name: "Connection without HTTP2-Settings", fields: ["Host": "h", "Connection": "Upgrade", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABk"], qualifies: false),
        RequestCase(name: "Connection without Upgrade", fields: ["Host": "h", "Connection": "HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABk"], qualifies: false),
        RequestCase(name: "no HTTP2-Settings", fields: ["Host": "h", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c"], qualifies: false),
        RequestCase(name: "two HTTP2-Settings", fields: ["Host": "h", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABk", "http2-settings": "AAMAAABk"], qualifies: false),
        RequestCase(name: "bad base64", fields: ["Host": "h", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABk=="], qualifies: false),
        RequestCase(name: "invalid setting", fields: ["Host": "h", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAIAAAAC"], qualifies: false),
    ]

    @Test(arguments: requestCases)
    func upgradesOnlyWhatQualifies(_ testCase: RequestCase) {
        let head = HTTPRequestHead(method: testCase.method, target: "/", version: testCase.version, fields: testCase.fields)
        let payload = H2CUpgrade.settingsPayload(for: head, framing: testCase.framing)
        #expect((payload != nil) == testCase.qualifies)
    }
}
