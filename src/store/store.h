/* Storage: one interface over two engines, SQLite (embedded default) and PostgreSQL (libpq).
 * SQL is written once in a portable subset with $1..$n placeholders; statements are prepared
 * once per connection and cached by their text. Values travel as text or 64-bit integers.
 * Each thread gets its own connection (store_acquire), kept for the life of the store. */
#ifndef FANGHU_STORE_H
#define FANGHU_STORE_H
#include <stddef.h>

#include "err.h"

enum db_engine { DB_SQLITE, DB_PG };

struct store;
struct db;
struct db_stmt;

/* Opens the store: url "" or "sqlite:PATH" → SQLite (default DATA/fanghu.db, the directory is
 * created), "postgresql://…" → PostgreSQL. Checks that a connection can be made. */
enum err store_open(const char *url, const char *data_dir, struct store **out);
/* Closes every connection; no thread may still use one. */
void store_close(struct store *st);
enum db_engine store_engine(const struct store *st);
const char *store_engine_name(const struct store *st);

/* This thread's connection (opened on first use, reconnected when broken). */
enum err store_acquire(struct store *st, struct db **out);
enum db_engine db_engine(const struct db *db);

/* Transactions. db_begin starts a write transaction (SQLite: BEGIN IMMEDIATE, so writers queue
 * instead of failing on upgrade). db_rollback is safe to call when no transaction is open. */
enum err db_begin(struct db *db);
enum err db_begin_read(struct db *db);
enum err db_commit(struct db *db);
void db_rollback(struct db *db);
int db_in_tx(const struct db *db);

/* Prepares sql (cached per connection by its text) and returns a statement ready for binding.
 * Only one statement per connection is active at a time for a given sql text; finish it with
 * db_done before running the same text again. */
enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out);
/* Parameters are 1-based; text is copied; NULL text binds SQL NULL. */
void db_bind_text(struct db_stmt *s, int idx, const char *v);
void db_bind_int(struct db_stmt *s, int idx, long long v);
void db_bind_null(struct db_stmt *s, int idx);
/* Runs the statement on the first call; *row = 1 while a row is available. Constraint
 * violations map to ERR_CONFLICT, other failures to ERR_DB (logged with the SQL). */
enum err db_step(struct db_stmt *s, int *row);
int db_ncols(struct db_stmt *s);
const char *db_text(struct db_stmt *s, int col); /* NULL for SQL NULL; valid until next step */
long long db_int(struct db_stmt *s, int col);
int db_null(struct db_stmt *s, int col);
long long db_changes(struct db_stmt *s); /* rows changed by the last run */
/* Ends the run and resets the statement for reuse. */
void db_done(struct db_stmt *s);

/* Conveniences: run sql to completion with the already-bound statement: */
enum err db_exec(struct db *db, const char *sql); /* no parameters, no rows */
/* Runs and ends s, returning its first column of its first row as integer (fallback when none). */
enum err db_scalar_int(struct db_stmt *s, long long fallback, long long *out);

/* Engine-specific DDL words inside migrations: @ID@ (auto-increment primary key), @BLOB@. */
char *store_translate_ddl(enum db_engine engine, const char *sql);

/* Applies pending embedded migrations, each in a transaction; *applied counts them. */
enum err store_migrate(struct store *st, int *applied);
/* The current schema version (0 when none). */
enum err store_schema_version(struct store *st, int *version);

/* SQLite: online backup to path. PostgreSQL: ERR_VALIDATION (use pg_dump, see docs). */
enum err store_backup(struct store *st, const char *path);

#endif
