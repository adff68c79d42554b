/* The administrator's commands. Each parses its own options, hands the rest (--data, --db,
 * --config, …) to the configuration, and exits 0 on success, 1 on failure, 2 on bad usage. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "http/http.h"
#include "jobs.h"
#include "json.h"
#include "log.h"
#include "org/org.h"
#include "org/rules.h"
#include "store/store.h"
#include "user/user.h"

static const struct audit_ctx CLI_ACTOR = {0, "cli", NULL, NULL};

const char *cli_take(int *argc, char **argv, const char *name, int *bad)
{
    size_t n = strlen(name);
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i], *val = NULL;
        int used;
        if (!strcmp(a, name)) {
            if (i + 1 >= *argc) {
                *bad = 1;
                return NULL;
            }
            val = argv[i + 1];
            used = 2;
        } else if (!strncmp(a, name, n) && a[n] == '=') {
            val = a + n + 1;
            used = 1;
        } else {
            continue;
        }
        memmove(argv + i, argv + i + used, (size_t)(*argc - i - used) * sizeof *argv);
        *argc -= used;
        return val;
    }
    return NULL;
}

int cli_flag(int *argc, char **argv, const char *name)
{
    for (int i = 0; i < *argc; i++)
        if (!strcmp(argv[i], name)) {
            memmove(argv + i, argv + i + 1, (size_t)(*argc - i - 1) * sizeof *argv);
            (*argc)--;
            return 1;
        }
    return 0;
}

static int fail(enum err rc)
{
    const struct err_detail *d = err_last();
    const char *msg = d->code == rc && d->msg[0] ? d->msg : err_message(rc);
    if (d->code == rc && d->field[0])
        fprintf(stderr, "fanghu: %s（字段 %s）\n", msg, d->field);
    else
        fprintf(stderr, "fanghu: %s\n", msg);
    return rc == ERR_VALIDATION || rc == ERR_UNKNOWN_FIELD ? 2 : 1;
}

static int help(int argc, char **argv, const char *text)
{
    if (!cli_flag(&argc, argv, "--help") && !cli_flag(&argc, argv, "-h"))
        return 0;
    fputs(text, stdout);
    fputs("\ncommon options:\n", stdout);
    config_usage(stdout);
    return 1;
}

/* Loads the configuration from what is left of argv and opens the migrated store. */
static enum err open_store(int argc, char **argv, int migrate, struct store **st)
{
    enum err rc = config_load(argc, argv);
    if (rc)
        return rc;
    const char *lvl = config_str(SET_LOG_LEVEL);
    log_set_level(!strcmp(lvl, "debug")   ? LOG_DEBUG
                  : !strcmp(lvl, "warn")  ? LOG_WARN
                  : !strcmp(lvl, "error") ? LOG_ERROR
                                          : LOG_INFO);
    if ((rc = store_open(config_str(SET_DB), config_str(SET_DATA), st)))
        return rc;
    int applied;
    if (migrate && (rc = store_migrate(*st, &applied))) {
        store_close(*st);
        *st = NULL;
    }
    return rc;
}

/* With an empty user table, creates `admin` (system administrator) whose password comes from
 * FANGHU_ADMIN_PASSWORD or is generated and printed once. It must be changed at first login. */
static enum err first_admin(struct store *st)
{
    struct db *db;
    enum err rc = store_acquire(st, &db);
    struct db_stmt *s;
    long long n;
    if (rc || (rc = db_begin(db)))
        return rc;
    if ((rc = db_prepare(db, "SELECT COUNT(*) FROM users", &s)) || (rc = db_scalar_int(s, 0, &n)) ||
        n > 0) {
        db_rollback(db);
        return rc;
    }
    const char *pw = getenv("FANGHU_ADMIN_PASSWORD");
    if (pw && *pw && (rc = auth_password_policy(pw, "admin", "FANGHU_ADMIN_PASSWORD"))) {
        db_rollback(db);
        return rc;
    }
    struct user_new u = {"admin", "系统管理员", ROLE_SYSADMIN, 0, pw && *pw ? pw : NULL};
    char initial[32];
    long long id;
    struct audit_ctx system = {0, "system", NULL, NULL};
    if ((rc = user_create(db, &system, &u, &id, initial)) || (rc = db_commit(db))) {
        db_rollback(db);
        return rc;
    }
    if (initial[0])
        fprintf(stderr,
                "initial admin password: %s\n(shown once; it must be changed at first "
                "login)\n",
                initial);
    else
        fprintf(stderr, "initial admin created with FANGHU_ADMIN_PASSWORD (must be changed at "
                        "first login)\n");
    return ERR_OK;
}

int cmd_serve(int argc, char **argv)
{
    if (help(argc, argv, "usage: fanghu serve [--listen ADDR:PORT] [--data DIR] [--db URL]\n"))
        return 0;
    /* Block the stop signals before any thread starts, so only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct store *st;
    struct server *srv;
    enum err rc = open_store(argc, argv, 1, &st);
    if (rc)
        return fail(rc);
    struct db *db;
    if ((rc = first_admin(st)) || (rc = store_acquire(st, &db)) || (rc = calendar_load(db)) ||
        (rc = server_start(st, &srv)) || (rc = jobs_start(st))) {
        store_close(st);
        return fail(rc);
    }
    int sig;
    sigwait(&stop, &sig);
    log_info("signal %d: stopping (in-flight requests finish first)", sig);
    jobs_stop();
    server_stop(srv);
    store_close(st);
    return 0;
}

int cmd_migrate(int argc, char **argv)
{
    if (help(argc, argv, "usage: fanghu migrate [--data DIR] [--db URL]\n"))
        return 0;
    struct store *st;
    enum err rc = open_store(argc, argv, 0, &st);
    int applied, version;
    if (rc || (rc = store_migrate(st, &applied)) || (rc = store_schema_version(st, &version))) {
        store_close(st);
        return fail(rc);
    }
    printf("schema version %d (%d migration%s applied)\n", version, applied,
           applied == 1 ? "" : "s");
    store_close(st);
    return 0;
}

/* Runs fn inside a write transaction on the migrated store. */
static int in_tx(int argc, char **argv, enum err (*fn)(struct db *, void *), void *ctx)
{
    struct store *st;
    struct db *db;
    enum err rc = open_store(argc, argv, 1, &st);
    if (rc)
        return fail(rc);
    if (!(rc = store_acquire(st, &db)) && !(rc = db_begin(db))) {
        rc = fn(db, ctx);
        if (!rc)
            rc = db_commit(db);
        else
            db_rollback(db);
    }
    store_close(st);
    return rc ? fail(rc) : 0;
}

struct user_args {
    struct user_new u;
    const char *org_name;
    char initial[32];
    long long id;
};

static enum err resolve_org(struct db *db, const char *ref, long long *id)
{
    if (!ref)
        return ERR_OK;
    *id = id_parse(ref);
    if (*id < 0) {
        struct db_stmt *s;
        enum err rc = db_prepare(db, "SELECT id FROM orgs WHERE uscc = $1 OR name = $1", &s);
        if (rc)
            return rc;
        db_bind_text(s, 1, ref);
        rc = db_scalar_int(s, -1, id);
        if (rc)
            return rc;
    }
    char kind[32];
    if (*id < 0 || org_kind_of(db, *id, kind))
        return errf(ERR_VALIDATION, "org", "组织机构不存在：%s", ref);
    return ERR_OK;
}

static enum err user_add(struct db *db, void *ctx)
{
    struct user_args *a = ctx;
    enum err rc = resolve_org(db, a->org_name, &a->u.org_id);
    if (rc)
        return rc;
    return user_create(db, &CLI_ACTOR, &a->u, &a->id, a->initial);
}

struct passwd_args {
    const char *username, *password;
    char generated[32];
};

static enum err user_passwd(struct db *db, void *ctx)
{
    struct passwd_args *a = ctx;
    long long id, org;
    enum err rc = user_find(db, a->username, &id, &org);
    if (rc)
        return rc;
    const char *pw = a->password;
    if (pw && (rc = auth_password_policy(pw, a->username, "password")))
        return rc;
    if (!pw) {
        crypto_random_password(a->generated);
        pw = a->generated;
    }
    if ((rc = user_set_password(db, &CLI_ACTOR, id, pw, 1, "user.password_reset")))
        return rc;
    struct db_stmt *s;
    if ((rc = db_prepare(db, "DELETE FROM sessions WHERE user_id = $1", &s)))
        return rc;
    db_bind_int(s, 1, id);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static enum err user_disable(struct db *db, void *ctx)
{
    const char *username = *(const char **)ctx;
    long long id, org;
    enum err rc = user_find(db, username, &id, &org);
    struct db_stmt *s;
    int row;
    static const char *const sql[] = {"UPDATE users SET disabled = 1 WHERE id = $1",
                                      "DELETE FROM sessions WHERE user_id = $1"};
    for (int i = 0; !rc && i < 2; i++) {
        if ((rc = db_prepare(db, sql[i], &s)))
            return rc;
        db_bind_int(s, 1, id);
        rc = db_step(s, &row);
        db_done(s);
    }
    json_t *after = json_pack("{s:b}", "disabled", 1);
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    if (!rc)
        rc = audit_append(db, &CLI_ACTOR, "user.update", "user", idbuf, org, NULL, after);
    json_decref(after);
    return rc;
}

static enum err user_list(struct db *db, void *ctx)
{
    (void)ctx;
    struct db_stmt *s;
    enum err rc =
        db_prepare(db,
                   "SELECT u.id, u.username, u.role, COALESCE(o.name, '-'), u.disabled, "
                   "u.must_change_password FROM users u LEFT JOIN orgs o ON o.id = u.org_id "
                   "ORDER BY u.id",
                   &s);
    if (rc)
        return rc;
    int row;
    printf("%-6s %-24s %-20s %-8s %s\n", "id", "username", "role", "state", "organisation");
    while (!(rc = db_step(s, &row)) && row)
        printf("%-6lld %-24s %-20s %-8s %s\n", db_int(s, 0), db_text(s, 1), db_text(s, 2),
               db_int(s, 4)   ? "disabled"
               : db_int(s, 5) ? "new"
                              : "active",
               db_text(s, 3));
    db_done(s);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu user add --username NAME --role ROLE [--org ID|USCC|NAME] "
        "[--display-name NAME] [--password PW]\n"
        "       fanghu user passwd USERNAME [--password PW]   (random when omitted; must be "
        "changed at next login)\n"
        "       fanghu user disable USERNAME\n"
        "       fanghu user list\n"
        "roles: sysadmin operator_admin operator_staff regulator national_regulator auditor\n";
    if (argc < 1 || !strcmp(argv[0], "--help")) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *sub = argv[0];
    argc--;
    argv++;
    if (help(argc, argv, usage))
        return 0;
    int bad = 0;
    if (!strcmp(sub, "add")) {
        struct user_args a = {0};
        a.u.username = cli_take(&argc, argv, "--username", &bad);
        const char *role = cli_take(&argc, argv, "--role", &bad);
        a.org_name = cli_take(&argc, argv, "--org", &bad);
        a.u.display_name = cli_take(&argc, argv, "--display-name", &bad);
        a.u.password = cli_take(&argc, argv, "--password", &bad);
        if (bad || !a.u.username || !role) {
            fputs(usage, stderr);
            return 2;
        }
        a.u.role = role_parse(role);
        if (!a.u.display_name)
            a.u.display_name = a.u.username;
        int rc = in_tx(argc, argv, user_add, &a);
        if (!rc)
            printf("user %s created (id %lld)%s%s\n", a.u.username, a.id,
                   a.initial[0] ? "; initial password: " : "", a.initial);
        return rc;
    }
    if (!strcmp(sub, "passwd") && argc >= 1) {
        struct passwd_args a = {argv[0], NULL, ""};
        argc--;
        argv++;
        a.password = cli_take(&argc, argv, "--password", &bad);
        if (bad)
            return 2;
        int rc = in_tx(argc, argv, user_passwd, &a);
        if (!rc)
            printf("password of %s reset%s%s (must be changed at next login)\n", a.username,
                   a.generated[0] ? "; new password: " : "", a.generated);
        return rc;
    }
    if (!strcmp(sub, "disable") && argc >= 1) {
        const char *name = argv[0];
        int rc = in_tx(argc - 1, argv + 1, user_disable, &name);
        if (!rc)
            printf("user %s disabled\n", name);
        return rc;
    }
    if (!strcmp(sub, "list"))
        return in_tx(argc, argv, user_list, NULL);
    fputs(usage, stderr);
    return 2;
}

struct org_args {
    json_t *in;
    long long id;
};

static enum err org_add(struct db *db, void *ctx)
{
    struct org_args *a = ctx;
    return org_create(db, &CLI_ACTOR, a->in, &a->id);
}

static enum err org_list(struct db *db, void *ctx)
{
    (void)ctx;
    struct db_stmt *s;
    enum err rc =
        db_prepare(db,
                   "SELECT o.id, o.uscc, o.kind, o.province, COALESCE(CAST(o.parent_id AS "
                   "TEXT), '-'), o.name FROM orgs o ORDER BY o.id",
                   &s);
    if (rc)
        return rc;
    int row;
    printf("%-6s %-18s %-20s %-4s %-6s %s\n", "id", "uscc", "kind", "prov", "parent", "name");
    while (!(rc = db_step(s, &row)) && row)
        printf("%-6lld %-18s %-20s %-4s %-6s %s\n", db_int(s, 0), db_text(s, 1), db_text(s, 2),
               db_text(s, 3), db_text(s, 4), db_text(s, 5));
    db_done(s);
    return rc;
}

int cmd_org(int argc, char **argv)
{
    static const char usage[] =
        "usage: fanghu org add --name NAME --kind KIND --uscc CODE --province CODE [--parent ID] "
        "[--jurisdiction PROV:KIND,…]\n"
        "       fanghu org list\n";
    if (argc < 1 || !strcmp(argv[0], "--help")) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    const char *sub = argv[0];
    argc--;
    argv++;
    if (help(argc, argv, usage))
        return 0;
    if (!strcmp(sub, "list"))
        return in_tx(argc, argv, org_list, NULL);
    if (strcmp(sub, "add")) {
        fputs(usage, stderr);
        return 2;
    }
    int bad = 0;
    const char *name = cli_take(&argc, argv, "--name", &bad),
               *kind = cli_take(&argc, argv, "--kind", &bad),
               *uscc = cli_take(&argc, argv, "--uscc", &bad),
               *prov = cli_take(&argc, argv, "--province", &bad),
               *parent = cli_take(&argc, argv, "--parent", &bad),
               *juris = cli_take(&argc, argv, "--jurisdiction", &bad);
    if (bad || !name || !kind || !uscc || !prov) {
        fputs(usage, stderr);
        return 2;
    }
    struct org_args a = {
        json_pack("{s:s,s:s,s:s,s:s}", "name", name, "kind", kind, "uscc", uscc, "province", prov),
        0};
    if (parent)
        json_object_set_new(a.in, "parent_id", json_string(parent));
    if (juris) {
        json_t *arr = json_array();
        char *copy = xstrdup(juris), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *colon = strchr(tok, ':');
            if (colon)
                *colon = '\0';
            json_array_append_new(
                arr, json_pack("{s:s,s:s}", "province", tok, "kind", colon ? colon + 1 : "*"));
        }
        free(copy);
        json_object_set_new(a.in, "jurisdiction", arr);
    }
    int rc = in_tx(argc, argv, org_add, &a);
    if (!rc)
        printf("organisation %s created (id %lld)\n", name, a.id);
    json_decref(a.in);
    return rc;
}

int cmd_check_config(int argc, char **argv)
{
    if (help(argc, argv,
             "usage: fanghu check-config [options]: validates and prints the "
             "configuration\n"))
        return 0;
    enum err rc = config_load(argc, argv);
    if (rc)
        return fail(rc);
    config_print(stdout);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[0], "uscc")) {
        int ok = uscc_valid(argv[1]);
        printf("%s: %s\n", argv[1], ok ? "valid" : "invalid");
        return ok ? 0 : 1;
    }
    fputs("usage: fanghu check uscc CODE   (exit 0 valid, 1 invalid)\n",
          argc == 1 && !strcmp(argv[0], "--help") ? stdout : stderr);
    return argc == 1 && !strcmp(argv[0], "--help") ? 0 : 2;
}

int cmd_backup(int argc, char **argv)
{
    static const char usage[] = "usage: fanghu backup FILE [--data DIR]   (SQLite online backup; "
                                "PostgreSQL: use pg_dump, see docs/operations.md)\n";
    if (argc < 1 || !strcmp(argv[0], "--help")) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    struct store *st;
    enum err rc = open_store(argc - 1, argv + 1, 1, &st);
    if (rc)
        return fail(rc);
    rc = store_backup(st, argv[0]);
    store_close(st);
    if (rc)
        return fail(rc);
    printf("backup written to %s\n", argv[0]);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const char usage[] = "usage: fanghu audit verify [--data DIR] [--db URL]\n"
                                "  recomputes the SM3 hash chain; exit 0 intact, 1 broken\n";
    if (argc < 1 || strcmp(argv[0], "verify")) {
        int h = argc >= 1 && !strcmp(argv[0], "--help");
        fputs(usage, h ? stdout : stderr);
        return h ? 0 : 2;
    }
    if (help(argc - 1, argv + 1, usage))
        return 0;
    struct store *st;
    struct db *db;
    long long checked = 0, bad = 0;
    enum err rc = open_store(argc - 1, argv + 1, 1, &st);
    if (rc)
        return fail(rc);
    if (!(rc = store_acquire(st, &db)) && !(rc = db_begin_read(db))) {
        rc = audit_verify(db, &checked, &bad);
        db_rollback(db);
    }
    store_close(st);
    if (rc)
        return fail(rc);
    if (bad) {
        printf("audit chain BROKEN at record %lld (%lld records verified before it)\n", bad,
               checked);
        return 1;
    }
    printf("audit chain intact: %lld records\n", checked);
    return 0;
}
