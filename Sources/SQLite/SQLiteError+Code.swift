// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

extension SQLiteError {
    /// A SQLite result code, primary or extended (https://www.sqlite.org/rescode.html).
    ///
    /// "The least significant 8 bits of the result code define a broad category and are called
    /// the 'primary result code'. More significant bits provide more detailed information about
    /// the error and are called the 'extended result code'." ``primary`` keeps the low byte, and
    /// a primary code used as a pattern matches each of its extended codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric code, as returned by the C library.
        public let rawValue: Int32

        /// Wraps a numeric code returned by the C library.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// The primary code: the low 8 bits.
        public var primary: Code { Code(rawValue: self.rawValue & 0xFF) }

        /// Whether this is a primary code (it has no extended bits).
        public var isPrimary: Bool { self.rawValue & ~0xFF == 0 }

        /// Matches `code` against `pattern`: a primary pattern matches every extended code of its
        /// family; an extended pattern matches only itself.
        public static func ~= (pattern: Code, code: Code) -> Bool {
            pattern.isPrimary ? pattern == code.primary : pattern == code
        }

        // MARK: - Primary codes

        /// Success (`SQLITE_OK`).
        public static let ok = Code(rawValue: SQLITE_OK)
        /// A generic error: bad SQL syntax, a missing table or column (`SQLITE_ERROR`).
        public static let error = Code(rawValue: SQLITE_ERROR)
        /// An internal malfunction of SQLite (`SQLITE_INTERNAL`).
        public static let `internal` = Code(rawValue: SQLITE_INTERNAL)
        /// The requested access mode cannot be provided (`SQLITE_PERM`).
        public static let permission = Code(rawValue: SQLITE_PERM)
        /// An operation was aborted, for example by a rollback (`SQLITE_ABORT`).
        public static let abort = Code(rawValue: SQLITE_ABORT)
        /// Another connection or process holds a conflicting lock (`SQLITE_BUSY`).
        public static let busy = Code(rawValue: SQLITE_BUSY)
        /// A conflict inside the same connection or shared cache (`SQLITE_LOCKED`).
        public static let locked = Code(rawValue: SQLITE_LOCKED)
        /// A memory allocation failed (`SQLITE_NOMEM`).
        public static let noMemory = Code(rawValue: SQLITE_NOMEM)
        /// An attempt to write without write permission (`SQLITE_READONLY`).
        public static let readOnly = Code(rawValue: SQLITE_READONLY)
        /// Interrupted by `sqlite3_interrupt` (`SQLITE_INTERRUPT`).
        public static let interrupt = Code(rawValue: SQLITE_INTERRUPT)
        /// The operating system reported an I/O error (`SQLITE_IOERR`).
        public static let ioError = Code(rawValue: SQLITE_IOERR)
        /// The database file is corrupt (`SQLITE_CORRUPT`).
        public static let corrupt = Code(rawValue: SQLITE_CORRUPT)
        /// An unknown opcode or missing item (`SQLITE_NOTFOUND`).
        public static let notFound = Code(rawValue: SQLITE_NOTFOUND)
        /// The disk is full (`SQLITE_FULL`).
        public static let full = Code(rawValue: SQLITE_FULL)
        /// The file (or its journal or WAL) cannot be opened (`SQLITE_CANTOPEN`).
        public static let cantOpen = Code(rawValue: SQLITE_CANTOPEN)
        /// A locking protocol problem in WAL mode (`SQLITE_PROTOCOL`).
        public static let `protocol` = Code(rawValue: SQLITE_PROTOCOL)
        /// The schema changed under a prepared statement (`SQLITE_SCHEMA`).
        public static let schema = Code(rawValue: SQLITE_SCHEMA)
        /// A string or blob exceeds the size limit (`SQLITE_TOOBIG`).
        public static let tooBig = Code(rawValue: SQLITE_TOOBIG)
        /// A constraint was violated: UNIQUE, NOT NULL, CHECK, FOREIGN KEY, … (`SQLITE_CONSTRAINT`).
        public static let constraint = Code(rawValue: SQLITE_CONSTRAINT)
        /// A datatype mismatch, for example a non-integer rowid (`SQLITE_MISMATCH`).
        public static let mismatch = Code(rawValue: SQLITE_MISMATCH)
        /// The library was used incorrectly: a bug, or use after close (`SQLITE_MISUSE`).
        public static let misuse = Code(rawValue: SQLITE_MISUSE)
        /// A parameter index or name out of range (`SQLITE_RANGE`).
        public static let range = Code(rawValue: SQLITE_RANGE)
        /// The file is not a database (`SQLITE_NOTADB`).
        public static let notADatabase = Code(rawValue: SQLITE_NOTADB)

        // MARK: - Extended codes worth naming

        /// Busy while another connection recovers the WAL (`SQLITE_BUSY_RECOVERY`).
        public static let busyRecovery = Code(rawValue: SQLITE_BUSY | (1 << 8))
        /// A read transaction cannot be upgraded: its snapshot is stale (`SQLITE_BUSY_SNAPSHOT`).
        public static let busySnapshot = Code(rawValue: SQLITE_BUSY | (2 << 8))
        /// A blocking lock timed out (`SQLITE_BUSY_TIMEOUT`).
        public static let busyTimeout = Code(rawValue: SQLITE_BUSY | (3 << 8))
        /// A `CHECK` constraint failed (`SQLITE_CONSTRAINT_CHECK`).
        public static let constraintCheck = Code(rawValue: SQLITE_CONSTRAINT | (1 << 8))
        /// A commit hook turned a `COMMIT` into a rollback (`SQLITE_CONSTRAINT_COMMITHOOK`).
        public static let constraintCommitHook = Code(rawValue: SQLITE_CONSTRAINT | (2 << 8))
        /// A foreign key constraint failed (`SQLITE_CONSTRAINT_FOREIGNKEY`).
        public static let constraintForeignKey = Code(rawValue: SQLITE_CONSTRAINT | (3 << 8))
        /// A `NOT NULL` constraint failed (`SQLITE_CONSTRAINT_NOTNULL`).
        public static let constraintNotNull = Code(rawValue: SQLITE_CONSTRAINT | (5 << 8))
        /// A `PRIMARY KEY` constraint failed (`SQLITE_CONSTRAINT_PRIMARYKEY`).
        public static let constraintPrimaryKey = Code(rawValue: SQLITE_CONSTRAINT | (6 << 8))
        /// A trigger raised an error (`SQLITE_CONSTRAINT_TRIGGER`).
        public static let constraintTrigger = Code(rawValue: SQLITE_CONSTRAINT | (7 << 8))
        /// A `UNIQUE` constraint failed (`SQLITE_CONSTRAINT_UNIQUE`).
        public static let constraintUnique = Code(rawValue: SQLITE_CONSTRAINT | (8 << 8))
        /// A rowid is not unique (`SQLITE_CONSTRAINT_ROWID`).
        public static let constraintRowID = Code(rawValue: SQLITE_CONSTRAINT | (10 << 8))
        /// A value does not match the column type of a `STRICT` table (`SQLITE_CONSTRAINT_DATATYPE`).
        public static let constraintDataType = Code(rawValue: SQLITE_CONSTRAINT | (12 << 8))
        /// An I/O error while reading (`SQLITE_IOERR_READ`).
        public static let ioErrorRead = Code(rawValue: SQLITE_IOERR | (1 << 8))
        /// A read returned fewer bytes than requested (`SQLITE_IOERR_SHORT_READ`).
        public static let ioErrorShortRead = Code(rawValue: SQLITE_IOERR | (2 << 8))
        /// An I/O error while writing (`SQLITE_IOERR_WRITE`).
        public static let ioErrorWrite = Code(rawValue: SQLITE_IOERR | (3 << 8))
        /// `fsync` failed: the data may not be on disk (`SQLITE_IOERR_FSYNC`).
        public static let ioErrorFsync = Code(rawValue: SQLITE_IOERR | (4 << 8))
        /// `fsync` of the directory failed (`SQLITE_IOERR_DIR_FSYNC`).
        public static let ioErrorDirectoryFsync = Code(rawValue: SQLITE_IOERR | (5 << 8))
        /// Truncating a file failed (`SQLITE_IOERR_TRUNCATE`).
        public static let ioErrorTruncate = Code(rawValue: SQLITE_IOERR | (6 << 8))
        /// `fstat` failed (`SQLITE_IOERR_FSTAT`).
        public static let ioErrorFstat = Code(rawValue: SQLITE_IOERR | (7 << 8))
        /// A file lock operation failed (`SQLITE_IOERR_LOCK`).
        public static let ioErrorLock = Code(rawValue: SQLITE_IOERR | (15 << 8))
        /// Opening the `-shm` file failed (`SQLITE_IOERR_SHMOPEN`).
        public static let ioErrorShmOpen = Code(rawValue: SQLITE_IOERR | (18 << 8))
        /// Growing the `-shm` file failed (`SQLITE_IOERR_SHMSIZE`).
        public static let ioErrorShmSize = Code(rawValue: SQLITE_IOERR | (19 << 8))
        /// Mapping the `-shm` file failed (`SQLITE_IOERR_SHMMAP`).
        public static let ioErrorShmMap = Code(rawValue: SQLITE_IOERR | (21 << 8))
        /// The path is a directory (`SQLITE_CANTOPEN_ISDIR`).
        public static let cantOpenIsDirectory = Code(rawValue: SQLITE_CANTOPEN | (2 << 8))
        /// The full path could not be resolved (`SQLITE_CANTOPEN_FULLPATH`).
        public static let cantOpenFullPath = Code(rawValue: SQLITE_CANTOPEN | (3 << 8))
        /// WAL recovery needs write access that is missing (`SQLITE_READONLY_RECOVERY`).
        public static let readOnlyRecovery = Code(rawValue: SQLITE_READONLY | (1 << 8))
        /// A read-only WAL connection could not lock the `-shm` file (`SQLITE_READONLY_CANTLOCK`).
        public static let readOnlyCantLock = Code(rawValue: SQLITE_READONLY | (2 << 8))
        /// A hot journal needs rolling back but the file is read-only (`SQLITE_READONLY_ROLLBACK`).
        public static let readOnlyRollback = Code(rawValue: SQLITE_READONLY | (3 << 8))
        /// The database file was moved or unlinked while open (`SQLITE_READONLY_DBMOVED`).
        public static let readOnlyDatabaseMoved = Code(rawValue: SQLITE_READONLY | (4 << 8))
        /// The `-shm` file is read-only and could not be initialized (`SQLITE_READONLY_CANTINIT`).
        public static let readOnlyCantInit = Code(rawValue: SQLITE_READONLY | (5 << 8))
        /// The directory is read-only, so the journal cannot be created (`SQLITE_READONLY_DIRECTORY`).
        public static let readOnlyDirectory = Code(rawValue: SQLITE_READONLY | (6 << 8))

        /// SQLite's English text for the code (`sqlite3_errstr`), for example "database is locked".
        public var explanation: String {
            String(cString: sqlite3_errstr(self.rawValue))
        }

        /// The C name, for example `SQLITE_CONSTRAINT_UNIQUE (2067)`.
        public var description: String {
            let name = Self.names[self] ?? Self.names[self.primary].map { "\($0)_\(self.rawValue >> 8)" }
            return "\(name ?? "SQLITE_\(self.rawValue)") (\(self.rawValue))"
        }

        /// What an I/O error was doing, for ``SQLiteError/reason``.
        var ioOperation: String? {
            switch self {
            case .ioErrorRead, .ioErrorShortRead: "reading"
            case .ioErrorWrite: "writing"
            case .ioErrorFsync: "syncing to disk"
            case .ioErrorDirectoryFsync: "syncing the directory to disk"
            case .ioErrorTruncate: "truncating a file"
            case .ioErrorFstat: "reading file metadata"
            case .ioErrorLock: "locking the file"
            case .ioErrorShmOpen, .ioErrorShmSize, .ioErrorShmMap: "using the -shm file"
            default: nil
            }
        }

        private static let names: [Code: String] = [
            .ok: "SQLITE_OK", .error: "SQLITE_ERROR", .internal: "SQLITE_INTERNAL", .permission: "SQLITE_PERM",
            .abort: "SQLITE_ABORT", .busy: "SQLITE_BUSY", .locked: "SQLITE_LOCKED", .noMemory: "SQLITE_NOMEM",
            .readOnly: "SQLITE_READONLY", .interrupt: "SQLITE_INTERRUPT", .ioError: "SQLITE_IOERR",
            .corrupt: "SQLITE_CORRUPT", .notFound: "SQLITE_NOTFOUND", .full: "SQLITE_FULL",
            .cantOpen: "SQLITE_CANTOPEN", .protocol: "SQLITE_PROTOCOL", .schema: "SQLITE_SCHEMA",
            .tooBig: "SQLITE_TOOBIG", .constraint: "SQLITE_CONSTRAINT", .mismatch: "SQLITE_MISMATCH",
            .misuse: "SQLITE_MISUSE", .range: "SQLITE_RANGE", .notADatabase: "SQLITE_NOTADB",
            .busyRecovery: "SQLITE_BUSY_RECOVERY", .busySnapshot: "SQLITE_BUSY_SNAPSHOT",
            .busyTimeout: "SQLITE_BUSY_TIMEOUT", .constraintCheck: "SQLITE_CONSTRAINT_CHECK",
            .constraintCommitHook: "SQLITE_CONSTRAINT_COMMITHOOK",
            .constraintForeignKey: "SQLITE_CONSTRAINT_FOREIGNKEY", .constraintNotNull: "SQLITE_CONSTRAINT_NOTNULL",
            .constraintPrimaryKey: "SQLITE_CONSTRAINT_PRIMARYKEY", .constraintTrigger: "SQLITE_CONSTRAINT_TRIGGER",
            .constraintUnique: "SQLITE_CONSTRAINT_UNIQUE", .constraintRowID: "SQLITE_CONSTRAINT_ROWID",
            .constraintDataType: "SQLITE_CONSTRAINT_DATATYPE", .ioErrorRead: "SQLITE_IOERR_READ",
            .ioErrorShortRead: "SQLITE_IOERR_SHORT_READ", .ioErrorWrite: "SQLITE_IOERR_WRITE",
            .ioErrorFsync: "SQLITE_IOERR_FSYNC", .ioErrorDirectoryFsync: "SQLITE_IOERR_DIR_FSYNC",
            .ioErrorTruncate: "SQLITE_IOERR_TRUNCATE", .ioErrorFstat: "SQLITE_IOERR_FSTAT",
            .ioErrorLock: "SQLITE_IOERR_LOCK", .ioErrorShmOpen: "SQLITE_IOERR_SHMOPEN",
            .ioErrorShmSize: "SQLITE_IOERR_SHMSIZE", .ioErrorShmMap: "SQLITE_IOERR_SHMMAP",
            .cantOpenIsDirectory: "SQLITE_CANTOPEN_ISDIR", .cantOpenFullPath: "SQLITE_CANTOPEN_FULLPATH",
            .readOnlyRecovery: "SQLITE_READONLY_RECOVERY", .readOnlyCantLock: "SQLITE_READONLY_CANTLOCK",
            .readOnlyRollback: "SQLITE_READONLY_ROLLBACK", .readOnlyDatabaseMoved: "SQLITE_READONLY_DBMOVED",
            .readOnlyCantInit: "SQLITE_READONLY_CANTINIT", .readOnlyDirectory: "SQLITE_READONLY_DIRECTORY",
        ]
    }
}
