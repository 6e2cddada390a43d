#ifndef MAILTRACE_CSQLITE_SHIM_H
#define MAILTRACE_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_db_config is variadic; Swift cannot call variadic C functions.

/// Hardens a connection that runs SQL typed by a user (`mailtrace sql`):
/// SQLITE_DBCONFIG_DEFENSIVE (no writable_schema, no direct writes to shadow
/// tables or the dbpage table), untrusted schema (functions with side effects
/// are refused inside views and triggers), no extension loading, and
/// double-quoted strings read as identifiers only. Returns an SQLite result code.
static inline int mailtrace_sqlite3_harden(sqlite3 *db) {
  int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)0);
  if (rc != SQLITE_OK) return rc;
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
  rc = sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)0);
  if (rc != SQLITE_OK) return rc;
#endif
#ifdef SQLITE_DBCONFIG_DQS_DML
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
  sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
#endif
  return SQLITE_OK;
}

/// Whether SQLITE_DBCONFIG_DEFENSIVE is on for `db` (1), off (0), or the
/// question failed (-1).
static inline int mailtrace_sqlite3_is_defensive(sqlite3 *db) {
  int on = -1;
  if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &on) != SQLITE_OK) return -1;
  return on;
}
#endif
