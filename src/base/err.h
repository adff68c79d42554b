/* Errors: one enum generated from err.def, with the HTTP status, the stable API code and the
 * Chinese message of each. A fallible function returns enum err (ERR_OK = 0); the detail of the
 * last error on this thread (which field, a specific message) is kept in a thread-local record
 * so that a handler can report it without threading it through every call. */
#ifndef FANGHU_ERR_H
#define FANGHU_ERR_H

enum err {
#define X(name, status, code, msg) ERR_##name,
#include "err.def"
#undef X
    ERR__COUNT
};

struct err_detail {
    enum err code;
    char field[256]; /* the input field at fault ("a,b" when several), "" when none */
    char msg[512];   /* a specific Chinese message, "" to use the registry's */
};

int err_status(enum err e);
const char *err_code(enum err e);
const char *err_message(enum err e);

/* Records the detail of an error for this thread and returns e, so callers write
 *   return errf(ERR_VALIDATION, "uscc", "统一社会信用代码校验位错误");
 * field may be NULL; fmt may be NULL (the registry's message is used). */
enum err errf(enum err e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The detail recorded last on this thread; errf resets it. */
const struct err_detail *err_last(void);
void err_clear(void);

/* banned.h turns unsafe calls into errors. The system headers that declare those functions come
 * first (their include guards keep later includes harmless), as in git's git-compat-util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "banned.h"

#endif
