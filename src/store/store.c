/* Dispatch from the store interface to the engine, per-thread connections, statement cache. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "engine.h"
#include "log.h"
#include "sbuf.h"

static enum err make_dir(const char *dir)
{
    if (mkdir(dir, 0700) && errno != EEXIST)
        return errf(ERR_IO, "data", "无法创建数据目录 %s", dir);
    return ERR_OK;
}

enum err store_open(const char *url, const char *data_dir, struct store **out)
{
    struct store *st = xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    pthread_key_create(&st->key, NULL);
    enum err rc;
    if (url && (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11))) {
        st->engine = DB_PG;
        st->ops = &pg_ops;
        st->url = xstrdup(url);
    } else {
        st->engine = DB_SQLITE;
        st->ops = &sqlite_ops;
        if (url && !strncmp(url, "sqlite:", 7)) {
            st->path = xstrdup(url + 7);
        } else {
            if ((rc = make_dir(data_dir)))
                goto fail;
            size_t n = strlen(data_dir) + 16;
            st->path = xmalloc(n);
            snprintf(st->path, n, "%s/fanghu.db", data_dir);
        }
    }
    struct db *db;
    if ((rc = store_acquire(st, &db)))
        goto fail;
    *out = st;
    return ERR_OK;
fail:
    store_close(st);
    return rc;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    while (st->all) {
        struct db *db = st->all;
        st->all = db->next_all;
        st->ops->disconnect(db);
    }
    pthread_key_delete(st->key);
    pthread_mutex_destroy(&st->lock);
    free(st->url);
    free(st->path);
    free(st);
}

enum db_engine store_engine(const struct store *st)
{
    return st->engine;
}

const char *store_engine_name(const struct store *st)
{
    return st->engine == DB_PG ? "postgresql" : "sqlite";
}

enum db_engine db_engine(const struct db *db)
{
    return db->st->engine;
}

enum err store_acquire(struct store *st, struct db **out)
{
    struct db *db = pthread_getspecific(st->key);
    if (db && !db->in_tx && !st->ops->healthy(db)) {
        /* A broken PostgreSQL connection: drop it and connect again. */
        pthread_mutex_lock(&st->lock);
        for (struct db **pp = &st->all; *pp; pp = &(*pp)->next_all)
            if (*pp == db) {
                *pp = db->next_all;
                break;
            }
        pthread_mutex_unlock(&st->lock);
        st->ops->disconnect(db);
        db = NULL;
    }
    if (!db) {
        enum err rc = st->ops->connect(st, &db);
        if (rc)
            return rc;
        db->st = st;
        db->ops = st->ops;
        pthread_mutex_lock(&st->lock);
        db->next_all = st->all;
        st->all = db;
        pthread_mutex_unlock(&st->lock);
        pthread_setspecific(st->key, db);
    }
    *out = db;
    return ERR_OK;
}

enum err db_begin(struct db *db)
{
    enum err rc = db->ops->exec(db, db->st->engine == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!rc)
        db->in_tx = 1;
    return rc;
}

/* One snapshot for the whole transaction on both engines (SQLite's WAL read transaction is one
 * already), so a page and its total, or an export's pages, agree with each other. */
enum err db_begin_read(struct db *db)
{
    enum err rc = db->ops->exec(db, db->st->engine == DB_SQLITE
                                        ? "BEGIN DEFERRED"
                                        : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    if (!rc)
        db->in_tx = 1;
    return rc;
}

enum err db_commit(struct db *db)
{
    enum err rc = db->ops->exec(db, "COMMIT");
    if (rc)
        db_rollback(db);
    db->in_tx = 0;
    return rc;
}

void db_rollback(struct db *db)
{
    if (!db->in_tx)
        return;
    db->ops->exec(db, "ROLLBACK");
    db->in_tx = 0;
}

int db_in_tx(const struct db *db)
{
    return db->in_tx;
}

enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    return db->ops->prepare(db, sql, out);
}

void db_bind_text(struct db_stmt *s, int idx, const char *v)
{
    s->db->ops->bind_text(s, idx, v);
}
void db_bind_int(struct db_stmt *s, int idx, long long v)
{
    s->db->ops->bind_int(s, idx, v);
}
void db_bind_null(struct db_stmt *s, int idx)
{
    s->db->ops->bind_text(s, idx, NULL);
}
enum err db_step(struct db_stmt *s, int *row)
{
    return s->db->ops->step(s, row);
}
int db_ncols(struct db_stmt *s)
{
    return s->db->ops->ncols(s);
}
const char *db_text(struct db_stmt *s, int col)
{
    return s->db->ops->text(s, col);
}

long long db_int(struct db_stmt *s, int col)
{
    const char *t = db_text(s, col);
    return t ? strtoll(t, NULL, 10) : 0;
}

int db_null(struct db_stmt *s, int col)
{
    return db_text(s, col) == NULL;
}
long long db_changes(struct db_stmt *s)
{
    return s->db->ops->changes(s);
}
void db_done(struct db_stmt *s)
{
    s->db->ops->done(s);
}
enum err db_exec(struct db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

enum err db_scalar_int(struct db_stmt *s, long long fallback, long long *out)
{
    int row = 0;
    enum err rc = db_step(s, &row);
    *out = !rc && row && !db_null(s, 0) ? db_int(s, 0) : fallback;
    db_done(s);
    return rc;
}

enum err store_backup(struct store *st, const char *path)
{
    struct db *db;
    enum err rc = store_acquire(st, &db);
    if (rc)
        return rc;
    return db->ops->backup(db, path);
}

char *store_translate_ddl(enum db_engine engine, const char *sql)
{
    static const char *const words[][3] = {
        {"@ID@", "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {"@BLOB@", "BLOB", "BYTEA"},
    };
    struct sbuf sb;
    sbuf_init(&sb, 0);
    for (const char *p = sql; *p;) {
        int matched = 0;
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            size_t n = strlen(words[i][0]);
            if (!strncmp(p, words[i][0], n)) {
                sbuf_adds(&sb, words[i][engine == DB_SQLITE ? 1 : 2]);
                p += n;
                matched = 1;
                break;
            }
        }
        if (!matched)
            sbuf_add(&sb, p++, 1);
    }
    return sbuf_detach(&sb, NULL);
}

/* Statement cache: open addressing on the SQL text. */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void *stmt_cache_get(struct stmt_cache *c, const char *sql)
{
    if (!c->cap)
        return NULL;
    for (size_t i = hash(sql) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        if (!c->keys[i])
            return NULL;
        if (c->keys[i] == sql || !strcmp(c->keys[i], sql))
            return c->vals[i];
    }
}

static void insert(struct stmt_cache *c, const char *owned_sql, void *stmt)
{
    size_t i = hash(owned_sql) & (c->cap - 1);
    while (c->keys[i])
        i = (i + 1) & (c->cap - 1);
    c->keys[i] = owned_sql;
    c->vals[i] = stmt;
    c->n++;
}

void stmt_cache_put(struct stmt_cache *c, const char *sql, void *stmt)
{
    if (2 * (c->n + 1) > c->cap) {
        struct stmt_cache bigger = {0, c->cap ? 2 * c->cap : 64, NULL, NULL};
        bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
        bigger.vals = xcalloc(bigger.cap, sizeof *bigger.vals);
        for (size_t i = 0; i < c->cap; i++)
            if (c->keys[i])
                insert(&bigger, c->keys[i], c->vals[i]);
        free(c->keys);
        free(c->vals);
        *c = bigger;
    }
    insert(c, xstrdup(sql), stmt);
}

void stmt_cache_clear(struct stmt_cache *c, void (*fn)(void *))
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->keys[i]) {
            if (fn)
                fn(c->vals[i]);
            free((void *)(uintptr_t)c->keys[i]);
        }
    free(c->keys);
    free(c->vals);
    memset(c, 0, sizeof *c);
}
