// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// A fresh directory under the system temporary directory, removed when released. Every test
/// uses real files, never an in-memory database.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "sqlite") throws {
        var template = Array("\(NSTemporaryDirectory())/slipway-\(label)-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        self.path = String(cString: created)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { "\(self.path)/\(name)" }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }
}
