#ifndef CSQLITE_TEMPORARY_FILES_H
#define CSQLITE_TEMPORARY_FILES_H

// For tests only: an SQLite file layer ("VFS") named "huifang-counting" that works as the default one and counts the
// temporary files SQLite opens through it (statement journals, temporary databases). A test opens its database as
// `file:…?vfs=huifang-counting` and compares the count before and after: other connections of the process, which
// use the default layer, are not counted.

/// Registers the layer, once (later calls do nothing). Registering initialises SQLite: open the process's first
/// connection before. Returns SQLite's result code.
int huifang_counting_vfs_register(void);

/// How many temporary files connections on the layer have opened so far.
int huifang_counting_vfs_temporary_files(void);

#endif
