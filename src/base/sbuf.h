/* String builder: never NULL, always NUL-terminated, with a size cap (git strbuf, curl dynbuf).
 * Growing past the cap fails the append (returns ERR_TOO_LARGE) and leaves the content intact. */
#ifndef FANGHU_SBUF_H
#define FANGHU_SBUF_H
#include <stddef.h>

#include "err.h"

struct sbuf {
    char *buf;
    size_t len, cap, max;
};

void sbuf_init(struct sbuf *sb, size_t max); /* max 0 = 64 MiB */
void sbuf_release(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
enum err sbuf_add(struct sbuf *sb, const void *data, size_t n);
enum err sbuf_adds(struct sbuf *sb, const char *s);
enum err sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the buffer to the caller (free() it) and resets sb. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
