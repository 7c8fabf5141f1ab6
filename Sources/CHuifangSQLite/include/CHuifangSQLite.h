#ifndef CHUIFANG_SQLITE_H
#define CHUIFANG_SQLITE_H

/// Turns on SQLite's query planner stability guarantee for one connection (`SQLITE_DBCONFIG_ENABLE_QPSG`).
/// `sqlite3_db_config` takes variable arguments, which Swift cannot call; this is the fixed-argument form.
/// Returns SQLite's result code.
int huifang_sqlite_enable_qpsg(void *connection);

#endif
