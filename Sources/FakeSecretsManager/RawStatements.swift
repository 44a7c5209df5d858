import Foundation
import GRDB
import GRDBSQLite

/// The hot write path binds and steps GRDB's cached statements through the SQLite C API directly. Building
/// `StatementArguments` goes through a generic key-path map that cost more than the insert itself; this
/// keeps GRDB for everything else (connections, migrations, transactions, the statement cache, reads).
extension Database {
    /// Runs `statement` with `values` bound in order, one for each of its parameters; the statement must
    /// not return rows. It is left reset, ready for the next run.
    func run(_ statement: Statement, _ values: [DatabaseValue]) throws {
        try run(statement, leading: nil, values, checksum: nil, trailing: nil)
    }

    /// Runs `statement` with `leading`, `values`, `checksum` and `trailing` bound in that order, those given
    /// one for each of its parameters: a row's columns bound where they are, rather than copied into one list
    /// with the values around them first.
    func run(
        _ statement: Statement, leading: DatabaseValue?, _ values: [DatabaseValue], checksum: DatabaseValue?,
        trailing: DatabaseValue?
    ) throws {
        let handle = statement.sqliteStatement
        let count = values.count + (leading == nil ? 0 : 1) + (checksum == nil ? 0 : 1) + (trailing == nil ? 0 : 1)
        // Bindings are not cleared between runs, so a short list would reuse the last run's values.
        precondition(count == Int(sqlite3_bind_parameter_count(handle)), "every parameter is bound on every run")
        var index: CInt = 1
        func bind(_ value: DatabaseValue) throws {
            let code = Self.bind(value, to: handle, at: index)
            guard code == SQLITE_OK else {
                sqlite3_reset(handle)
                throw lastError(code, statement.sql)
            }
            index += 1
        }
        if let leading { try bind(leading) }
        for value in values { try bind(value) }
        if let checksum { try bind(checksum) }
        if let trailing { try bind(trailing) }
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw lastError(code, statement.sql) }
    }

    private static func bind(_ value: DatabaseValue, to handle: OpaquePointer?, at index: CInt) -> CInt {
        switch value.storage {
        case .null: return sqlite3_bind_null(handle, index)
        case .int64(let number): return sqlite3_bind_int64(handle, index, number)
        case .double(let number): return sqlite3_bind_double(handle, index, number)
        case .string(let text):
            var text = text
            return text.withUTF8 { buffer in
                sqlite3_bind_text(
                    handle, index, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                    CInt(buffer.count), sqliteTransient)
            }
        case .blob(let data):
            return data.withUnsafeBytes { buffer in
                sqlite3_bind_blob(handle, index, buffer.baseAddress, CInt(buffer.count), sqliteTransient)
            }
        }
    }

    private func lastError(_ code: CInt, _ sql: String) -> DatabaseError {
        let message = sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}

/// SQLite's SQLITE_TRANSIENT: copy the bound bytes before the call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
