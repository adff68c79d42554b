/* Commands for checking the rules by hand and for the calendar: grade, mlps grade, risk calc,
 * calendar import|show|add-workdays|is-workday. --json prints one JSON object. Exit codes: 0 ok
 * (is-workday: 0 yes, 1 no), 2 bad input or a year with no notice (the error on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cli.h"
#include "config.h"
#include "duty/duty.h"
#include "timeutil.h"
#include "json.h"
#include "mlps/rules.h"
#include "risk/rules.h"
#include "sbuf.h"
#include "store/store.h"
#include "unit/rules.h"
#include "unit/transfer.h"
#include "workday.h"

static int print_err(void)
{
    const struct err_detail *d = err_last();
    fprintf(stderr, "fanghu: %s\n", d->msg[0] ? d->msg : err_message(d->code));
    return 2;
}

static int small_int(const char *s, int *out)
{
    long long v = id_parse(s);
    if (v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

static void print_json(json_t *v)
{
    char *s = json_dump(v);
    puts(s);
    free(s);
    json_decref(v);
}

int cmd_grade(int argc, char **argv)
{
    int json_out = cli_flag(&argc, argv, "--json");
    if (argc != 3) {
        fputs("usage: fanghu grade I R V [--json]   (each 1..5; R1 of RULES.md)\n", stderr);
        return 2;
    }
    int v[3];
    const char *names[] = {"i", "r", "v"};
    for (int k = 0; k < 3; k++)
        if (small_int(argv[k], &v[k])) {
            errf(ERR_VALIDATION, names[k], "%s 取值应为 1 至 5 的整数：%s", names[k], argv[k]);
            return print_err();
        }
    struct unit_grade_result g;
    if (unit_grade(v[0], v[1], v[2], &g))
        return print_err();
    if (json_out)
        print_json(json_pack("{s:i,s:i,s:i,s:f,s:i}", "i", v[0], "r", v[1], "v", v[2], "k",
                             g.k10 / 10.0, "level", g.level));
    else
        printf("k=%d.%d level=%d\n", g.k10 / 10, g.k10 % 10, g.level);
    return 0;
}

static int harms(int *argc, char **argv, const char *opt, struct mlps_harm *out, size_t *n)
{
    int bad = 0;
    const char *v;
    *n = 0;
    while ((v = cli_take(argc, argv, opt, &bad)) && *n < 9) {
        char *copy = xstrdup(v), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && *n < 9;
             tok = strtok_r(NULL, ",", &save)) {
            if (mlps_parse_harm(tok, &out[*n])) {
                free(copy);
                return -1;
            }
            (*n)++;
        }
        free(copy);
    }
    return bad ? -1 : 0;
}

int cmd_mlps(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu mlps grade --info OBJECT:DEGREE… --service OBJECT:DEGREE… [--json]\n"
        "  objects rights|order|nation, degrees general|serious|grave (R2, GB/T 22240-2020)\n";
    if (argc < 1 || strcmp(argv[0], "grade")) {
        fputs(usage, stderr);
        return 2;
    }
    argc--;
    argv++;
    int json_out = cli_flag(&argc, argv, "--json");
    struct mlps_harm info[9], service[9];
    size_t ni, ns;
    if (harms(&argc, argv, "--info", info, &ni) || harms(&argc, argv, "--service", service, &ns) ||
        argc) {
        fputs(usage, stderr);
        return 2;
    }
    struct mlps_result res;
    if (mlps_grade(info, ni, service, ns, &res))
        return print_err();
    if (json_out)
        print_json(json_pack("{s:i,s:i,s:i}", "info_level", res.info_level, "service_level",
                             res.service_level, "level", res.level));
    else
        printf("info_level=%d service_level=%d level=%d\n", res.info_level, res.service_level,
               res.level);
    return 0;
}

int cmd_risk(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu risk calc --asset IA --threat T --vuln VA [--method multiply|matrix] "
        "[--json]\n";
    if (argc < 1 || strcmp(argv[0], "calc")) {
        fputs(usage, stderr);
        return 2;
    }
    argc--;
    argv++;
    int bad = 0, json_out = cli_flag(&argc, argv, "--json");
    const char *a = cli_take(&argc, argv, "--asset", &bad),
               *t = cli_take(&argc, argv, "--threat", &bad),
               *v = cli_take(&argc, argv, "--vuln", &bad),
               *method = cli_take(&argc, argv, "--method", &bad);
    int ia, tv, va;
    if (bad || argc || !a || !t || !v ||
        (method && strcmp(method, "multiply") && strcmp(method, "matrix"))) {
        fputs(usage, stderr);
        return 2;
    }
    if (small_int(a, &ia)) {
        errf(ERR_VALIDATION, "asset", "资产价值应为 1 至 5 的整数");
        return print_err();
    }
    if (small_int(t, &tv)) {
        errf(ERR_VALIDATION, "threat", "威胁频率应为 1 至 5 的整数");
        return print_err();
    }
    if (small_int(v, &va)) {
        errf(ERR_VALIDATION, "vuln", "脆弱性严重程度应为 1 至 5 的整数");
        return print_err();
    }
    struct risk_result res;
    enum err rc = method && !strcmp(method, "matrix")
                      ? risk_calc_matrix(risk_matrix_default(), ia, tv, va, &res)
                      : risk_calc_multiply(ia, tv, va, &res);
    if (rc)
        return print_err();
    if (json_out)
        print_json(json_pack("{s:i,s:i,s:i,s:i,s:s}", "likelihood", res.likelihood, "loss",
                             res.loss, "value", res.value, "level", res.level, "level_name",
                             res.level_name));
    else
        printf("likelihood=%d loss=%d value=%d level=%d (%s)\n", res.likelihood, res.loss,
               res.value, res.level, res.level_name);
    return 0;
}

/* The calendar commands work on the embedded notices plus the imported ones in the database. */
static int with_calendar(int argc, char **argv, struct store **st)
{
    enum err rc = config_load(argc, argv);
    struct db *db;
    int applied;
    if (rc || (rc = store_open(config_str(SET_DB), config_str(SET_DATA), st)))
        return print_err();
    if ((rc = store_migrate(*st, &applied)) || (rc = store_acquire(*st, &db)) ||
        (rc = calendar_load(db))) {
        store_close(*st);
        return print_err();
    }
    return 0;
}

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fanghu: 无法读取文件 %s\n", path);
        return -1;
    }
    struct sbuf sb;
    sbuf_init(&sb, (size_t)1 << 30); /* bulk imports: up to 1 GiB */
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (sbuf_add(&sb, buf, n)) {
            fprintf(stderr, "fanghu: 文件过大：%s\n", path);
            rc = -1;
            break;
        }
    fclose(f);
    *data = sbuf_detach(&sb, len);
    return rc;
}

int cmd_calendar(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu calendar import FILE        import a State Council notice (holiday-cn "
        "JSON)\n"
        "       fanghu calendar show YEAR          print a year's off-days and make-up workdays\n"
        "       fanghu calendar add-workdays DATE N  the N-th working day after DATE (R6)\n"
        "       fanghu calendar is-workday DATE      exit 0 when a working day, 1 when not\n"
        "a year whose notice is not loaded is an error (exit 2), never a weekday guess\n";
    if (argc < 2) {
        fputs(usage, argc == 1 && !strcmp(argv[0], "--help") ? stdout : stderr);
        return argc == 1 && !strcmp(argv[0], "--help") ? 0 : 2;
    }
    const char *sub = argv[0];
    struct store *st = NULL;
    int rc = 2;
    if (!strcmp(sub, "add-workdays") && argc >= 3) {
        struct date d, out;
        int n;
        if (date_parse(argv[1], &d) || small_int(argv[2], &n)) {
            fputs(usage, stderr);
            return 2;
        }
        if ((rc = with_calendar(argc - 3, argv + 3, &st)))
            return rc;
        if (calendar_add_workdays(d, n, &out)) {
            rc = print_err();
        } else {
            char s[11];
            date_format(out, s);
            puts(s);
            rc = 0;
        }
    } else if (!strcmp(sub, "is-workday")) {
        struct date d;
        int yes;
        if (date_parse(argv[1], &d)) {
            fputs(usage, stderr);
            return 2;
        }
        if ((rc = with_calendar(argc - 2, argv + 2, &st)))
            return rc;
        rc = calendar_is_workday(d, &yes) ? print_err() : yes ? 0 : 1;
        if (rc < 2)
            puts(yes ? "workday" : "off");
    } else if (!strcmp(sub, "show")) {
        int year;
        if (small_int(argv[1], &year)) {
            fputs(usage, stderr);
            return 2;
        }
        if ((rc = with_calendar(argc - 2, argv + 2, &st)))
            return rc;
        struct workday_entry *e;
        size_t n;
        int imported;
        if (calendar_year(year, &e, &n, &imported)) {
            rc = print_err();
        } else {
            printf("%d (%s)\n", year, imported ? "imported" : "built in");
            for (size_t i = 0; i < n; i++) {
                char d[11];
                struct date dd = date_from_days(e[i].day);
                date_format(dd, d);
                static const char *const wd[] = {"日", "一", "二", "三", "四", "五", "六"};
                printf("%s 周%s %s\n", d, wd[date_weekday(dd)],
                       e[i].is_off ? "休" : "班（调休上班）");
            }
            free(e);
            rc = 0;
        }
    } else if (!strcmp(sub, "import")) {
        char *data;
        size_t len;
        if (read_file(argv[1], &data, &len))
            return 2;
        if ((rc = with_calendar(argc - 2, argv + 2, &st))) {
            free(data);
            return rc;
        }
        struct db *db;
        int year = 0;
        static const struct audit_ctx cli = {0, "cli", NULL, NULL};
        enum err e = store_acquire(st, &db);
        if (!e && !(e = db_begin(db))) {
            e = calendar_import(db, &cli, data, len, &year);
            e = e ? e : db_commit(db);
            if (e)
                db_rollback(db);
        }
        free(data);
        if (e) {
            rc = print_err();
        } else {
            printf("imported the %d notice\n", year);
            rc = 0;
        }
    } else {
        fputs(usage, stderr);
    }
    store_close(st);
    return rc;
}

/* fanghu duty recompute | list [--org ID] [--overdue] [--json] */
int cmd_duty(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu duty recompute          rebuild every duty from the data\n"
        "       fanghu duty list [--org ID] [--overdue] [--json]\n";
    if (argc < 1 || (strcmp(argv[0], "recompute") && strcmp(argv[0], "list"))) {
        int h = argc >= 1 && !strcmp(argv[0], "--help");
        fputs(usage, h ? stdout : stderr);
        return h ? 0 : 2;
    }
    const char *sub = argv[0];
    argc--;
    argv++;
    int bad = 0, overdue = cli_flag(&argc, argv, "--overdue"),
        json_out = cli_flag(&argc, argv, "--json");
    const char *org = cli_take(&argc, argv, "--org", &bad);
    if (bad || (org && id_parse(org) < 0)) {
        fputs(usage, stderr);
        return 2;
    }
    struct store *st;
    int rc = with_calendar(argc, argv, &st);
    if (rc)
        return rc;
    struct db *db;
    enum err e = store_acquire(st, &db);
    if (!e && !strcmp(sub, "recompute")) {
        long long n = 0;
        int64_t t0 = time_mono_ms();
        if (!(e = db_begin(db)) && !(e = duty_recompute(db, &n)))
            e = db_commit(db);
        if (e)
            db_rollback(db);
        else
            printf("%lld duties recomputed in %lld ms\n", n, (long long)(time_mono_ms() - t0));
    } else if (!e) {
        static const char sql[] =
            "SELECT d.due_date, d.kind, d.title, o.name, COALESCE(u.name, ''), d.source, "
            "d.done_at, "
            "d.org_id FROM duties d JOIN orgs o ON o.id = d.org_id LEFT JOIN units u ON u.id = "
            "d.unit_id WHERE (CAST($1 AS BIGINT) IS NULL OR d.org_id = $1) AND ($2 = 0 OR "
            "(d.done_at IS NULL AND d.due_date < $3)) ORDER BY d.due_date, d.id";
        struct db_stmt *s;
        struct date today = date_today_shanghai();
        char t[11];
        date_format(today, t);
        if (!(e = db_prepare(db, sql, &s))) {
            if (org)
                db_bind_int(s, 1, id_parse(org));
            else
                db_bind_null(s, 1);
            db_bind_int(s, 2, overdue);
            db_bind_text(s, 3, t);
            int row;
            json_t *arr = json_array();
            while (!(e = db_step(s, &row)) && row) {
                const char *state = duty_state(db_text(s, 0), db_text(s, 6), today);
                if (json_out)
                    json_array_append_new(arr,
                                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "due_date",
                                                    db_text(s, 0), "kind", db_text(s, 1), "title",
                                                    db_text(s, 2), "org", db_text(s, 3), "unit",
                                                    db_text(s, 4), "source", db_text(s, 5), "state",
                                                    state, "org_id", (json_int_t)db_int(s, 7)));
                else
                    printf("%s  %-8s %-24s %s %s  [%s]\n", db_text(s, 0), duty_state_name(state),
                           db_text(s, 2), db_text(s, 3), db_text(s, 4), db_text(s, 5));
            }
            db_done(s);
            if (json_out)
                print_json(json_pack("{s:o}", "items", arr));
            else
                json_decref(arr);
        }
    }
    store_close(st);
    return e ? print_err() : 0;
}

static int write_file(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len) {
        if (f)
            fclose(f);
        fprintf(stderr, "fanghu: 无法写入 %s\n", path);
        return -1;
    }
    return fclose(f) ? -1 : 0;
}

/* fanghu import units FILE | fanghu import units --template OUT.xlsx */
int cmd_import(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu import units FILE              import network units (CSV or XLSX; all or "
        "nothing)\n"
        "       fanghu import units --template OUT.xlsx  write the import template\n"
        "       fanghu import nmap FILE [--json]         import an nmap XML scan (R4 exposure)\n";
    if (argc >= 1 && !strcmp(argv[0], "nmap"))
        return cmd_import_nmap(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[0], "units")) {
        int h = argc >= 1 && !strcmp(argv[0], "--help");
        fputs(usage, h ? stdout : stderr);
        return h ? 0 : 2;
    }
    argc--;
    argv++;
    int bad = 0;
    const char *tpl = cli_take(&argc, argv, "--template", &bad);
    if (bad)
        return 2;
    if (tpl) {
        char *bytes;
        size_t len;
        if (unit_import_template(&bytes, &len))
            return print_err();
        int rc = write_file(tpl, bytes, len) ? 1 : 0;
        free(bytes);
        if (!rc)
            printf("template written to %s\n", tpl);
        return rc;
    }
    char *data;
    size_t len;
    if (argc < 1 || read_file(argv[0], &data, &len))
        return 2;
    struct store *st;
    int rc = with_calendar(argc - 1, argv + 1, &st);
    if (rc) {
        free(data);
        return rc;
    }
    static const struct audit_ctx cli = {0, "cli", NULL, NULL};
    struct caller all = {.role = ROLE_SYSADMIN};
    struct unit_import_result res = {0};
    struct db *db;
    int64_t t0 = time_mono_ms();
    enum err e = store_acquire(st, &db);
    /* A large import touches many index pages in one transaction: give SQLite room so that it
     * does not spill them to the WAL mid-way (256 MiB of page cache for this command only). */
    if (!e && db_engine(db) == DB_SQLITE)
        e = db_exec(db, "PRAGMA cache_size = -262144");
    if (!e && !(e = db_begin(db))) {
        e = unit_import(db, &cli, &all, data, len, &res);
        e = e ? e : db_commit(db);
        if (e)
            db_rollback(db);
    }
    free(data);
    store_close(st);
    if (e) {
        size_t i;
        json_t *x;
        json_array_foreach (res.errors, i, x) {
            fprintf(stderr, "第 %lld 行 %s：%s\n", json_integer_value(json_object_get(x, "line")),
                    json_str(x, "field"), json_str(x, "message"));
        }
        json_decref(res.errors);
        return print_err();
    }
    json_decref(res.errors);
    printf("%lld units imported in %lld ms (ids %lld–%lld)\n", res.created,
           (long long)(time_mono_ms() - t0), res.first_id, res.last_id);
    return 0;
}
