// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// Carries a non-`Sendable` ``SQLiteConnection`` from one thread to another.
///
/// @unchecked Sendable: a connection is used by one thread at a time. It crosses threads only
/// inside this box and only while nobody uses it: from the writer thread that opens reader
/// connections at start-up to the reader thread that then owns it. (``ReadConnectionPool``'s
/// connections travel in ``SnapshotConnection``, which also carries their open snapshot.)
final class ConnectionBox: @unchecked Sendable {
    let connection: SQLiteConnection

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }
}
