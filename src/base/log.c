/* Line-buffered log to stderr; one fprintf per line keeps lines whole across threads. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "timeutil.h"
#include "err.h"

static enum log_level min_level = LOG_INFO;
static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_set_level(enum log_level level)
{
    min_level = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[2048], ts[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    time_now_iso(ts);
    fprintf(stderr, "%s %s %s\n", ts, names[level], line);
}
