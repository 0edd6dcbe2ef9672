// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Threads

/// Opens a database with one `items` table in a fresh directory.
func openItemsDatabase(
    _ directory: TemporaryDirectory,
    name: String = "items.db",
    configure: (inout SQLiteDatabase.Configuration) -> Void = { _ in }
) async throws -> SQLiteDatabase {
    var migrator = SQLiteMigrator()
    migrator.register("items", sql: "CREATE TABLE items(id INTEGER PRIMARY KEY, payload TEXT NOT NULL) STRICT")
    var configuration = SQLiteDatabase.Configuration(migrator: migrator)
    configure(&configuration)
    return try await SQLiteDatabase(path: directory.file(name), configuration: configuration)
}

/// Runs `body` on a new thread of its own (like an HTTP event-loop thread) and returns its
/// result without blocking the cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NamedThread.run(name: "test-own-thread", body)
}


/// An error thrown on purpose by test closures.
struct DeliberateFailure: Error, Equatable {
    var id: Int
}
