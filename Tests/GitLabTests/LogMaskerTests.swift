// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Testing

@Suite struct LogMaskerTests {
    static let secrets = ["s3cr3t-deploy-key", "hunter2hunter2", "hunter2hunter2-long"]

    /// Feeds `text` in chunks of every size from 1 to the whole, and checks each gives `expected`.
    private func check(_ text: String, _ expected: String, secrets: [String] = Self.secrets) {
        let bytes = Array(text.utf8)
        for size in 1...max(1, bytes.count) {
            var masker = LogMasker(secrets: secrets)
            var output: [UInt8] = []
            var index = 0
            while index < bytes.count {
                let end = min(index + size, bytes.count)
                output += masker.mask(bytes[index..<end])
                index = end
            }
            output += masker.finish()
            #expect(String(decoding: output, as: UTF8.self) == expected, "chunk size \(size)")
        }
    }

    @Test(arguments: [
        ("no secret here", "no secret here"),
        ("key=s3cr3t-deploy-key\n", "key=[MASKED]\n"),
        ("s3cr3t-deploy-key", "[MASKED]"),
        ("s3cr3t-deploy-keys3cr3t-deploy-key", "[MASKED][MASKED]"),
        ("almost s3cr3t-deploy-ke", "almost s3cr3t-deploy-ke"),
        ("ss3cr3t-deploy-key", "s[MASKED]"),
        ("hunter2hunter2-long and hunter2hunter2", "[MASKED] and [MASKED]"),
        ("hunter2hunter2-lon", "[MASKED]-lon"),
        ("", ""),
        ("ünïcode s3cr3t-deploy-key ✓", "ünïcode [MASKED] ✓"),
    ])
    func masksAcrossEveryChunkBoundary(_ text: String, _ expected: String) {
        self.check(text, expected)
    }

    @Test func secretSplitAcrossTwoWrites() {
        var masker = LogMasker(secrets: ["topsecretvalue"])
        let first = masker.mask(Array("token: topsec".utf8))
        let second = masker.mask(Array("retvalue done\n".utf8))
        let rest = masker.finish()
        #expect(String(decoding: first + second + rest, as: UTF8.self) == "token: [MASKED] done\n")
        #expect(!String(decoding: first, as: UTF8.self).contains("topsec"), "a prefix of the secret is held back")
    }

    @Test func noSecretsPassesThrough() {
        var masker = LogMasker(secrets: ["", ""])
        #expect(masker.isEmpty)
        #expect(masker.mask(Array("abc".utf8)) == Array("abc".utf8))
        #expect(masker.finish().isEmpty)
    }

    @Test func largeStream() {
        let secret = "abcdefghij0123456789"
        var masker = LogMasker(secrets: [secret])
        var text = ""
        for index in 0..<2000 { text += "line \(index) \(index % 7 == 0 ? secret : "plain")\n" }
        var output: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + Int.random(in: 1...4096, using: &generator))
            output += masker.mask(bytes[index..<end])
            index = end
        }
        output += masker.finish()
        let result = String(decoding: output, as: UTF8.self)
        #expect(!result.contains(secret))
        #expect(result == text.replacing(secret, with: "[MASKED]"))
    }
}
