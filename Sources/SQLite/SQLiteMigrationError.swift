// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

/// Why ``SQLiteMigrator`` refused a database or stopped.
public struct SQLiteMigrationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The database records migrations this code does not have: it was written by a newer
        /// build. Opening it could corrupt data the newer schema relies on.
        case schemaTooNew(databaseVersion: Int, databaseMigration: String, knownVersion: Int)
        /// The database records a different migration at `version` than this code registers
        /// there: the two come from diverging builds.
        case mismatch(version: Int, databaseMigration: String, knownMigration: String)
        /// The migration's body threw (see ``SQLiteMigrationError/underlying``); it was rolled
        /// back.
        case failed(version: Int, migration: String)
        /// The migration left rows that violate a foreign key; it was rolled back.
        case foreignKeyViolation(version: Int, migration: String, table: String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The database file.
    public var path: String
    /// The error a failed migration threw.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(kind: Kind, path: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.path = path
        self.underlying = underlying
    }

    /// What happened and what to do about it.
    public var description: String {
        switch self.kind {
        case .schemaTooNew(let version, let name, let known):
            return "the database at \(self.path) has schema version \(version) (\"\(name)\"), newer than the "
                + "\(known) migrations this build of slipway knows; run a slipway at least as new as the one that "
                + "wrote it, or restore a backup made for this version"
        case .mismatch(let version, let recorded, let known):
            return "the database at \(self.path) records migration \(version) as \"\(recorded)\" but this build "
                + "calls it \"\(known)\"; it was written by a different build of slipway"
        case .failed(let version, let name):
            return "migration \(version) (\"\(name)\") failed on \(self.path) and was rolled back: "
                + "\(self.underlying.map { "\($0)" } ?? "unknown error")"
        case .foreignKeyViolation(let version, let name, let table):
            return "migration \(version) (\"\(name)\") left rows in \(table) that violate a foreign key; it was "
                + "rolled back"
        }
    }
}
