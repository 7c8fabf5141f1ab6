#include "CSQLiteTemporaryFiles.h"
#include "sqlite_nio_sqlite3.h"
#include <pthread.h>
#include <stdatomic.h>

static sqlite3_vfs counting;
static atomic_int temporary_files;
static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int registration = SQLITE_ERROR;

static int counting_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    sqlite3_vfs *base = (sqlite3_vfs *)vfs->pAppData;
    int temporary = SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TRANSIENT_DB;
    if (flags & temporary) atomic_fetch_add(&temporary_files, 1);
    return base->xOpen(base, name, file, flags, out_flags);
}

static void register_once(void) {
    sqlite3_vfs *base = sqlite_nio_sqlite3_vfs_find(0);
    if (!base) return;
    counting = *base;
    counting.pNext = 0;
    counting.zName = "huifang-counting";
    counting.pAppData = base;
    counting.xOpen = counting_open;
    registration = sqlite_nio_sqlite3_vfs_register(&counting, 0);
}

int huifang_counting_vfs_register(void) {
    pthread_once(&registered, register_once);
    return registration;
}

int huifang_counting_vfs_temporary_files(void) { return atomic_load(&temporary_files); }
