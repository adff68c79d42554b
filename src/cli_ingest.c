/* `fanghu ingest`: Suricata EVE lines from a file or standard input into threats (R8), a file
 * followed as it grows; the stored events dumped back; overlapping declared ranges listed. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "store/store.h"
#include "threat/ingest.h"
#include "threat/owners.h"

int cmd_ingest(int argc, char **argv);

static const char USAGE[] =
    "usage: fanghu ingest [--format eve] FILE|-  [--follow] [--batch N] [--from-start] [--json]\n"
    "       fanghu ingest --dump [--source PATH]\n"
    "       fanghu ingest --overlaps [--json]\n"
    "  [--data DIR] [--db URL] [--config FILE]\n\n"
    "  Reads Suricata EVE JSON lines (FILE, or - for standard input). Alerts and anomalies are\n"
    "  kept and attributed to the organisation and network unit whose declared IP range holds\n"
    "  their source or destination address; alerts are aggregated into threats; other event\n"
    "  types are counted; invalid lines are counted and quarantined with the reason.\n"
    "  Each batch of lines (--batch, default 50000) is one transaction, with the file's read\n"
    "  offset: a file is resumed where the last committed batch ended (--from-start reads it\n"
    "  again). --follow keeps reading as the file grows and survives rotation and truncation;\n"
    "  SIGINT or SIGTERM commits what is pending and exits.\n"
    "  --json prints the summary as one object: lines, alerts, anomalies, other, quarantined,\n"
    "  unattributed, threats.\n"
    "  --dump writes every stored alert and anomaly as JSON lines; --overlaps lists declared\n"
    "  ranges of different organisations that overlap.\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int failed(enum err rc)
{
    const struct err_detail *d = err_last();
    fprintf(stderr, "fanghu: %s\n", d->code == rc && d->msg[0] ? d->msg : err_message(rc));
    return rc == ERR_VALIDATION ? 2 : 1;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "fanghu ingest: %s\n\n%s", what, USAGE);
    return 2;
}

static enum err open_store(int argc, char **argv, struct store **st)
{
    enum err rc = config_load(argc, argv);
    if (rc)
        return rc;
    const char *lvl = config_str(SET_LOG_LEVEL);
    log_set_level(!strcmp(lvl, "debug")   ? LOG_DEBUG
                  : !strcmp(lvl, "warn")  ? LOG_WARN
                  : !strcmp(lvl, "error") ? LOG_ERROR
                                          : LOG_INFO);
    int applied;
    if ((rc = store_open(config_str(SET_DB), config_str(SET_DATA), st)))
        return rc;
    if ((rc = store_migrate(*st, &applied))) {
        store_close(*st);
        *st = NULL;
    }
    return rc;
}

static void print_json(json_t *v)
{
    char *s = json_dump(v);
    puts(s);
    free(s);
    json_decref(v);
}

struct args {
    const char *file, *source;
    int json, follow, from_start, dump, overlaps, batch;
};

/* Takes this command's options out of argv, leaving the configuration's; 2 on bad usage. */
static int parse(int *argc, char **argv, struct args *a)
{
    int n = 0;
    for (int i = 0; i < *argc; i++) {
        const char *arg = argv[i];
        const char *next = i + 1 < *argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--json"))
            a->json = 1;
        else if (!strcmp(arg, "--follow"))
            a->follow = 1;
        else if (!strcmp(arg, "--from-start"))
            a->from_start = 1;
        else if (!strcmp(arg, "--dump"))
            a->dump = 1;
        else if (!strcmp(arg, "--overlaps"))
            a->overlaps = 1;
        else if (!strcmp(arg, "--format") || !strcmp(arg, "--batch") || !strcmp(arg, "--source")) {
            if (!next)
                return usage_error("an option lacks its value");
            if (!strcmp(arg, "--format") && strcmp(next, "eve"))
                return usage_error("only --format eve is supported");
            if (!strcmp(arg, "--batch")) {
                char *end;
                long v = strtol(next, &end, 10);
                if (*end || v < 1 || v > 1000000)
                    return usage_error("--batch takes 1..1000000 lines");
                a->batch = (int)v;
            }
            if (!strcmp(arg, "--source"))
                a->source = next;
            i++;
        } else if (!strncmp(arg, "--", 2) && strcmp(arg, "--")) {
            argv[n++] = argv[i]; /* a configuration option, with its value */
            if (next && strncmp(next, "--", 2) && !strchr(arg, '='))
                argv[n++] = argv[++i];
        } else if (!a->file) {
            a->file = arg;
        } else {
            return usage_error("one file at a time");
        }
    }
    *argc = n;
    return 0;
}

static int run_ingest(struct store *st, const struct args *a)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read or sleep returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct ingest_options o = {a->batch, a->follow, a->from_start, &stop_requested, 0};
    struct ingest_summary s;
    enum err rc = ingest_path(st, a->file, &o, &s);
    if (rc)
        return failed(rc);
    if (a->json) {
        print_json(ingest_summary_json(&s));
    } else {
        printf("ingest: %lld lines, %lld alerts, %lld anomalies, %lld other, %lld quarantined, "
               "%lld unattributed, %lld threats\n",
               s.lines, s.alerts, s.anomalies, s.other, s.quarantined, s.unattributed, s.threats);
    }
    return 0;
}

static int run_overlaps(struct store *st, const struct args *a)
{
    struct db *db;
    json_t *pairs;
    size_t total;
    enum err rc = store_acquire(st, &db);
    if (rc || (rc = owners_overlaps(db, 1000, &pairs, &total)))
        return failed(rc);
    if (a->json) {
        print_json(json_pack("{s:I,s:o}", "total", (json_int_t)total, "items", pairs));
        return 0;
    }
    size_t i;
    json_t *p;
    json_array_foreach (pairs, i, p) {
        json_t *outer = json_object_get(p, "outer"), *inner = json_object_get(p, "inner");
        printf("%s (org %s, unit %s) contains %s (org %s, unit %s)\n", json_str(outer, "cidr"),
               json_str(outer, "org_id"), json_str(outer, "unit_id"), json_str(inner, "cidr"),
               json_str(inner, "org_id"), json_str(inner, "unit_id"));
    }
    printf("%zu overlapping pairs\n", total);
    json_decref(pairs);
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 0;
        }
    struct args a = {0};
    int bad = parse(&argc, argv, &a);
    if (bad)
        return bad;
    if (a.dump + a.overlaps + (a.file != NULL) != 1)
        return usage_error("give one FILE (or -), or --dump, or --overlaps");
    struct store *st;
    enum err rc = open_store(argc, argv, &st);
    if (rc)
        return failed(rc);
    int status;
    if (a.dump) {
        struct db *db;
        rc = store_acquire(st, &db);
        if (!rc)
            rc = ingest_dump(db, a.source, stdout);
        status = rc ? failed(rc) : 0;
    } else if (a.overlaps) {
        status = run_overlaps(st, &a);
    } else {
        status = run_ingest(st, &a);
    }
    store_close(st);
    return status;
}
