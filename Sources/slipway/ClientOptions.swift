// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Where the client subcommands find the server, and how they authenticate.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The server: http://HOST:PORT or unix:PATH. Default $SLIPWAY_SERVER, else http://127.0.0.1:8080.", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("An API token. Default $SLIPWAY_TOKEN. Prefer the variable: arguments are visible to other users.", valueName: "token"))
    var token: String?

    /// The server URL after defaults.
    var resolvedServer: String {
        self.server ?? getenv("SLIPWAY_SERVER").map { String(cString: $0) } ?? "http://127.0.0.1:8080"
    }

    /// The token after defaults.
    var resolvedToken: String? {
        self.token ?? getenv("SLIPWAY_TOKEN").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    func makeClient() throws -> SlipwayClient {
        try SlipwayClient(server: self.resolvedServer, token: self.resolvedToken)
    }
}
