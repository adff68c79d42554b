/* The engines behind store.h: each provides these operations; store.c dispatches. */
#ifndef FANGHU_STORE_ENGINE_H
#define FANGHU_STORE_ENGINE_H
#include <pthread.h>

#include "store.h"

struct engine_ops {
    enum err (*connect)(struct store *st, struct db **out);
    void (*disconnect)(struct db *db);
    int (*healthy)(struct db *db);
    enum err (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    void (*bind_text)(struct db_stmt *s, int idx, const char *v);
    void (*bind_int)(struct db_stmt *s, int idx, long long v);
    enum err (*step)(struct db_stmt *s, int *row);
    int (*ncols)(struct db_stmt *s);
    const char *(*text)(struct db_stmt *s, int col);
    long long (*changes)(struct db_stmt *s);
    void (*done)(struct db_stmt *s);
    enum err (*exec)(struct db *db, const char *sql);
    enum err (*backup)(struct db *db, const char *path);
};

/* Each engine's connection and statement start with these. */
struct db {
    struct store *st;
    const struct engine_ops *ops;
    int in_tx;
    struct db *next_all; /* every connection of the store, for store_close */
};

struct db_stmt {
    struct db *db;
};

/* A statement cache keyed by SQL text, one per connection. */
struct stmt_cache {
    size_t n, cap;
    const char **keys;
    void **vals;
};
void *stmt_cache_get(struct stmt_cache *c, const char *sql);
void stmt_cache_put(struct stmt_cache *c, const char *sql, void *stmt);
/* Calls fn on every cached statement and empties the cache. */
void stmt_cache_clear(struct stmt_cache *c, void (*fn)(void *));

struct store {
    enum db_engine engine;
    const struct engine_ops *ops;
    char *url;  /* PostgreSQL conninfo */
    char *path; /* SQLite file */
    pthread_mutex_t lock;
    struct db *all;
    pthread_key_t key; /* this thread's connection */
};

extern const struct engine_ops sqlite_ops;
extern const struct engine_ops pg_ops;

#endif
