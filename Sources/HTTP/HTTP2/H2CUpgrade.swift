// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

/// The `Upgrade: h2c` handshake of RFC 7540 §3.2, checked strictly: a request that does not
/// qualify in every detail is served as plain HTTP/1.1, which is always a correct answer.
enum H2CUpgrade {
    /// The response that switches the connection; the server's SETTINGS follow it.
    static let switchingProtocols: [UInt8] = Array("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8)

    /// The decoded `HTTP2-Settings` payload when `head` is a valid h2c upgrade request, else
    /// `nil`.
    ///
    /// Qualifies: HTTP/1.1 GET or HEAD without a body, `Upgrade` listing `h2c`, `Connection`
    /// listing both `Upgrade` and `HTTP2-Settings`, and exactly one `HTTP2-Settings` line
    /// whose value is unpadded base64url of whole, valid SETTINGS entries.
    static func settingsPayload(for head: HTTPRequestHead, framing: HTTP1BodyFraming) -> [UInt8]? {
        guard head.version == .http1_1, head.method == .get || head.method == .head, framing == .none else { return nil }
        guard head.fields.tokens("upgrade").contains("h2c") else { return nil }
        let connection = head.fields.tokens("connection")
        guard connection.contains("upgrade"), connection.contains("http2-settings") else { return nil }
        let values = head.fields.values("http2-settings")
        guard values.count == 1, let payload = Self.decodeBase64URL(values[0].trimmingHTTPWhitespace()),
              Self.isValidSettingsPayload(payload)
        else { return nil }
        return payload
    }

    /// Decodes unpadded base64url (RFC 4648 §5), refusing padding, other alphabets,
    /// impossible lengths and non-zero leftover bits.
    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard !characters.isEmpty, characters.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            let value: UInt32
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(character - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(character - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(character - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            accumulator = (accumulator << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits must be zero, or two encodings would decode to the same bytes.
        guard accumulator == 0 else { return nil }
        return output
    }

    /// Whole 6-byte entries with values RFC 9113 §6.5.2 allows; unknown identifiers are
    /// ignored as the RFC requires.
    static func isValidSettingsPayload(_ payload: [UInt8]) -> Bool {
        guard payload.count % 6 == 0 else { return false }
        var index = 0
        while index < payload.count {
            let identifier = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
            let value = UInt32(payload[index + 2]) << 24 | UInt32(payload[index + 3]) << 16 | UInt32(payload[index + 4]) << 8 | UInt32(payload[index + 5])
            switch identifier {
            case 0x2, 0x8, 0x9: if value > 1 { return false }  // ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL, NO_RFC7540_PRIORITIES
            case 0x4: if value > 0x7FFF_FFFF { return false }  // INITIAL_WINDOW_SIZE
            case 0x5: if value < 16_384 || value > 16_777_215 { return false }  // MAX_FRAME_SIZE
            default: break
            }
            index += 6
        }
        return true
    }
}
