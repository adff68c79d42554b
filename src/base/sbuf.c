/* String builder with a cap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sbuf.h"

static char empty[1];

void sbuf_init(struct sbuf *sb, size_t max)
{
    sb->buf = empty;
    sb->len = sb->cap = 0;
    sb->max = max ? max : (size_t)64 << 20;
}

void sbuf_release(struct sbuf *sb)
{
    if (sb->cap)
        free(sb->buf);
    sbuf_init(sb, sb->max);
}

void sbuf_reset(struct sbuf *sb)
{
    sb->len = 0;
    sb->buf[0] = '\0';
}

static enum err grow(struct sbuf *sb, size_t extra)
{
    if (extra > sb->max || sb->len + extra > sb->max)
        return ERR_TOO_LARGE;
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return ERR_OK;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    if (sb->cap) {
        sb->buf = xrealloc(sb->buf, cap);
    } else {
        sb->buf = xmalloc(cap);
        sb->buf[0] = '\0';
    }
    sb->cap = cap;
    return ERR_OK;
}

enum err sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
    enum err rc = grow(sb, n);
    if (rc)
        return rc;
    memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return ERR_OK;
}

enum err sbuf_adds(struct sbuf *sb, const char *s)
{
    return sbuf_add(sb, s, strlen(s));
}

enum err sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INTERNAL;
    enum err rc = grow(sb, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return ERR_OK;
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
    char *p = sb->cap ? sb->buf : xstrdup("");
    if (len)
        *len = sb->len;
    sbuf_init(sb, sb->max);
    return p;
}
