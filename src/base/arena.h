/* Arena: the memory of one request (or one ingest batch). Allocations live until
 * arena_release(); cleanups registered on the arena (statements, files) run then, last first.
 * Out of memory aborts: callers never check for NULL. */
#ifndef FANGHU_ARENA_H
#define FANGHU_ARENA_H
#include <stddef.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
    struct arena_chunk *chunks;
    struct arena_cleanup *cleanups;
};

void arena_init(struct arena *a);
/* Frees every allocation and runs the cleanups; the arena can be reused afterwards. */
void arena_release(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);       /* zeroed, aligned for any type */
char *arena_strdup(struct arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs fn(ctx) when the arena is released. */
void arena_on_release(struct arena *a, void (*fn)(void *), void *ctx);

/* Aborts the process with a message: for out-of-memory and broken invariants. */
_Noreturn void die_oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
