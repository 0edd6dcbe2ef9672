// slipway — SQLite C library (Debian libsqlite3-dev)
// SPDX-License-Identifier: Apache-2.0
//
// Only what Swift cannot import from <sqlite3.h> directly: function-like casts and variadic
// functions. Everything else is called straight from Swift.
#ifndef SLIPWAY_CSQLITE_SHIM_H
#define SLIPWAY_CSQLITE_SHIM_H

#include <sqlite3.h>

/// `SQLITE_TRANSIENT` is the cast `((sqlite3_destructor_type)-1)`, which Swift cannot import.
/// https://www.sqlite.org/c3ref/c_static.html: "If the destructor argument is
/// SQLITE_TRANSIENT, then SQLite makes its own private copy of the data immediately."
static inline sqlite3_destructor_type slipway_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}

/// `SQLITE_STATIC` is the cast `((sqlite3_destructor_type)0)`: the bound buffer must outlive
/// the binding.
static inline sqlite3_destructor_type slipway_sqlite3_static(void) {
    return SQLITE_STATIC;
}

/// `sqlite3_db_config` is variadic. This wrapper covers the options that take `(int, int*)`,
/// for example `SQLITE_DBCONFIG_DQS_DML`, `SQLITE_DBCONFIG_DQS_DDL`, `SQLITE_DBCONFIG_DEFENSIVE`.
static inline int slipway_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}

/// `sqlite3_config` is variadic. Turns off SQLite's memory statistics, which take a
/// process-wide mutex around every allocation and free (https://www.sqlite.org/c3ref/c_config_covering_index_scan.html,
/// SQLITE_CONFIG_MEMSTATUS). Works only before SQLite initializes; returns SQLITE_MISUSE after.
static inline int slipway_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
