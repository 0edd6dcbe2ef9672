// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import HTTP
import Logging
import Sockets

/// The composition root: builds every service from the configuration, runs them, and shuts
/// them down in reverse order (HTTP first, the store last).
public final class SlipwayApplication: Sendable {
    public let configuration: SlipwayConfiguration
    public let logger: Logger
    private let group: EventLoopGroup
    private let server: HTTPServer

    /// Builds the application; nothing listens until ``start()``.
    public init(configuration: SlipwayConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.group = try EventLoopGroup(count: configuration.http.eventLoops, triggerMode: configuration.http.trigger)
        let router = Self.makeRouter()
        let observer = logger.logLevel <= .debug ? Self.makeAccessLog(logger) : nil
        self.server = HTTPServer(
            configuration: configuration.serverConfiguration, router: router, group: self.group,
            logger: logger, observer: observer
        )
    }

    /// One line per request at debug level.
    static func makeAccessLog(_ logger: Logger) -> @Sendable (HTTPRequestRecord) -> Void {
        { record in
            let milliseconds = Double(record.duration.nanoseconds) / 1e6
            logger.debug("request", metadata: [
                "method": "\(record.method)", "path": "\(record.path)", "status": "\(record.status)",
                "version": "\(record.version)", "duration_ms": "\(milliseconds)",
            ])
        }
    }

    static func makeRouter() -> Router {
        var router = Router()
        let healthy = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
        router.get("/healthz", immediate: { _ in healthy })
        return router
    }

    /// Starts listening; returns the bound addresses.
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        let addresses = try await self.server.start()
        for address in addresses {
            self.logger.info("listening", metadata: ["address": "\(address)"])
        }
        return addresses
    }

    /// Graceful shutdown: stop accepting, finish in-flight requests, stop the loops.
    public func shutdown() async {
        self.logger.info("shutting down", metadata: ["grace_period": "\(DurationParsing.format(self.configuration.http.server.shutdownGracePeriod))"])
        await self.server.shutdown()
        let group = self.group
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Joining threads blocks, so it happens on a thread of its own.
            Thread.detach {
                group.shutdown()
                continuation.resume()
            }
        }
        self.logger.info("stopped")
    }

    public var localAddresses: [SocketAddress] { self.server.localAddresses }
}
