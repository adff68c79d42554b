/* Configuration: one table of settings. Each value comes from, in increasing precedence, the
 * default, the config file (key = value lines), the environment (FANGHU_<KEY>), and the command
 * line (--key value). Values are validated when loaded; check-config prints them with their source.
 */
#ifndef FANGHU_CONFIG_H
#define FANGHU_CONFIG_H
#include <stdio.h>

#include "err.h"

enum setting {
    SET_LISTEN,
    SET_DATA,
    SET_DB,
    SET_WEB,
    SET_THREADS,
    SET_BODY_LIMIT,
    SET_UPLOAD_LIMIT,
    SET_SESSION_IDLE_MINUTES,
    SET_LOCKOUT_THRESHOLD,
    SET_LOCKOUT_MINUTES,
    SET_ADDR_MAX_FAILURES,
    SET_SECURE_COOKIES,
    SET_CONN_TIMEOUT,
    SET_LOG_LEVEL,
    SET_DB_POOL,
    SET_EXPORT_MAX_ROWS, /* rows of a list exported as XLSX (src/http/export.c) */
    /* reminders (src/duty/remind.c) and links in messages and calendar feeds */
    SET_REMIND_LEADS,
    SET_REMIND_INTERVAL,
    SET_SMTP_URL,
    SET_SMTP_FROM,
    SET_SMTP_USER,
    SET_SMTP_PASSWORD,
    SET_PUBLIC_URL,
    SET__COUNT
};

/* Loads the settings. argv holds only options (--key value or --key=value); unknown options are
 * an error naming them. The config file is --config FILE or FANGHU_CONFIG. */
enum err config_load(int argc, char **argv);
const char *config_str(enum setting s);
long config_int(enum setting s);
int config_bool(enum setting s);
/* Prints every setting with its value and where it came from. */
void config_print(FILE *out);
/* Usage lines for the options, for --help. */
void config_usage(FILE *out);
/* Overrides a value from code (tests, first-run defaults); validated like any source. */
enum err config_set(enum setting s, const char *value, const char *source);

#endif
