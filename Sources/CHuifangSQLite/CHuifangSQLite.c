#include "CHuifangSQLite.h"
#include "sqlite_nio_sqlite3.h"

int huifang_sqlite_enable_qpsg(void *connection) {
    return sqlite_nio_sqlite3_db_config((sqlite3 *)connection, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)0);
}

int huifang_sqlite_statement_journal_spill(int bytes) {
    return sqlite_nio_sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}
