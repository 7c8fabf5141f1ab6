#include "CHuifangSQLite.h"
#include "sqlite_nio_sqlite3.h"

int huifang_sqlite_enable_qpsg(void *connection) {
    return sqlite_nio_sqlite3_db_config((sqlite3 *)connection, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)0);
}
