// slipway — SQLite tests
// SPDX-License-Identifier: Apache-2.0

import SQLite
import Testing

@Suite("Binding and reading values")
struct SQLiteValueRoundTripTests {
    /// One row of the table: a value and the storage class SQLite must report for it (`typeof`).
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var value: SQLiteValue
        var storageClass: String
        var testDescription: String { self.label }

        init(_ label: String, _ value: SQLiteValue, _ storageClass: String) {
            self.label = label
            self.value = value
            self.storageClass = storageClass
        }
    }

    static let table: [Case] = [
        Case("NULL", .null, "null"),
        Case("0", .integer(0), "integer"),
        Case("1", .integer(1), "integer"),
        Case("-1", .integer(-1), "integer"),
        Case("Int64.min", .integer(Int64.min), "integer"),
        Case("Int64.max", .integer(Int64.max), "integer"),
        Case("0.0", .real(0), "real"),
        Case("-2.5", .real(-2.5), "real"),
        Case("greatest finite double", .real(Double.greatestFiniteMagnitude), "real"),
        Case("least nonzero double", .real(Double.leastNonzeroMagnitude), "real"),
        Case("infinity", .real(.infinity), "real"),
        Case("empty string", .text(""), "text"),
        Case("ASCII", .text("plain ascii"), "text"),
        Case("Unicode", .text("Grüße, 日本語, emoji 🚢⚓️, RTL עברית"), "text"),
        Case("embedded NUL", .text("embedded\u{0}nul"), "text"),
        Case("quotes", .text("it's \"quoted\""), "text"),
        Case("100 kB of text", .text(String(repeating: "x", count: 100_000)), "text"),
        Case("empty blob", .blob([]), "blob"),
        Case("one zero byte", .blob([0]), "blob"),
        Case("binary bytes", .blob([0, 1, 2, 255, 254, 0]), "blob"),
        Case("70 kB blob", .blob(Array((0..<70_000).map { UInt8(truncatingIfNeeded: $0) })), "blob"),
    ]

    @Test("value round-trips by index and by name", arguments: table)
    func roundTrip(_ testCase: Case) throws {
        let value = testCase.value
        let storageClass = testCase.storageClass
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("values.db"))
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v ANY) STRICT")

        try connection.execute("INSERT INTO t(id, v) VALUES (?, ?)", [1, value])
        try connection.execute("INSERT INTO t(id, v) VALUES (:id, :v)", ["id": 2, ":v": value])
        let statement = try connection.prepare("INSERT INTO t(id, v) VALUES (?1, @v)")
        try statement.bind(3, at: 1)
        try statement.bind(value, named: "v")
        try statement.execute()

        let rows = try connection.query("SELECT v, typeof(v) FROM t ORDER BY id")
        #expect(rows.count == 3)
        for row in rows {
            #expect(row[0] == value)
            #expect(row.string(at: 1) == storageClass)
            #expect(row.isNull(at: 0) == (storageClass == "null"))
        }
        // The live statement readers agree with the copied row.
        let select = try connection.prepare("SELECT v FROM t WHERE id = ?")
        try select.bind(2, at: 1)
        #expect(try select.step())
        #expect(select.value(at: 0) == value)
        #expect(select.int64(at: 0) == value.int64Value)
        #expect(select.string(at: 0) == value.stringValue)
        #expect(select.blob(at: 0) == value.blobValue)
        #expect(select.bool(at: 0) == value.boolValue)
        if case .real(let real) = value {
            #expect(select.double(at: 0) == real)
        }
        #expect(try !select.step())
    }

    @Test("Swift types bind and read back through SQLiteValueConvertible")
    func swiftTypes() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("types.db"))
        try connection.execute(
            "CREATE TABLE t(i INTEGER, i64 INTEGER, d REAL, s TEXT, b BLOB, flag INTEGER, missing TEXT) STRICT")
        let int = 42
        let int64 = Int64.min
        let double = 3.25
        let string = "Ünïcødé"
        let bytes: [UInt8] = [1, 2, 3]
        let flag = true
        let missing: String? = nil
        try connection.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", [int, int64, double, string, bytes, flag, missing])
        let row = try #require(try connection.first("SELECT * FROM t"))
        #expect(row.int(at: 0) == 42)
        #expect(row.int64(named: "i64") == Int64.min)
        #expect(row.double(named: "d") == 3.25)
        #expect(row.string(named: "s") == "Ünïcødé")
        #expect(row.blob(named: "b") == [1, 2, 3])
        #expect(row.bool(named: "flag") == true)
        #expect(row.isNull(at: 6))
        #expect(row.get(String?.self, named: "missing") == .some(nil))
        #expect(row.get(Int.self, at: 0) == 42)
        #expect(row.get(Int32.self, named: "i64") == nil, "Int64.min does not fit an Int32")
        #expect(row.columnNames == ["i", "i64", "d", "s", "b", "flag", "missing"])
    }

    @Test("NULL, empty string and empty blob stay distinct")
    func emptyValuesAreNotNull() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("empty.db"))
        try connection.execute("CREATE TABLE t(v ANY) STRICT")
        let empty: [UInt8] = []
        try connection.execute("INSERT INTO t VALUES (?), (?), (?)", [nil, "", empty])
        let kinds = try connection.query("SELECT typeof(v), v IS NULL, length(v) FROM t ORDER BY rowid").map {
            "\($0.string(at: 0)!)/\($0.int(at: 1)!)/\($0.int(at: 2).map(String.init) ?? "-")"
        }
        #expect(kinds == ["null/1/-", "text/0/0", "blob/0/0"])
    }

    @Test("typed readers return nil for NULL and for values they cannot represent")
    func conversions() throws {
        #expect(SQLiteValue.real(3.0).int64Value == 3)
        #expect(SQLiteValue.real(3.5).int64Value == nil)
        #expect(SQLiteValue.integer(7).doubleValue == 7)
        #expect(SQLiteValue.text("12").int64Value == nil)
        #expect(SQLiteValue.integer(12).stringValue == nil)
        #expect(SQLiteValue.text("ab").blobValue == [0x61, 0x62])
        #expect(SQLiteValue.null.int64Value == nil)
        #expect(SQLiteValue.integer(0).boolValue == false)
        let literals: [SQLiteValue] = [nil, 1, 2.5, "x", true]
        #expect(literals == [.null, .integer(1), .real(2.5), .text("x"), .integer(1)])
        #expect(SQLiteValue.text("it's").description == "'it''s'")
        #expect(SQLiteValue.blob([0x0A, 0xFF]).description == "X'0AFF'")
    }

    @Test("binding checks the parameter count and names")
    func bindingErrors() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("bind.db"))
        try connection.execute("CREATE TABLE t(a, b)")
        #expect(throws: SQLiteError.self) { try connection.execute("INSERT INTO t VALUES (?, ?)", [1]) }
        let statement = try connection.prepare("INSERT INTO t VALUES (:a, :b)")
        #expect(statement.parameterCount == 2)
        do {
            try statement.bind(1, named: "nope")
            Issue.record("binding an unknown name succeeded")
        } catch let error as SQLiteError {
            #expect(error.code == .range)
            #expect(error.sql == "INSERT INTO t VALUES (:a, :b)")
        }
        do {
            try statement.bind(1, at: 3)
            Issue.record("binding past the last parameter succeeded")
        } catch let error as SQLiteError {
            #expect(error.code == .range)
        }
        // Unnamed parameters of a named binding stay NULL.
        try statement.execute(["a": 1])
        #expect(try connection.first("SELECT a, b FROM t")?.values == [.integer(1), .null])
    }
}
