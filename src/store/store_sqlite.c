/* SQLite engine: WAL, foreign keys, busy timeout, synchronous=FULL (a committed write survives
 * a crash of the process or of the machine); $N placeholders become ?N. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "engine.h"
#include "log.h"
#include "sbuf.h"

struct sqlite_db {
    struct db base;
    sqlite3 *handle;
    struct stmt_cache cache;
};

struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *stmt;
    int started;
    long long changes;
};

static sqlite3 *handle_of(struct db *db)
{
    return ((struct sqlite_db *)db)->handle;
}

static enum err fail(sqlite3 *h, int code, const char *sql)
{
    /* Extended result codes are on: the primary code is the low byte. */
    int ext = sqlite3_extended_errcode(h);
    code &= 0xff;
    if (code == SQLITE_CONSTRAINT) {
        if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
            return errf(ERR_CONFLICT, NULL, "关联的数据不存在或仍被引用");
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return errf(ERR_CONFLICT, NULL, "与现有数据重复");
        return errf(ERR_VALIDATION, NULL, "数据不满足约束：%s", sqlite3_errmsg(h));
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return errf(ERR_UNAVAILABLE, NULL, "数据库忙，请稍后重试");
    log_error("sqlite: %s (%d) in: %.200s", sqlite3_errmsg(h), ext, sql ? sql : "");
    return errf(ERR_DB, NULL, NULL);
}

static enum err sq_exec(struct db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(handle_of(db), sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    return rc == SQLITE_OK ? ERR_OK : fail(handle_of(db), rc, sql);
}

static enum err sq_connect(struct store *st, struct db **out)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        st->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        enum err e =
            errf(ERR_IO, "data", "无法打开数据库 %s：%s", st->path, h ? sqlite3_errmsg(h) : "?");
        sqlite3_close(h);
        return e;
    }
    sqlite3_busy_timeout(h, 10000);
    sqlite3_extended_result_codes(h, 1);
    struct sqlite_db *sdb = xcalloc(1, sizeof *sdb);
    sdb->handle = h;
    static const char pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                  "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384;"
                                  "PRAGMA temp_store=MEMORY;";
    enum err e = sq_exec(&sdb->base, pragmas);
    if (e) {
        sqlite3_close(h);
        free(sdb);
        return e;
    }
    *out = &sdb->base;
    return ERR_OK;
}

static void finalize_one(void *p)
{
    struct sqlite_stmt *s = p;
    sqlite3_finalize(s->stmt);
    free(s);
}

static void sq_disconnect(struct db *db)
{
    struct sqlite_db *sdb = (struct sqlite_db *)db;
    stmt_cache_clear(&sdb->cache, finalize_one);
    sqlite3_close(sdb->handle);
    free(sdb);
}

static int sq_healthy(struct db *db)
{
    (void)db;
    return 1;
}

/* $N → ?N outside quotes, so the portable SQL runs unchanged. */
static char *translate(const char *sql)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            sbuf_add(&sb, "?", 1);
            continue;
        }
        sbuf_add(&sb, p, 1);
    }
    return sbuf_detach(&sb, NULL);
}

static enum err sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct sqlite_db *sdb = (struct sqlite_db *)db;
    struct sqlite_stmt *s = stmt_cache_get(&sdb->cache, sql);
    if (!s) {
        char *text = translate(sql);
        sqlite3_stmt *stmt = NULL;
        int rc = sqlite3_prepare_v3(sdb->handle, text, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
        free(text);
        if (rc != SQLITE_OK)
            return fail(sdb->handle, rc, sql);
        s = xcalloc(1, sizeof *s);
        s->base.db = db;
        s->stmt = stmt;
        stmt_cache_put(&sdb->cache, sql, s);
    } else {
        sqlite3_reset(s->stmt);
    }
    sqlite3_clear_bindings(s->stmt);
    s->started = 0;
    s->changes = 0;
    *out = &s->base;
    return ERR_OK;
}

static void sq_bind_text(struct db_stmt *base, int idx, const char *v)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    if (v)
        sqlite3_bind_text(s->stmt, idx, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->stmt, idx);
}

static void sq_bind_int(struct db_stmt *base, int idx, long long v)
{
    sqlite3_bind_int64(((struct sqlite_stmt *)base)->stmt, idx, v);
}

static enum err sq_step(struct db_stmt *base, int *row)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    s->started = 1;
    int rc = sqlite3_step(s->stmt);
    if (rc == SQLITE_ROW) {
        *row = 1;
        return ERR_OK;
    }
    *row = 0;
    if (rc == SQLITE_DONE) {
        s->changes = sqlite3_changes(handle_of(base->db));
        return ERR_OK;
    }
    enum err e = fail(handle_of(base->db), rc, sqlite3_sql(s->stmt));
    sqlite3_reset(s->stmt);
    return e;
}

static int sq_ncols(struct db_stmt *base)
{
    return sqlite3_column_count(((struct sqlite_stmt *)base)->stmt);
}

static const char *sq_text(struct db_stmt *base, int col)
{
    sqlite3_stmt *st = ((struct sqlite_stmt *)base)->stmt;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(st, col);
}

static long long sq_changes(struct db_stmt *base)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    return s->changes ? s->changes : sqlite3_changes(handle_of(base->db));
}

static void sq_done(struct db_stmt *base)
{
    struct sqlite_stmt *s = (struct sqlite_stmt *)base;
    sqlite3_reset(s->stmt);
    sqlite3_clear_bindings(s->stmt);
}

static enum err sq_backup(struct db *db, const char *path)
{
    sqlite3 *dest = NULL;
    if (sqlite3_open(path, &dest) != SQLITE_OK) {
        sqlite3_close(dest);
        return errf(ERR_IO, "path", "无法创建备份文件 %s", path);
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", handle_of(db), "main");
    if (!b) {
        enum err e = errf(ERR_IO, "path", "备份失败：%s", sqlite3_errmsg(dest));
        sqlite3_close(dest);
        return e;
    }
    int rc;
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    enum err e =
        rc == SQLITE_DONE ? ERR_OK : errf(ERR_IO, "path", "备份失败：%s", sqlite3_errmsg(dest));
    sqlite3_close(dest);
    return e;
}

const struct engine_ops sqlite_ops = {
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .healthy = sq_healthy,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .step = sq_step,
    .ncols = sq_ncols,
    .text = sq_text,
    .changes = sq_changes,
    .done = sq_done,
    .exec = sq_exec,
    .backup = sq_backup,
};
