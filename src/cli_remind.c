/* `fanghu duty remind`: one reminder pass now (the job of `fanghu serve` does the same every
 * remind-interval seconds), printing what it did. Other `duty` subcommands go to cmd_duty. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "duty/remind.h"
#include "json.h"
#include "log.h"
#include "store/store.h"

int cmd_duty_remind(int argc, char **argv);
/* In cli_rules.c, which only the fanghu binary links (this file is in the core library that the
 * unit tests link too). */
extern int cmd_duty(int argc, char **argv) __attribute__((weak));

static const char USAGE[] =
    "usage: fanghu duty remind [--json] [--data DIR] [--db URL] [--config FILE]\n"
    "  sends the reminders that are due now (remind-leads days before each open duty's due\n"
    "  date, and the day after it) to the organisations' reminder channels, once each;\n"
    "  failed ones are retried on later passes, up to 5 attempts.\n"
    "  settings: --remind-leads --smtp-url --smtp-from --smtp-user --smtp-password --public-url\n";

static int failed(enum err rc)
{
    const struct err_detail *d = err_last();
    fprintf(stderr, "fanghu: %s\n", d->code == rc && d->msg[0] ? d->msg : err_message(rc));
    return rc == ERR_VALIDATION ? 2 : 1;
}

static int remind(int argc, char **argv)
{
    int json_out = 0, n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--json"))
            json_out = 1;
        else
            argv[n++] = argv[i];
    }
    enum err rc = config_load(n, argv);
    if (rc)
        return failed(rc);
    const char *lvl = config_str(SET_LOG_LEVEL);
    log_set_level(!strcmp(lvl, "debug")   ? LOG_DEBUG
                  : !strcmp(lvl, "warn")  ? LOG_WARN
                  : !strcmp(lvl, "error") ? LOG_ERROR
                                          : LOG_INFO);
    struct store *st;
    int applied;
    if ((rc = store_open(config_str(SET_DB), config_str(SET_DATA), &st)))
        return failed(rc);
    struct remind_stats stats;
    if (!(rc = store_migrate(st, &applied)))
        rc = remind_run(st, date_today_shanghai(), &stats);
    store_close(st);
    if (rc)
        return failed(rc);
    if (json_out) {
        json_t *v = json_pack("{s:I,s:I,s:I,s:I,s:I}", "due", (json_int_t)stats.due, "sent",
                              (json_int_t)stats.sent, "failed", (json_int_t)stats.failed, "skipped",
                              (json_int_t)stats.skipped, "no_smtp", (json_int_t)stats.no_smtp);
        char *s = json_dump(v);
        puts(s);
        free(s);
        json_decref(v);
    } else {
        printf("reminders: %lld due, %lld sent, %lld failed, %lld skipped", stats.due, stats.sent,
               stats.failed, stats.skipped);
        if (stats.no_smtp)
            printf(", %lld e-mail held back (smtp-url / smtp-from not set)", stats.no_smtp);
        putchar('\n');
    }
    return 0;
}

int cmd_duty_remind(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "remind"))
        return remind(argc - 1, argv + 1);
    if (cmd_duty)
        return cmd_duty(argc, argv);
    fputs(USAGE, stderr);
    return 2;
}
