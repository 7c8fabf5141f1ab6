#ifndef CHUIFANG_SQLITE_H
#define CHUIFANG_SQLITE_H

// `sqlite3_db_config` and `sqlite3_config` take variable arguments, which Swift cannot call; these are the
// fixed-argument forms Huifang uses. Each returns SQLite's result code.

/// Turns on SQLite's query planner stability guarantee for one connection (`SQLITE_DBCONFIG_ENABLE_QPSG`).
int huifang_sqlite_enable_qpsg(void *connection);

/// How many bytes of a statement journal (what a savepoint or a statement must be able to undo) SQLite keeps in
/// memory before it moves the journal to a temporary file (`SQLITE_CONFIG_STMTJRNL_SPILL`, process-wide). Only
/// accepted before SQLite initialises, that is before the process opens its first connection (`SQLITE_MISUSE` after).
int huifang_sqlite_statement_journal_spill(int bytes);

#endif
