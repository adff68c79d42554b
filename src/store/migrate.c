/* Numbered migrations embedded in the binary, each applied in its own transaction together with
 * its schema_version row; on PostgreSQL an advisory lock keeps concurrent starts from racing. */
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "log.h"
#include "timeutil.h"
#include "store.h"

static const char PREFIX[] = "src/store/migrations/";

static enum err ensure_version_table(struct db *db)
{
    return db_exec(db,
                   "CREATE TABLE IF NOT EXISTS schema_version ("
                   "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
}

static enum err current(struct db *db, int *version)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, "SELECT MAX(version) FROM schema_version", &s);
    if (rc)
        return rc;
    long long v;
    rc = db_scalar_int(s, 0, &v);
    *version = (int)v;
    return rc;
}

/* Each migration is recorded by number, so one merged late with a lower number still runs. */
static enum err applied_already(struct db *db, int number, int *have)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, "SELECT COUNT(*) FROM schema_version WHERE version = $1", &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, number);
    long long n;
    rc = db_scalar_int(s, 0, &n);
    *have = n > 0;
    return rc;
}

enum err store_schema_version(struct store *st, int *version)
{
    struct db *db;
    enum err rc = store_acquire(st, &db);
    if (!rc)
        rc = ensure_version_table(db);
    if (!rc)
        rc = current(db, version);
    return rc;
}

static enum err apply(struct db *db, int number, const char *name, const char *sql, int *applied)
{
    enum err rc = db_begin(db);
    if (rc)
        return rc;
    if (db_engine(db) == DB_PG && (rc = db_exec(db, "SELECT pg_advisory_xact_lock(7146)")))
        goto out;
    int have;
    if ((rc = applied_already(db, number, &have)))
        goto out;
    if (have)
        goto out; /* applied before, or by another process meanwhile */
    char *ddl = store_translate_ddl(db_engine(db), sql);
    rc = db_exec(db, ddl);
    free(ddl);
    if (rc)
        goto out;
    struct db_stmt *s;
    if ((rc = db_prepare(db,
                         "INSERT INTO schema_version (version, name, applied_at) "
                         "VALUES ($1, $2, $3)",
                         &s)))
        goto out;
    char now[40];
    time_now_iso(now);
    db_bind_int(s, 1, number);
    db_bind_text(s, 2, name);
    db_bind_text(s, 3, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc)
        goto out;
    rc = db_commit(db);
    if (!rc) {
        (*applied)++;
        log_info("migration %04d %s applied", number, name);
    }
    return rc;
out:
    db_rollback(db);
    return rc;
}

enum err store_migrate(struct store *st, int *applied)
{
    struct db *db;
    *applied = 0;
    enum err rc = store_acquire(st, &db);
    if (rc || (rc = ensure_version_table(db)))
        return rc;
    /* embedded_files is sorted by name, so migrations come in number order. */
    for (const struct embedded_file *f = embedded_files; f->name; f++) {
        if (strncmp(f->name, PREFIX, sizeof PREFIX - 1))
            continue;
        const char *base = f->name + sizeof PREFIX - 1;
        int number = (int)strtol(base, NULL, 10);
        if (number <= 0)
            continue;
        if ((rc = apply(db, number, base, f->data, applied)))
            return rc;
    }
    return ERR_OK;
}
