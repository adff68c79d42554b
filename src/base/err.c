/* Tables of the error registry and the per-thread error detail. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

static const int statuses[] = {
#define X(name, status, code, msg) status,
#include "err.def"
#undef X
};
static const char *const codes[] = {
#define X(name, status, code, msg) code,
#include "err.def"
#undef X
};
static const char *const messages[] = {
#define X(name, status, code, msg) msg,
#include "err.def"
#undef X
};

static _Thread_local struct err_detail last;

int err_status(enum err e)
{
    return e < ERR__COUNT ? statuses[e] : 500;
}
const char *err_code(enum err e)
{
    return e < ERR__COUNT ? codes[e] : "internal_error";
}
const char *err_message(enum err e)
{
    return e < ERR__COUNT ? messages[e] : messages[ERR_INTERNAL];
}

enum err errf(enum err e, const char *field, const char *fmt, ...)
{
    last.code = e;
    snprintf(last.field, sizeof last.field, "%s", field ? field : "");
    last.msg[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(last.msg, sizeof last.msg, fmt, ap);
        va_end(ap);
    }
    return e;
}

const struct err_detail *err_last(void)
{
    return &last;
}

void err_clear(void)
{
    memset(&last, 0, sizeof last);
}
