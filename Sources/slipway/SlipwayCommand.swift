// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import Application
import ArgumentParser

@main
struct SlipwayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "A build service for GitLab projects that build Docker images.",
        subcommands: [ServeCommand.self, BackupCommand.self, SubmitCommand.self, StatusCommand.self, ListCommand.self, LogsCommand.self, CancelCommand.self, RetryCommand.self, WorkersCommand.self]
    )

    /// Ignores SIGPIPE before anything runs, then parses and runs the subcommand.
    static func main() async {
        BrokenPipes.ignore()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
