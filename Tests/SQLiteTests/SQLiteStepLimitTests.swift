// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import Foundation
import SQLite
import Testing

@Suite("SQLite step limits")
struct SQLiteStepLimitTests {
    /// 2,000 rows; reading 20 through the primary key takes a few hundred instructions, counting
    /// them all a few thousand.
    static func openCountedDatabase(_ directory: TemporaryDirectory) async throws -> SQLiteDatabase {
        let database = try await openItemsDatabase(directory)
        try await database.write { db in
            for index in 0..<2_000 { try db.execute("INSERT INTO items VALUES (?, ?)", [index, "p\(index % 7)"]) }
        }
        return database
    }

    @Test("a quick query run again and again on one cached statement is never cut off")
    func quickQueriesAreNeverInterrupted() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.openCountedDatabase(directory)
        let answered = try await onOwnThread {
            (0..<500).filter { index in
                let rows = try? database.readNow(stepLimit: 5_000) { db in
                    try db.query("SELECT payload FROM items WHERE id >= ? ORDER BY id LIMIT 20", [index]).count
                }
                return rows == 20
            }.count
        }
        #expect(answered == 500)
        await database.close()
    }

    @Test("a query that runs past the limit gives nil, and the connection keeps working")
    func slowQueriesGiveNil() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.openCountedDatabase(directory)
        let (scan, afterwards) = try await onOwnThread {
            let scan = try database.readNow(stepLimit: 5_000) { db in
                try db.first("SELECT count(*) FROM items WHERE payload = 'p3'")?.int(at: 0)
            }
            let afterwards = try database.readNow(stepLimit: 5_000) { db in try db.first("SELECT payload FROM items WHERE id = 3")?.string(at: 0) }
            return (scan, afterwards)
        }
        #expect(scan == nil, "a scan of 2,000 rows runs more than 5,000 instructions")
        #expect(afterwards == "p3")
        // Without a limit the same scan answers.
        #expect(try await onOwnThread { try database.readNow { db in try db.first("SELECT count(*) FROM items WHERE payload = 'p3'")?.int(at: 0) } } == 286)
        await database.close()
    }
}
