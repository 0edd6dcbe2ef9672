// slipway — SQLite
// SPDX-License-Identifier: Apache-2.0

import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// An error reported by SQLite: its result code, SQLite's own message, the SQL that failed and
/// a reason a person can act on.
///
/// ``code`` is the primary result code, so one comparison covers a whole family of extended
/// codes; ``extendedCode`` says exactly what happened:
/// ```swift
/// do {
///     try connection.execute("INSERT INTO jobs(id) VALUES (?)", [id])
/// } catch let error as SQLiteError where error.code == .constraint {
///     // any constraint; error.extendedCode == .constraintUnique narrows it
/// }
/// ```
/// `switch error.extendedCode { case .busy: … }` also works: a primary code used as a pattern
/// matches each of its extended codes (see ``Code/~=(_:_:)``).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code, for example ``Code/constraintUnique``.
    public var extendedCode: Code
    /// SQLite's message for the failure (`sqlite3_errmsg`), for example
    /// `UNIQUE constraint failed: jobs.id`.
    public var message: String
    /// The SQL statement that failed, when there was one.
    public var sql: String?
    /// The database file the connection had open, when known.
    public var path: String?
    /// The operating system's `errno` behind an I/O or open failure (`sqlite3_system_errno`).
    public var systemErrno: Int32?

    /// The primary result code (the low byte of ``extendedCode``), for example
    /// ``Code/constraint``.
    public var code: Code { extendedCode.primary }

    /// Creates an error. The wrapper creates most of them itself from a failed call.
    public init(
        code: Code,
        message: String? = nil,
        sql: String? = nil,
        path: String? = nil,
        systemErrno: Int32? = nil
    ) {
        self.extendedCode = code
        self.message = message ?? code.explanation
        self.sql = sql
        self.path = path
        self.systemErrno = systemErrno
    }

    /// Reads the message and `errno` of the failed call from its connection. Must run on the
    /// connection's thread, right after the call that returned `resultCode`: a later call
    /// replaces both.
    init(resultCode: Int32, connection: OpaquePointer?, sql: String?, path: String?) {
        let code = Code(rawValue: resultCode)
        var message: String?
        var systemErrno: Int32?
        if let connection {
            message = sqlite3_errmsg(connection).map { String(cString: $0) }
            // https://www.sqlite.org/c3ref/system_errno.html: "attempt to get the underlying
            // operating system error code or error number that caused the most recent I/O error
            // or failure to open a file." Only meaningful for those families.
            switch code.primary {
            case .ioError, .cantOpen, .full, .readOnly:
                let value = sqlite3_system_errno(connection)
                if value != 0 { systemErrno = value }
            default:
                break
            }
        }
        self.init(code: code, message: message, sql: sql, path: path, systemErrno: systemErrno)
    }

    /// A sentence a person can act on: what went wrong, where, and what to check.
    ///
    /// Examples: "database is locked: …", "disk I/O error at /var/lib/slipway/slipway.db while
    /// syncing to disk (Input/output error)", "the data directory is read-only: …".
    public var reason: String {
        let place = self.path.map { " at \($0)" } ?? ""
        let cause = self.systemErrno.map { " (\(String(cString: strerror($0))))" } ?? ""
        switch self.extendedCode.primary {
        case .busy, .locked:
            return "database is locked\(place): another connection held the lock for longer than the busy "
                + "timeout; look for a long-running transaction or a second process using the same data "
                + "directory (\(self.message))"
        case .ioError:
            return "disk I/O error\(place)\(self.extendedCode.ioOperation.map { " while \($0)" } ?? "")\(cause); "
                + "check the disk, the filesystem and free space"
        case .full:
            return "the disk holding the database\(place) is full\(cause); free some space"
        case .readOnly:
            return self.readOnlyReason(place: place, cause: cause)
        case .cantOpen:
            if let errno = self.systemErrno, errno == EACCES || errno == EROFS || errno == EPERM {
                return "the data directory is read-only: cannot open the database\(place)\(cause); make the "
                    + "directory and the database file writable by this user"
            }
            return "cannot open the database\(place)\(cause); check that its directory exists and is "
                + "writable (\(self.message))"
        case .corrupt, .notADatabase:
            return "the file\(place) is not a valid SQLite database or is corrupt (\(self.message)); restore it "
                + "from a backup"
        case .constraint:
            return "a constraint failed: \(self.message)"
        case .misuse:
            return "SQLite was used incorrectly (a bug in slipway): \(self.message)"
        case .interrupt:
            return "the statement was interrupted"
        default:
            return self.message
        }
    }

    private func readOnlyReason(place: String, cause: String) -> String {
        switch self.extendedCode {
        case .readOnlyDatabaseMoved:
            return "the database file\(place) was moved, renamed or deleted while open; restart slipway"
        case .readOnlyCantLock, .readOnlyRecovery, .readOnlyDirectory, .readOnlyCantInit:
            return "the data directory is read-only: SQLite needs to create or write the -wal and -shm files "
                + "next to the database\(place)\(cause); make the directory writable"
        default:
            if self.message.contains("readonly database") && self.systemErrno == nil {
                return "attempt to write through a read-only connection\(place); changes go through a write "
                    + "connection (SQLiteDatabase.write)"
            }
            return "the data directory is read-only: cannot write the database\(place)\(cause); make the "
                + "directory and the database file writable by this user"
        }
    }

    /// The reason, the code's name and the SQL, on one line.
    public var description: String {
        var text = "\(self.reason) [\(self.extendedCode)]"
        if let sql = self.sql { text += " in SQL: \(sql)" }
        return text
    }
}

extension SQLiteError {
    /// An error for a call made on a closed connection or database.
    static func closed(_ what: String, path: String?, sql: String? = nil) -> SQLiteError {
        SQLiteError(code: .misuse, message: "\(what) is closed", sql: sql, path: path)
    }
}
