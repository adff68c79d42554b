/* PostgreSQL engine over libpq: statements prepared once per connection (named fh_N), text
 * parameters typed by the server from context (write CAST($n AS TEXT) where the context gives
 * no type), results read whole. SQLSTATE classes map to our errors. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "engine.h"
#include "log.h"

enum { MAX_PARAMS = 64 };

struct pg_db {
    struct db base;
    PGconn *conn;
    struct stmt_cache cache;
    int next_name;
};

struct pg_stmt {
    struct db_stmt base;
    char name[16];
    int nparams;
    char *params[MAX_PARAMS];
    PGresult *res;
    int row, nrows;
    long long changes;
};

static PGconn *conn_of(struct db *db)
{
    return ((struct pg_db *)db)->conn;
}

static enum err fail(PGresult *res, PGconn *conn, const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && (!strcmp(state, "23505")))
        return errf(ERR_CONFLICT, NULL, "与现有数据重复");
    if (state && (!strcmp(state, "23503")))
        return errf(ERR_CONFLICT, NULL, "关联的数据不存在或仍被引用");
    if (state && !strncmp(state, "23", 2))
        return errf(ERR_VALIDATION, NULL, "数据不满足约束");
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
        return errf(ERR_UNAVAILABLE, NULL, "数据库忙，请稍后重试");
    log_error("postgresql: %s [%s] in: %.200s", PQerrorMessage(conn), state ? state : "-",
              sql ? sql : "");
    return errf(ERR_DB, NULL, NULL);
}

static enum err pg_exec(struct db *db, const char *sql)
{
    PGresult *res = PQexec(conn_of(db), sql);
    ExecStatusType st = PQresultStatus(res);
    enum err rc = ERR_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail(res, conn_of(db), sql);
    PQclear(res);
    return rc;
}

static void notice_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static enum err pg_connect(struct store *st, struct db **out)
{
    PGconn *conn = PQconnectdb(st->url);
    if (PQstatus(conn) != CONNECTION_OK) {
        enum err e = errf(ERR_UNAVAILABLE, "db", "无法连接 PostgreSQL：%s", PQerrorMessage(conn));
        PQfinish(conn);
        return e;
    }
    PQsetNoticeProcessor(conn, notice_quiet, NULL);
    struct pg_db *pdb = xcalloc(1, sizeof *pdb);
    pdb->conn = conn;
    enum err rc = pg_exec(&pdb->base, "SET TIME ZONE 'Asia/Shanghai'");
    if (rc) {
        PQfinish(conn);
        free(pdb);
        return rc;
    }
    *out = &pdb->base;
    return ERR_OK;
}

static void clear_params(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->params[i]);
        s->params[i] = NULL;
    }
}

static void free_one(void *p)
{
    struct pg_stmt *s = p;
    clear_params(s);
    PQclear(s->res);
    free(s);
}

static void pg_disconnect(struct db *db)
{
    struct pg_db *pdb = (struct pg_db *)db;
    stmt_cache_clear(&pdb->cache, free_one);
    PQfinish(pdb->conn);
    free(pdb);
}

static int pg_healthy(struct db *db)
{
    return PQstatus(conn_of(db)) == CONNECTION_OK;
}

static enum err pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct pg_db *pdb = (struct pg_db *)db;
    struct pg_stmt *s = stmt_cache_get(&pdb->cache, sql);
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->base.db = db;
        snprintf(s->name, sizeof s->name, "fh_%d", ++pdb->next_name);
        PGresult *res = PQprepare(pdb->conn, s->name, sql, 0, NULL);
        enum err rc = PQresultStatus(res) == PGRES_COMMAND_OK ? ERR_OK : fail(res, pdb->conn, sql);
        PQclear(res);
        if (!rc) {
            res = PQdescribePrepared(pdb->conn, s->name);
            if (PQresultStatus(res) == PGRES_COMMAND_OK)
                s->nparams = PQnparams(res);
            else
                rc = fail(res, pdb->conn, sql);
            PQclear(res);
        }
        if (rc || s->nparams > MAX_PARAMS) {
            free(s);
            return rc ? rc : errf(ERR_INTERNAL, NULL, "too many parameters");
        }
        stmt_cache_put(&pdb->cache, sql, s);
    }
    clear_params(s);
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = 0;
    s->changes = 0;
    *out = &s->base;
    return ERR_OK;
}

static void pg_bind_text(struct db_stmt *base, int idx, const char *v)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    if (idx < 1 || idx > s->nparams)
        return;
    free(s->params[idx - 1]);
    s->params[idx - 1] = v ? xstrdup(v) : NULL;
}

static void pg_bind_int(struct db_stmt *base, int idx, long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v);
    pg_bind_text(base, idx, buf);
}

static enum err pg_step(struct db_stmt *base, int *row)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    *row = 0;
    if (!s->res) {
        PGconn *conn = conn_of(base->db);
        s->res = PQexecPrepared(conn, s->name, s->nparams, (const char *const *)s->params, NULL,
                                NULL, 0);
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            enum err rc = fail(s->res, conn, s->name);
            PQclear(s->res);
            s->res = NULL;
            return rc;
        }
        s->nrows = PQntuples(s->res);
        const char *n = PQcmdTuples(s->res);
        s->changes = n && *n ? strtoll(n, NULL, 10) : 0;
        s->row = -1;
    }
    if (s->row + 1 < s->nrows) {
        s->row++;
        *row = 1;
    }
    return ERR_OK;
}

static int pg_ncols(struct db_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_text(struct db_stmt *base, int col)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    if (!s->res || s->row < 0 || s->row >= s->nrows || col >= PQnfields(s->res) ||
        PQgetisnull(s->res, s->row, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static long long pg_changes(struct db_stmt *base)
{
    return ((struct pg_stmt *)base)->changes;
}

static void pg_done(struct db_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    PQclear(s->res);
    s->res = NULL;
    clear_params(s);
}

static enum err pg_backup(struct db *db, const char *path)
{
    (void)db;
    (void)path;
    return errf(ERR_VALIDATION, "db", "PostgreSQL 请使用 pg_dump 备份（见 docs/operations.md）");
}

const struct engine_ops pg_ops = {
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .healthy = pg_healthy,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .step = pg_step,
    .ncols = pg_ncols,
    .text = pg_text,
    .changes = pg_changes,
    .done = pg_done,
    .exec = pg_exec,
    .backup = pg_backup,
};
