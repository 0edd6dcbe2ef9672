// slipway — command line
// SPDX-License-Identifier: Apache-2.0

import Application
import ArgumentParser
import SQLite

#if canImport(Glibc)
import Glibc
#endif

/// `slipway backup PATH`: a consistent copy of the store, safe while the server runs.
///
/// It copies `<data_dir>/slipway.db` through SQLite's online backup API from a read-only
/// connection: in WAL mode that reads one committed snapshot and never blocks the server's
/// writer. The copy is written next to PATH, checked (`PRAGMA quick_check`), synced, and only
/// then renamed to PATH, so PATH is either a complete backup or absent. The copy is in
/// rollback-journal mode: one self-contained file. Job logs
/// (`<data_dir>/logs/`) are plain files: copy them with any tool.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of slipway's database to a new file (hot: the server may be running).",
        discussion: """
            Reads <data-dir>/slipway.db (or --database FILE) and writes PATH, which must not exist. \
            Restore by stopping slipway and putting the copy in place as <data-dir>/slipway.db \
            (remove any slipway.db-wal and slipway.db-shm left beside it).
            """
    )

    @Argument(help: ArgumentHelp("The new backup file.", valueName: "path"))
    var path: String

    @Option(name: .long, help: "A YAML configuration file: its data_dir is used unless --data-dir is given.")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "slipway's data directory. Default: data_dir from --config, else ./slipway-data.")
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("The database file itself (overrides --data-dir).", valueName: "file"))
    var database: String?

    func run() throws {
        do {
            try self.backup()
        } catch let error as BackupError {
            FileHandleOutput.standardError("error: \(error.message)")
            throw ExitCode.failure
        }
    }

    func backup() throws {
        let source = try self.sourcePath()
        guard access(source, R_OK) == 0 else {
            throw BackupError("cannot read the database \(source): \(String(cString: strerror(errno)))")
        }
        guard access(self.path, F_OK) != 0 else {
            throw BackupError("\(self.path) already exists; a backup never overwrites a file")
        }
        let partial = "\(self.path).partial-\(getpid())"
        do {
            let summary = try Self.copy(from: source, to: partial)
            try Self.syncFile(partial)
            guard rename(partial, self.path) == 0 else {
                throw BackupError("cannot rename \(partial) to \(self.path): \(String(cString: strerror(errno)))")
            }
            try Self.syncDirectory(containing: self.path)
            print("backup of \(source) written to \(self.path): \(summary)")
        } catch {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(partial + suffix) }
            if let error = error as? BackupError { throw error }
            throw BackupError("backup failed: \(error)")
        }
    }

    func sourcePath() throws -> String {
        if let database { return database }
        if let dataDir { return "\(dataDir)/slipway.db" }
        if let config {
            do {
                return "\(try SlipwayConfiguration.load(path: config).dataDirectory)/slipway.db"
            } catch let error as ConfigurationError {
                throw BackupError(error.message)
            }
        }
        return "\(SlipwayConfiguration().dataDirectory)/slipway.db"
    }

    /// Copies `source` into the new file `destination` and checks the copy; returns a summary
    /// ("N jobs, M pipelines, B bytes").
    static func copy(from source: String, to destination: String) throws -> String {
        let connection = try SQLiteConnection(path: source, mode: .readOnly, statementCacheCapacity: 0)
        connection.busyTimeout = .seconds(10)
        try connection.backup(to: destination)
        try connection.close()

        // The copy carries the source's WAL mode; a backup is one self-contained file, so it
        // goes back to a rollback journal (which also leaves no -wal or -shm beside it).
        let copy = try SQLiteConnection(path: destination, mode: .readWrite, statementCacheCapacity: 0)
        defer { try? copy.close() }
        try copy.execute("PRAGMA journal_mode=DELETE")
        let check = try copy.first("PRAGMA quick_check")?.string(at: 0)
        guard check == "ok" else { throw BackupError("the copy failed its integrity check: \(check ?? "no answer")") }
        var parts: [String] = []
        for table in ["jobs", "pipelines"] {
            let exists = try copy.first("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [table])?.int(at: 0) ?? 0
            if exists > 0, let rows = try copy.first("SELECT count(*) FROM \(table)")?.int(at: 0) {
                parts.append("\(rows) \(table)")
            }
        }
        var info = stat()
        if stat(destination, &info) == 0 { parts.append("\(info.st_size) bytes") }
        return parts.joined(separator: ", ")
    }

    static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            let message = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw BackupError("cannot sync \(path): \(message)")
        }
        close(descriptor)
    }

    /// Makes the rename durable.
    static func syncDirectory(containing path: String) throws {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        try self.syncFile(directory.isEmpty ? "/" : directory)
    }
}

/// A backup problem: printed as `error: …` and exit status 1.
struct BackupError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { self.message }
}
