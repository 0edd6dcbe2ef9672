// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import Application
import ArgumentParser
import Logging
import UnixSignals
import Sockets

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the slipway server."
    )

    @Option(name: .long, help: "A YAML configuration file; its keys mirror these flags.")
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Where to listen: HOST:PORT, [IPv6]:PORT or unix:PATH. Repeatable. Default 127.0.0.1:8080.", valueName: "address"))
    var listen: [String] = []

    @Option(name: .customLong("data-dir"), help: "Where slipway keeps its database, logs and workspaces. Default ./slipway-data.")
    var dataDir: String?

    @Option(name: .customLong("docker-host"), help: ArgumentHelp("The Docker engine: unix:///PATH or tcp://HOST:PORT. Default: docker.host from the configuration, else $DOCKER_HOST, else unix:///var/run/docker.sock.", valueName: "url"))
    var dockerHost: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Default info.")
    var logLevel: String?

    func run() async throws {
        var configuration = SlipwayConfiguration()
        do {
            if let config { configuration = try SlipwayConfiguration.load(path: config) }
            if !self.listen.isEmpty {
                configuration.listen = try self.listen.map { text in
                    do { return try SocketAddress(parsing: text) } catch { throw ValidationError("--listen: \(error)") }
                }
            }
            if let dataDir { configuration.dataDirectory = dataDir }
            if let dockerHost { configuration.dockerHost = dockerHost }
            if let logLevel {
                guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
                    throw ValidationError("--log-level: '\(logLevel)' is not a log level")
                }
                configuration.logLevel = level
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.message)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
        var logger = Logger(label: "slipway")
        logger.logLevel = level

        let application: SlipwayApplication
        do {
            application = try await SlipwayApplication(configuration: configuration, logger: logger)
            // SIGTERM and SIGINT start the graceful shutdown.
            try await application.start(shutdownSignals: [.sigterm, .sigint])
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        await application.waitUntilStopped()
    }
}
