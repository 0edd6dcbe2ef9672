// slipway — TLS tests
// SPDX-License-Identifier: Apache-2.0

/// A test fixture (certificates, a server) could not be set up.
struct TLSTestSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}
