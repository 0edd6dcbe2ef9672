// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
import Logging
import Sockets

/// A job's guarded socket: a Unix socket served for that job alone, until ``close()``.
///
/// Its connections run as child tasks of the accept loop, so closing cancels them all: when a
/// job ends, nothing it (or a container it started) still holds open keeps talking to the
/// engine.
public final class GuardedSocket: Sendable {
    /// The socket's path on the host.
    public let path: String
    public let job: GuardedJob
    private let listener: AsyncSocket
    private let task: Task<Void, Never>

    init(path: String, job: GuardedJob, settings: DockerGuard.Settings, group: EventLoopGroup, logger: Logger) async throws {
        self.path = path
        self.job = job
        let listener = try await AsyncSocket.listen(on: .unix(path: path), on: group.next(), backlog: 1024)
        // Whoever the job's container runs as may connect; the directory keeps everyone else out.
        chmod(path, 0o666)
        self.listener = listener
        self.task = Task {
            await Self.accept(on: listener, path: path, job: job, settings: settings, group: group, logger: logger)
        }
    }

    /// Stops accepting, closes every connection and removes the socket file.
    public func close() async {
        self.task.cancel()
        self.listener.close()
        await self.task.value
        Posix.unlink(self.path)
    }

    private static func accept(on listener: AsyncSocket, path: String, job: GuardedJob, settings: DockerGuard.Settings, group: EventLoopGroup, logger: Logger) async {
        let permits = ConnectionPermits(settings.maxConnectionsPerJob)
        await withDiscardingTaskGroup { connections in
            while !Task.isCancelled {
                await permits.acquire()
                let client: AsyncSocket
                do {
                    try Task.checkCancellation()
                    client = try await listener.accept(on: group.next())
                } catch let error as SystemError where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errno) {
                    permits.release()
                    logger.warning("guarded socket cannot accept connections; pausing for 100 ms", metadata: ["path": "\(path)", "error": "\(error)"])
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                } catch let error as SystemError {
                    // The peer gave up before it was accepted.
                    _ = error
                    permits.release()
                    continue
                } catch {
                    permits.release()
                    return
                }
                let loop = client.loop
                connections.addTask {
                    var connection = GuardedConnection(client: client, job: job, settings: settings, engine: settings.engine, loop: loop, logger: logger)
                    await connection.run()
                    permits.release()
                }
            }
        }
    }
}
