/* `fanghu import nmap FILE`: an nmap XML scan (nmap -oX) into the exposure module's scans, with
 * every organisation it reached and its reconciliation counts (R4). Hooked into `fanghu import`
 * (src/cli_rules.c) as its "nmap" kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "config.h"
#include "exposure/exposure.h"
#include "json.h"
#include "sbuf.h"
#include "store/store.h"

int cmd_import_nmap(int argc, char **argv);

static const char USAGE[] =
    "usage: fanghu import nmap FILE [--json] [--data DIR] [--db URL] [--config FILE]\n\n"
    "  Imports an nmap XML scan (nmap -sV -oX FILE …): hosts, addresses, ports with their\n"
    "  state and the service, product and version nmap found. The scan is reconciled with the\n"
    "  exposure inventories of every organisation whose declared addresses (its units' IP\n"
    "  ranges, its exposure entries) hold a scanned host: open services not declared (shadow\n"
    "  exposure), declared addresses scanned without an open service. A file that is not an\n"
    "  nmap scan, carries a DTD or entity declarations, or passes a size limit is refused and\n"
    "  nothing is written. Exit codes: 0 imported, 2 refused or bad usage, 1 other errors.\n";

static int failed(enum err rc)
{
    const struct err_detail *d = err_last();
    fprintf(stderr, "fanghu: %s\n", d->code == rc && d->msg[0] ? d->msg : err_message(rc));
    return rc == ERR_VALIDATION ? 2 : 1;
}

static int read_all(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *data = NULL;
    if (!f) {
        fprintf(stderr, "fanghu: 无法读取文件 %s\n", path);
        return -1;
    }
    struct sbuf sb;
    sbuf_init(&sb, 64u << 20);
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (sbuf_add(&sb, buf, n)) {
            fprintf(stderr, "fanghu: 文件过大（最多 64 MiB）：%s\n", path);
            rc = -1;
            break;
        }
    if (!rc && ferror(f)) {
        fprintf(stderr, "fanghu: 读取 %s 失败\n", path);
        rc = -1;
    }
    fclose(f);
    *data = sbuf_detach(&sb, len);
    return rc;
}

static void print_text(json_t *scan)
{
    printf("scan %s imported: %lld hosts (%lld up), %lld ports listed, %lld open; scanned at %s\n",
           json_str(scan, "id"), json_int(scan, "hosts", 0), json_int(scan, "hosts_up", 0),
           json_int(scan, "ports", 0), json_int(scan, "open_ports", 0),
           json_str(scan, "scanned_at"));
    size_t i;
    json_t *o;
    json_array_foreach (json_object_get(scan, "organisations"), i, o) {
        json_t *c = json_object_get(o, "counts");
        printf("  %s %s: %lld hosts, %lld open services, %lld shadow (not declared), "
               "%lld declared not seen\n",
               json_str(o, "org_id"), json_str(o, "org_name"), json_int(c, "hosts", 0),
               json_int(c, "open_services", 0), json_int(c, "shadow", 0),
               json_int(c, "declared_not_seen", 0));
    }
    if (!json_array_size(json_object_get(scan, "organisations")))
        puts("  no scanned host lies in an address declared by an organisation");
}

static enum err run(const char *data, size_t len, json_t **out)
{
    struct store *st;
    struct db *db;
    int applied;
    enum err rc = store_open(config_str(SET_DB), config_str(SET_DATA), &st);
    if (rc)
        return rc;
    if (!(rc = store_migrate(st, &applied)) && !(rc = store_acquire(st, &db)) &&
        !(rc = db_begin(db))) {
        static const struct audit_ctx cli = {0, "cli", NULL, NULL};
        struct caller all = {.role = ROLE_SYSADMIN};
        rc = exposure_scan_import(db, &cli, &all, data, len, out);
        if (!rc)
            rc = db_commit(db);
        if (rc)
            db_rollback(db);
    }
    store_close(st);
    return rc;
}

int cmd_import_nmap(int argc, char **argv)
{
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        fputs(USAGE, stdout);
        return 0;
    }
    /* --json anywhere; cli_flag lives in the executable, and this file in the core library. */
    int json_out = 0, n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json_out = 1;
        else
            argv[n++] = argv[i];
    }
    argc = n;
    if (argc < 1 || argv[0][0] == '-') {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *path = argv[0];
    enum err rc = config_load(argc - 1, argv + 1);
    if (rc)
        return failed(rc);
    char *data;
    size_t len;
    if (read_all(path, &data, &len)) {
        free(data);
        return 2;
    }
    json_t *scan = NULL;
    rc = run(data, len, &scan);
    free(data);
    if (rc)
        return failed(rc);
    if (json_out) {
        char *s = json_dump(scan);
        puts(s);
        free(s);
    } else {
        print_text(scan);
    }
    json_decref(scan);
    return 0;
}
