/* Exposure entries (R4): validation and storage, the 报备 exceptions, the office-exit limit as
 * versioned data, violations, duplicate addresses and the dashboard summary. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "date.h"
#include "exposure.h"
#include "internal.h"
#include "json.h"
#include "org/org.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"

char *exposure_id_text(long long id, char buf[24])
{
    snprintf(buf, 24, "%lld", id);
    return buf;
}

/* "203.0.113.7/32" as stored → "203.0.113.7"; unparsable text is copied as it is. */
static void cidr_text(const char *cidr, char out[64])
{
    struct ipnet n;
    if (cidr && ipnet_parse(cidr, "ip", &n) == ERR_OK)
        exposure_ip_format(&n, out);
    else
        snprintf(out, 64, "%s", cidr ? cidr : "");
}

json_t *exposure_row_json(struct db_stmt *s)
{
    char id[24], org[24];
    int inv = exposure_inventory_parse(db_text(s, 3));
    int remote = inv != EXPOSURE_OFFICE;
    struct ipnet addrs[EXPOSURE_MAX_ADDRESSES];
    size_t n = 0;
    json_t *list = json_array();
    if (exposure_ip_parse(db_text(s, 7), "ip", addrs, EXPOSURE_MAX_ADDRESSES, &n) == ERR_OK) {
        for (size_t i = 0; i < n; i++) {
            char text[64];
            exposure_ip_format(&addrs[i], text);
            json_array_append_new(list, json_string(text));
        }
    } else {
        err_clear();
    }
    json_t *e = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:s}", "id",
        exposure_id_text(db_int(s, 0), id), "org_id", exposure_id_text(db_int(s, 1), org),
        "org_name", db_text(s, 2), "inventory", db_text(s, 3), "inventory_name",
        exposure_inventory_name(inv < 0 ? EXPOSURE_OFFICE : (enum exposure_inventory)inv), "seq",
        (json_int_t)db_int(s, 14), "owner", db_text(s, 4), "asset_name", db_text(s, 5),
        "asset_type", db_text(s, 6), "ip", db_text(s, 7), "addresses", list, "software",
        remote ? json_string(db_text(s, 8)) : json_null(), "purpose",
        remote ? json_string(db_text(s, 9)) : json_null(), "reachable", db_text(s, 10), "other",
        db_text(s, 11), "created_at", db_text(s, 12), "updated_at", db_text(s, 13));
    json_object_set_new(e, "exception",
                        db_null(s, 15) ? json_null()
                                       : json_pack("{s:s,s:s,s:s,s:s,s:s}", "reason",
                                                   db_text(s, 15), "reported_to", db_text(s, 16),
                                                   "reported_on", db_text(s, 17), "recorded_by",
                                                   db_text(s, 18), "recorded_at", db_text(s, 19)));
    return e;
}

static const char SQL_ORG[] = "SELECT org_id FROM exposure_entries WHERE id = $1";

enum err exposure_entry_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "暴露面条目不存在");
    return rc;
}

static const char SQL_ONE[] = EXPOSURE_ENTRY_COLS "WHERE e.id = $1";

/* The stored fields of an entry (the audit's before and after). */
static enum err row_of(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = exposure_row_json(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "暴露面条目不存在");
    return rc;
}

/* The rule. ------------------------------------------------------------------------------- */

static const char SQL_RULESETS[] = "SELECT version, max_office_exits, source, created_by, "
                                   "created_at FROM exposure_rulesets ORDER BY id DESC";

enum err exposure_ruleset_current(struct db *db, struct exposure_ruleset *out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RULESETS, &s);
    if (rc)
        return rc;
    int row;
    *out = *exposure_ruleset_default();
    if (!(rc = db_step(s, &row)) && row) {
        snprintf(out->version, sizeof out->version, "%s", db_text(s, 0));
        out->max_office_exits = (int)db_int(s, 1);
        snprintf(out->source, sizeof out->source, "%s", db_text(s, 2));
    }
    db_done(s);
    return rc;
}

static json_t *ruleset_json(const struct exposure_ruleset *rs)
{
    return json_pack("{s:s,s:i,s:s}", "version", rs->version, "max_office_exits",
                     rs->max_office_exits, "source", rs->source);
}

enum err exposure_rulesets_json(struct db *db, json_t **out)
{
    struct exposure_ruleset cur;
    struct db_stmt *s;
    enum err rc = exposure_ruleset_current(db, &cur);
    if (rc || (rc = db_prepare(db, SQL_RULESETS, &s)))
        return rc;
    json_t *versions = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(versions, json_pack("{s:s,s:I,s:s,s:s,s:s}", "version", db_text(s, 0),
                                                  "max_office_exits", (json_int_t)db_int(s, 1),
                                                  "source", db_text(s, 2), "created_by",
                                                  db_text(s, 3), "created_at", db_text(s, 4)));
    db_done(s);
    json_t *builtin = ruleset_json(exposure_ruleset_default());
    json_object_set_new(builtin, "created_by", json_null());
    json_object_set_new(builtin, "created_at", json_null());
    json_array_append_new(versions, builtin);
    *out = json_pack("{s:o,s:o}", "current", ruleset_json(&cur), "versions", versions);
    return rc;
}

static const char SQL_RULESET_DUP[] = "SELECT COUNT(*) FROM exposure_rulesets WHERE version = $1";
static const char SQL_RULESET_ADD[] =
    "INSERT INTO exposure_rulesets (version, max_office_exits, source, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";

enum err exposure_ruleset_add(struct db *db, const struct audit_ctx *ax, json_t *in)
{
    struct exposure_ruleset rs = {0};
    const char *version = json_str(in, "version"), *source = json_str(in, "source");
    snprintf(rs.version, sizeof rs.version, "%s", version ? version : "");
    snprintf(rs.source, sizeof rs.source, "%s", source ? source : "");
    rs.max_office_exits = (int)json_int(in, "max_office_exits", -1);
    enum err rc = exposure_ruleset_check(&rs);
    if (rc)
        return rc;
    if (!strcmp(rs.version, exposure_ruleset_default()->version))
        return errf(ERR_CONFLICT, "version", "该版本号是内置默认规则的版本");
    struct db_stmt *s;
    long long n, id = 0;
    if ((rc = db_prepare(db, SQL_RULESET_DUP, &s)))
        return rc;
    db_bind_text(s, 1, rs.version);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (n)
        return errf(ERR_CONFLICT, "version", "该版本的出入口规则已存在");
    char now[40], idbuf[24];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_RULESET_ADD, &s)))
        return rc;
    db_bind_text(s, 1, rs.version);
    db_bind_int(s, 2, rs.max_office_exits);
    db_bind_text(s, 3, rs.source);
    db_bind_text(s, 4, ax->actor_name);
    db_bind_text(s, 5, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    json_t *after = ruleset_json(&rs);
    rc = audit_append(db, ax, "exposure_ruleset.create", "exposure_ruleset",
                      exposure_id_text(id, idbuf), 0, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_OFFICE_EXITS[] =
    "SELECT e.id, e.asset_name, e.ip, CASE WHEN x.entry_id IS NULL THEN 0 ELSE 1 END "
    "FROM exposure_entries e LEFT JOIN exposure_exceptions x ON x.entry_id = e.id "
    "WHERE e.org_id = $1 AND e.inventory = 'office' ORDER BY e.id";

/* The organisation's office exits in order, [{id, seq, asset_name, ip, reported, excess}]:
 * excess marks the exits without a 报备 beyond the first limit of them (the "third exit"). */
static enum err office_exits(struct db *db, long long org_id, int limit, json_t **out, int *exits,
                             int *reported)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_OFFICE_EXITS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    json_t *list = json_array();
    int row, unreported = 0;
    char id[24];
    *exits = *reported = 0;
    while (!(rc = db_step(s, &row)) && row) {
        int rep = (int)db_int(s, 3);
        ++*exits;
        *reported += rep;
        unreported += !rep;
        json_array_append_new(
            list, json_pack("{s:s,s:i,s:s,s:s,s:b,s:b}", "id", exposure_id_text(db_int(s, 0), id),
                            "seq", *exits, "asset_name", db_text(s, 1), "ip", db_text(s, 2),
                            "reported", rep, "excess", !rep && unreported > limit));
    }
    db_done(s);
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ERR_OK;
}

static json_t *verdict_json(const struct exposure_exit_verdict *v)
{
    return json_pack("{s:b,s:i,s:i,s:i,s:i,s:b}", "applies", v->applies, "limit", v->limit, "exits",
                     v->exits, "reported", v->reported, "excess", v->excess, "violation",
                     v->violation);
}

/* Verdict, exits and the ruleset of one organisation of the given kind. */
static enum err org_exits(struct db *db, long long org_id, const char *kind,
                          const struct exposure_ruleset *rs, struct exposure_exit_verdict *v,
                          json_t **exits_out)
{
    int exits, reported;
    json_t *list;
    enum err rc = office_exits(db, org_id, rs->max_office_exits, &list, &exits, &reported);
    if (rc)
        return rc;
    if ((rc = exposure_exit_check(rs, kind, exits, reported, v))) {
        json_decref(list);
        return rc;
    }
    if (!v->applies) { /* nothing is excess where the limit does not bind */
        size_t i;
        json_t *x;
        json_array_foreach (list, i, x)
            json_object_set_new(x, "excess", json_false());
    }
    if (exits_out)
        *exits_out = list;
    else
        json_decref(list);
    return ERR_OK;
}

enum err exposure_org_verdict(struct db *db, long long org_id, struct exposure_exit_verdict *out)
{
    struct exposure_ruleset rs;
    char kind[32];
    enum err rc = exposure_ruleset_current(db, &rs);
    if (rc || (rc = org_kind_of(db, org_id, kind)))
        return rc;
    return org_exits(db, org_id, kind, &rs, out, NULL);
}

/* Entries. -------------------------------------------------------------------------------- */

#define DUP_ENTRY(PRED)                                                                            \
    "SELECT a.cidr, b.cidr, b.entry_id, b.org_id, e.inventory, e.asset_name, o.name, CASE "        \
    "WHEN " PRED(                                                                                  \
        "b.org_id") " THEN 1 ELSE 0 END FROM exposure_addresses a JOIN exposure_addresses b "      \
                    "ON b.first_hex <= a.last_hex AND b.last_hex >= a.first_hex AND "              \
                    "b.entry_id <> a.entry_id JOIN exposure_entries e ON e.id = b.entry_id "       \
                    "JOIN orgs o ON o.id = b.org_id WHERE a.entry_id = $2 ORDER BY a.id, b.id "    \
                    "LIMIT 100"
static const char *const SQL_DUP_ENTRY[3] = {DUP_ENTRY(SCOPE_PRED_ALL), DUP_ENTRY(SCOPE_PRED_TREE),
                                             DUP_ENTRY(SCOPE_PRED_JURIS)};

static json_t *dup_json(const char *mine, const char *theirs, long long entry, long long org,
                        const char *inventory, const char *asset, const char *org_name, int visible,
                        int same_org)
{
    struct ipnet a, b;
    char at[64], bt[64], id[24], oid[24];
    enum exposure_dup kind = EXPOSURE_DUP_NONE;
    if (!ipnet_parse(mine, "ip", &a) && !ipnet_parse(theirs, "ip", &b))
        kind = exposure_dup_kind(&a, &b);
    err_clear();
    cidr_text(mine, at);
    cidr_text(theirs, bt);
    visible = visible || same_org;
    return json_pack("{s:s,s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o}", "address", at, "other", bt, "kind",
                     exposure_dup_code(kind), "same_org", same_org, "entry_id",
                     visible ? json_string(exposure_id_text(entry, id)) : json_null(), "inventory",
                     visible ? json_string(inventory) : json_null(), "asset_name",
                     visible ? json_string(asset) : json_null(), "org_id",
                     visible ? json_string(exposure_id_text(org, oid)) : json_null(), "org_name",
                     visible ? json_string(org_name) : json_null());
}

static enum err entry_duplicates(struct db *db, const struct caller *c, long long id,
                                 long long org_id, json_t *out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, scope_sql(c, SQL_DUP_ENTRY), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    db_bind_int(s, 2, id);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(
            out, dup_json(db_text(s, 0), db_text(s, 1), db_int(s, 2), db_int(s, 3), db_text(s, 4),
                          db_text(s, 5), db_text(s, 6), (int)db_int(s, 7), db_int(s, 3) == org_id));
    db_done(s);
    return rc;
}

static void warn(json_t *warnings, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(json_t *warnings, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(warnings, json_pack("{s:s,s:s}", "code", code, "message", msg));
}

/* The ids of the office exits over the limit in the entry's organisation, as a set (a JSON object
 * id → true), kept in cache under the organisation's id: a page of entries reads them once, and
 * each entry is looked up in it, not scanned for. */
static enum err cached_excess(struct db *db, long long org_id, json_t *cache, json_t **excess,
                              struct exposure_ruleset *rs)
{
    char key[24];
    exposure_id_text(org_id, key);
    json_t *hit = cache ? json_object_get(cache, key) : NULL;
    enum err rc = exposure_ruleset_current(db, rs);
    if (rc)
        return rc;
    if (hit) {
        *excess = json_incref(hit);
        return ERR_OK;
    }
    char kind[32];
    struct exposure_exit_verdict v;
    json_t *exits, *x;
    if ((rc = org_kind_of(db, org_id, kind)) || (rc = org_exits(db, org_id, kind, rs, &v, &exits)))
        return rc;
    *excess = json_object();
    size_t i;
    json_array_foreach (exits, i, x)
        if (json_is_true(json_object_get(x, "excess")) && json_str(x, "id"))
            json_object_set_new(*excess, json_str(x, "id"), json_true());
    json_decref(exits);
    if (cache)
        json_object_set(cache, key, *excess);
    return ERR_OK;
}

enum err exposure_entry_enrich(struct db *db, const struct caller *c, json_t *entry, json_t *cache)
{
    long long id = id_parse(json_str(entry, "id")), org = id_parse(json_str(entry, "org_id"));
    json_t *dups = json_array(), *warnings = json_array();
    json_object_set_new(entry, "duplicates", dups);
    json_object_set_new(entry, "warnings", warnings);
    enum err rc = entry_duplicates(db, c, id, org, dups);
    if (rc)
        return rc;
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get(entry, "addresses"), i, x) {
        struct ipnet n;
        if (!ipnet_parse(json_string_value(x), "ip", &n) && !exposure_ip_public(&n))
            warn(warnings, "not_public", "%s 不是互联网地址（私有、回环或保留地址）",
                 json_string_value(x));
        err_clear();
    }
    if (json_array_size(dups))
        warn(warnings, "duplicate_address", "有 %zu 处地址与其他条目重复", json_array_size(dups));
    if (strcmp(json_str(entry, "inventory"), "office"))
        return ERR_OK;
    json_t *excess;
    struct exposure_ruleset rs;
    if ((rc = cached_excess(db, org, cache, &excess, &rs)))
        return rc;
    if (json_object_get(excess, json_str(entry, "id")))
        warn(warnings, "office_exit_limit", "办公网互联网出入口超过 %d 个且本出入口未报备（%s）",
             rs.max_office_exits, rs.version);
    json_decref(excess);
    return ERR_OK;
}

enum err exposure_entry_json(struct db *db, const struct caller *c, long long id, json_t **out)
{
    json_t *e;
    enum err rc = row_of(db, id, &e);
    if (rc)
        return rc;
    if ((rc = exposure_entry_enrich(db, c, e, NULL))) {
        json_decref(e);
        return rc;
    }
    *out = e;
    return ERR_OK;
}

static int has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return 1;
    return 0;
}

static void reportf(exposure_report_fn report, void *ctx, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reportf(exposure_report_fn report, void *ctx, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    report(ctx, field, msg);
}

int exposure_check_cells(enum exposure_inventory inv, const char *const cell[EC__COUNT],
                         struct ipnet *addrs, size_t *n, exposure_report_fn report, void *ctx)
{
    size_t ncols;
    const struct exposure_column *cols = exposure_columns(EXPOSURE_VPN, &ncols);
    int problems = 0;
    *n = 0;
    for (size_t i = 0; i < ncols; i++) {
        const struct exposure_column *col = &cols[i];
        const char *v = cell[col->col] ? cell[col->col] : "";
        if (col->col == EC_SEQ)
            continue;
        if (!exposure_has_column(inv, col->col)) {
            if (*v) {
                reportf(report, ctx, col->field, "%s没有“%s”一列", exposure_inventory_name(inv),
                        col->header);
                problems++;
            }
        } else if (strlen(v) > col->max_len) {
            reportf(report, ctx, col->field, "%s过长（最多 %zu 字节）", col->header, col->max_len);
            problems++;
        } else if (has_control(v)) {
            reportf(report, ctx, col->field, "%s含有不允许的控制字符", col->header);
            problems++;
        } else if (!*v && (col->col == EC_OWNER || col->col == EC_ASSET_NAME)) {
            reportf(report, ctx, col->field, "%s不能为空", col->header);
            problems++;
        } else if (col->col == EC_IP &&
                   exposure_ip_parse(v, "ip", addrs, EXPOSURE_MAX_ADDRESSES, n)) {
            report(ctx, "ip", err_last()->msg);
            problems++;
        }
    }
    return problems;
}

static const char SQL_INSERT[] =
    "INSERT INTO exposure_entries (org_id, inventory, owner, asset_name, asset_type, ip, "
    "software, purpose, reachable, other, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id";
static const char SQL_ADDR_DEL[] = "DELETE FROM exposure_addresses WHERE entry_id = $1";
static const char SQL_ADDR_ADD[] = "INSERT INTO exposure_addresses (entry_id, org_id, cidr, "
                                   "first_hex, last_hex) VALUES ($1, $2, $3, $4, $5)";

/* The IP cell as stored: each address canonical, "; " between them. */
static char *ip_text(const struct ipnet *addrs, size_t n)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    for (size_t i = 0; i < n; i++) {
        char t[64];
        exposure_ip_format(&addrs[i], t);
        if ((i && sbuf_adds(&sb, "; ")) || sbuf_adds(&sb, t))
            break; /* cannot happen: at most 64 addresses */
    }
    return sbuf_detach(&sb, NULL);
}

static enum err write_addresses(struct db *db, long long id, long long org_id,
                                const struct ipnet *addrs, size_t n)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ADDR_DEL, &s);
    int row;
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_step(s, &row);
    db_done(s);
    for (size_t i = 0; !rc && i < n; i++) {
        char cidr[64], first[33], last[33];
        ipnet_format(&addrs[i], cidr);
        ipnet_range_hex(&addrs[i], first, last);
        if ((rc = db_prepare(db, SQL_ADDR_ADD, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, org_id);
        db_bind_text(s, 3, cidr);
        db_bind_text(s, 4, first);
        db_bind_text(s, 5, last);
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

static const char *cellv(const char *const cell[EC__COUNT], enum exposure_col c)
{
    return cell[c] ? cell[c] : "";
}

enum err exposure_insert(struct db *db, long long org_id, enum exposure_inventory inv,
                         const char *const cell[EC__COUNT], const struct ipnet *addrs, size_t n,
                         const char *now, long long *id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_INSERT, &s);
    if (rc)
        return rc;
    char *ip = ip_text(addrs, n);
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, exposure_inventory_code(inv));
    db_bind_text(s, 3, cellv(cell, EC_OWNER));
    db_bind_text(s, 4, cellv(cell, EC_ASSET_NAME));
    db_bind_text(s, 5, cellv(cell, EC_ASSET_TYPE));
    db_bind_text(s, 6, ip);
    db_bind_text(s, 7, cellv(cell, EC_SOFTWARE));
    db_bind_text(s, 8, cellv(cell, EC_PURPOSE));
    db_bind_text(s, 9, cellv(cell, EC_REACHABLE));
    db_bind_text(s, 10, cellv(cell, EC_OTHER));
    db_bind_text(s, 11, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    free(ip);
    return rc ? rc : write_addresses(db, *id, org_id, addrs, n);
}

/* The API's fields into cells (absent fields NULL). */
static void cells_of(json_t *in, const char *cell[EC__COUNT])
{
    size_t ncols;
    const struct exposure_column *cols = exposure_columns(EXPOSURE_VPN, &ncols);
    memset(cell, 0, EC__COUNT * sizeof *cell);
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].col != EC_SEQ)
            cell[cols[i].col] = json_str(in, cols[i].field);
}

/* The API reports the first problem. */
static void first_problem(void *ctx, const char *field, const char *message)
{
    int *n = ctx;
    if (!(*n)++)
        errf(ERR_VALIDATION, field, "%s", message);
}

static enum err audit_entry(struct db *db, const struct audit_ctx *ax, const char *action,
                            long long id, long long org, json_t *before, json_t *after)
{
    char idbuf[24];
    return audit_append(db, ax, action, "exposure_entry", exposure_id_text(id, idbuf), org, before,
                        after);
}

enum err exposure_entry_create(struct db *db, const struct audit_ctx *ax, long long org_id,
                               enum exposure_inventory inv, json_t *in, long long *id)
{
    const char *cell[EC__COUNT];
    struct ipnet addrs[EXPOSURE_MAX_ADDRESSES];
    size_t n;
    int problems = 0;
    cells_of(in, cell);
    if (exposure_check_cells(inv, cell, addrs, &n, first_problem, &problems))
        return ERR_VALIDATION;
    char now[40];
    time_now_iso(now);
    json_t *after;
    enum err rc = exposure_insert(db, org_id, inv, cell, addrs, n, now, id);
    if (rc || (rc = row_of(db, *id, &after)))
        return rc;
    rc = audit_entry(db, ax, "exposure.create", *id, org_id, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_UPDATE[] =
    "UPDATE exposure_entries SET owner = $2, asset_name = $3, asset_type = $4, ip = $5, "
    "software = $6, purpose = $7, reachable = $8, other = $9, updated_at = $10 WHERE id = $1";

enum err exposure_entry_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before, *after = NULL;
    enum err rc = row_of(db, id, &before);
    if (rc)
        return rc;
    enum exposure_inventory inv =
        (enum exposure_inventory)exposure_inventory_parse(json_str(before, "inventory"));
    long long org = id_parse(json_str(before, "org_id"));
    const char *cell[EC__COUNT], *given[EC__COUNT];
    cells_of(before, cell);
    cells_of(in, given);
    for (int k = 0; k < EC__COUNT; k++)
        if (given[k])
            cell[k] = given[k];
    struct ipnet addrs[EXPOSURE_MAX_ADDRESSES];
    size_t n;
    int problems = 0;
    if (exposure_check_cells(inv, cell, addrs, &n, first_problem, &problems)) {
        json_decref(before);
        return ERR_VALIDATION;
    }
    char now[40], *ip = ip_text(addrs, n);
    time_now_iso(now);
    struct db_stmt *s;
    if (!(rc = db_prepare(db, SQL_UPDATE, &s))) {
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, cellv(cell, EC_OWNER));
        db_bind_text(s, 3, cellv(cell, EC_ASSET_NAME));
        db_bind_text(s, 4, cellv(cell, EC_ASSET_TYPE));
        db_bind_text(s, 5, ip);
        db_bind_text(s, 6, cellv(cell, EC_SOFTWARE));
        db_bind_text(s, 7, cellv(cell, EC_PURPOSE));
        db_bind_text(s, 8, cellv(cell, EC_REACHABLE));
        db_bind_text(s, 9, cellv(cell, EC_OTHER));
        db_bind_text(s, 10, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    free(ip);
    if (!rc && !(rc = write_addresses(db, id, org, addrs, n)) && !(rc = row_of(db, id, &after)))
        rc = audit_entry(db, ax, "exposure.update", id, org, before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

static const char SQL_EXC_DEL[] = "DELETE FROM exposure_exceptions WHERE entry_id = $1";
static const char SQL_ENTRY_DEL[] = "DELETE FROM exposure_entries WHERE id = $1";

static enum err run_id(struct db *db, const char *sql, long long id, long long *changed)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    rc = db_step(s, &row);
    if (changed)
        *changed = db_changes(s);
    db_done(s);
    return rc;
}

enum err exposure_entry_delete(struct db *db, const struct audit_ctx *ax, long long id)
{
    json_t *before;
    enum err rc = row_of(db, id, &before);
    if (rc)
        return rc;
    if (!(rc = run_id(db, SQL_EXC_DEL, id, NULL)) && !(rc = run_id(db, SQL_ADDR_DEL, id, NULL)) &&
        !(rc = run_id(db, SQL_ENTRY_DEL, id, NULL)))
        rc = audit_entry(db, ax, "exposure.delete", id, id_parse(json_str(before, "org_id")),
                         before, NULL);
    json_decref(before);
    return rc;
}

static const char SQL_PARENT_NAME[] =
    "SELECT p.name FROM orgs o JOIN orgs p ON p.id = o.parent_id WHERE o.id = $1";
static const char SQL_EXC_SET[] =
    "INSERT INTO exposure_exceptions (entry_id, org_id, reason, reported_to, reported_on, "
    "recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (entry_id) DO "
    "UPDATE SET reason = $3, reported_to = $4, reported_on = $5, recorded_by = $6, "
    "recorded_at = $7";

/* The parent organisation's name into out[256] ("" when it has none). */
static enum err parent_name(struct db *db, long long org, char out[256])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_PARENT_NAME, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org);
    int row;
    out[0] = '\0';
    if (!(rc = db_step(s, &row)) && row)
        snprintf(out, 256, "%s", db_text(s, 0));
    db_done(s);
    return rc;
}

enum err exposure_exception_set(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before, *after = NULL;
    enum err rc = row_of(db, id, &before);
    if (rc)
        return rc;
    long long org = id_parse(json_str(before, "org_id"));
    const char *reason = json_str(in, "reason"), *to = json_str(in, "reported_to");
    const char *on = json_str(in, "reported_on");
    char parent[256], now[40];
    struct date d;
    if (strcmp(json_str(before, "inventory"), "office"))
        rc = errf(ERR_VALIDATION, "inventory", "只有办公网互联网出入口需要报备");
    else if (!reason || !*reason)
        rc = errf(ERR_VALIDATION, "reason", "报备须说明理由");
    else if (date_parse(on, &d) || date_cmp(d, date_today_shanghai()) > 0)
        rc = errf(ERR_VALIDATION, "reported_on", "报备日期应为今天或以前的日期（YYYY-MM-DD）");
    else if ((!to || !*to) && !(rc = parent_name(db, org, parent))) {
        if (!parent[0])
            rc = errf(ERR_VALIDATION, "reported_to", "请填写报备对象（通常为集团公司）");
        to = parent;
    }
    struct db_stmt *s;
    time_now_iso(now);
    if (!rc && !(rc = db_prepare(db, SQL_EXC_SET, &s))) {
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, org);
        db_bind_text(s, 3, reason);
        db_bind_text(s, 4, to);
        db_bind_text(s, 5, on);
        db_bind_text(s, 6, ax->actor_name);
        db_bind_text(s, 7, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc && !(rc = row_of(db, id, &after)))
        rc = audit_entry(db, ax, "exposure.exception", id, org, before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

enum err exposure_exception_delete(struct db *db, const struct audit_ctx *ax, long long id)
{
    json_t *before, *after = NULL;
    long long n = 0;
    enum err rc = row_of(db, id, &before);
    if (rc)
        return rc;
    if (json_is_null(json_object_get(before, "exception")))
        rc = errf(ERR_NOT_FOUND, NULL, "该出入口没有报备记录");
    if (!rc && !(rc = run_id(db, SQL_EXC_DEL, id, &n)) && !(rc = row_of(db, id, &after)))
        rc = audit_entry(db, ax, "exposure.exception_delete", id,
                         id_parse(json_str(before, "org_id")), before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

static const char SQL_HAS_DUP[] =
    "SELECT COUNT(*) FROM exposure_addresses a JOIN exposure_addresses b "
    "ON b.first_hex <= a.last_hex AND b.last_hex >= a.first_hex AND b.entry_id <> a.entry_id "
    "WHERE a.entry_id = $1";

enum err exposure_has_duplicate(struct db *db, long long id, int *dup)
{
    struct db_stmt *s;
    long long n = 0;
    enum err rc = db_prepare(db, SQL_HAS_DUP, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, 0, &n);
    *dup = n > 0;
    return rc;
}

/* Violations, duplicates, summary. -------------------------------------------------------- */

/* Organisations in scope whose office exits without 报备 pass the limit; the kind is checked by
 * the rule itself (exposure_exit_check), not here. */
static const char *const SQL_OVER[3] = SCOPED(
    "SELECT o.id, o.name, o.kind, o.province, COUNT(*) FROM orgs o JOIN exposure_entries e "
    "ON e.org_id = o.id AND e.inventory = 'office' LEFT JOIN exposure_exceptions x "
    "ON x.entry_id = e.id WHERE x.entry_id IS NULL AND (CAST($2 AS BIGINT) IS NULL OR o.id = $2) "
    "AND ",
    "o.id", " GROUP BY o.id, o.name, o.kind, o.province HAVING COUNT(*) > $3 ORDER BY o.id");

static enum err violations(struct db *db, const struct caller *c, long long org_id, json_t **out)
{
    struct exposure_ruleset rs;
    struct db_stmt *s;
    enum err rc = exposure_ruleset_current(db, &rs);
    if (rc || (rc = db_prepare(db, scope_sql(c, SQL_OVER), &s)))
        return rc;
    scope_bind(s, c);
    if (org_id > 0)
        db_bind_int(s, 2, org_id);
    else
        db_bind_null(s, 2);
    db_bind_int(s, 3, rs.max_office_exits);
    json_t *orgs = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(orgs, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)db_int(s, 0),
                                              "name", db_text(s, 1), "kind", db_text(s, 2),
                                              "province", db_text(s, 3)));
    db_done(s);
    json_t *items = json_array(), *o;
    size_t i;
    json_array_foreach (orgs, i, o) {
        struct exposure_exit_verdict v;
        json_t *exits = NULL, *excess = json_array(), *x;
        long long id = json_integer_value(json_object_get(o, "id"));
        if (rc || (rc = org_exits(db, id, json_str(o, "kind"), &rs, &v, &exits))) {
            json_decref(excess);
            break;
        }
        size_t k;
        json_array_foreach (exits, k, x) {
            if (json_is_true(json_object_get(x, "excess")))
                json_array_append(excess, x);
        }
        json_decref(exits);
        if (!v.violation) {
            json_decref(excess);
            continue;
        }
        char idbuf[24], msg[512];
        snprintf(
            msg, sizeof msg,
            "办公网互联网出入口 %d 个（已报备 %d 个），超过 %d 个的上限，有 %d 个未向集团公司报备"
            "（%s）",
            v.exits, v.reported, v.limit, v.excess, rs.version);
        json_t *item = verdict_json(&v);
        json_object_update_new(
            item, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "org_id", exposure_id_text(id, idbuf),
                            "org_name", json_str(o, "name"), "org_kind", json_str(o, "kind"),
                            "province", json_str(o, "province"), "message", msg, "ruleset",
                            ruleset_json(&rs), "excess_entries", excess));
        json_array_append_new(items, item);
    }
    json_decref(orgs);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

enum err exposure_violations(struct db *db, const struct caller *c, json_t **out)
{
    return violations(db, c, 0, out);
}

#define DUPS(PRED)                                                                                 \
    "SELECT a.cidr, b.cidr, a.entry_id, a.org_id, oa.name, ea.inventory, ea.asset_name, "          \
    "b.entry_id, b.org_id, ob.name, eb.inventory, eb.asset_name, CASE WHEN " PRED(                 \
        "b.org_id") " THEN 1 ELSE 0 END FROM exposure_addresses a JOIN exposure_addresses b ON "   \
                    "b.first_hex <= a.last_hex AND b.last_hex >= a.first_hex AND "                 \
                    "b.entry_id <> a.entry_id JOIN exposure_entries ea ON ea.id = a.entry_id "     \
                    "JOIN exposure_entries eb ON eb.id = b.entry_id JOIN orgs oa ON oa.id = "      \
                    "a.org_id JOIN orgs ob ON ob.id = b.org_id WHERE " PRED(                       \
                        "a.org_id") " AND (a.id < b.id OR NOT " PRED("b.org_id") ") AND "          \
                                                                                 "(CAST($2 AS "    \
                                                                                 "BIGINT) IS "     \
                                                                                 "NULL OR "        \
                                                                                 "a.org_id = $2 "  \
                                                                                 "OR "             \
                                                                                 "b.org_id = $2) " \
                                                                                 "ORDER BY "       \
                                                                                 "a.org_id, "      \
                                                                                 "a.id, b.id "     \
                                                                                 "LIMIT 1000"
static const char *const SQL_DUPS[3] = {DUPS(SCOPE_PRED_ALL), DUPS(SCOPE_PRED_TREE),
                                        DUPS(SCOPE_PRED_JURIS)};

enum err exposure_duplicates(struct db *db, const struct caller *c, long long org_id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, scope_sql(c, SQL_DUPS), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    if (org_id > 0)
        db_bind_int(s, 2, org_id);
    else
        db_bind_null(s, 2);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        int same = db_int(s, 3) == db_int(s, 8);
        json_t *d =
            dup_json(db_text(s, 0), db_text(s, 1), db_int(s, 7), db_int(s, 8), db_text(s, 10),
                     db_text(s, 11), db_text(s, 9), (int)db_int(s, 12), same);
        /* This side is in scope; the other side's keys get the other_ prefix. */
        json_t *flat = json_object();
        const char *key;
        json_t *v;
        json_object_foreach (d, key, v) {
            char other[32];
            if (!strcmp(key, "entry_id") || !strcmp(key, "inventory") ||
                !strcmp(key, "asset_name") || !strcmp(key, "org_id") || !strcmp(key, "org_name")) {
                snprintf(other, sizeof other, "other_%s", key);
                json_object_set(flat, other, v);
            } else {
                json_object_set(flat, key, v);
            }
        }
        json_decref(d);
        char id[24], oid[24];
        json_object_set_new(flat, "entry_id", json_string(exposure_id_text(db_int(s, 2), id)));
        json_object_set_new(flat, "org_id", json_string(exposure_id_text(db_int(s, 3), oid)));
        json_object_set_new(flat, "org_name", json_string(db_text(s, 4)));
        json_object_set_new(flat, "inventory", json_string(db_text(s, 5)));
        json_object_set_new(flat, "asset_name", json_string(db_text(s, 6)));
        json_array_append_new(items, flat);
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

static const char *const SQL_COUNTS[3] =
    SCOPED("SELECT e.inventory, COUNT(*), COUNT(DISTINCT e.org_id) FROM exposure_entries e WHERE "
           "(CAST($2 AS BIGINT) IS NULL OR e.org_id = $2) AND ",
           "e.org_id", " GROUP BY e.inventory");
static const char *const SQL_ADDR_COUNTS[3] =
    SCOPED("SELECT e.inventory, COUNT(*) FROM exposure_addresses a JOIN exposure_entries e ON "
           "e.id = a.entry_id WHERE (CAST($2 AS BIGINT) IS NULL OR e.org_id = $2) AND ",
           "e.org_id", " GROUP BY e.inventory");
#define OVERLAPS_OTHER_ENTRY                                                                       \
    "EXISTS (SELECT 1 FROM exposure_addresses b WHERE b.first_hex <= a.last_hex AND "              \
    "b.last_hex >= a.first_hex AND b.entry_id <> a.entry_id AND b.org_id "
static const char *const SQL_DUP_COUNTS[3] = SCOPED(
    "SELECT COALESCE(SUM(CASE WHEN " OVERLAPS_OTHER_ENTRY "= a.org_id) THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN " OVERLAPS_OTHER_ENTRY "<> a.org_id) THEN 1 ELSE 0 END), 0) "
    "FROM exposure_addresses a WHERE (CAST($2 AS BIGINT) IS NULL OR a.org_id = $2) AND ",
    "a.org_id", "");

static enum err scoped_rows(struct db *db, const struct caller *c, const char *const sql[3],
                            long long org_id, struct db_stmt **out)
{
    enum err rc = db_prepare(db, scope_sql(c, sql), out);
    if (rc)
        return rc;
    scope_bind(*out, c);
    if (org_id > 0)
        db_bind_int(*out, 2, org_id);
    else
        db_bind_null(*out, 2);
    return ERR_OK;
}

static enum err inventory_counts(struct db *db, const struct caller *c, long long org_id,
                                 json_t *inventories, long long *total)
{
    struct db_stmt *s;
    int row;
    for (int inv = 0; inv < EXPOSURE__COUNT; inv++)
        json_object_set_new(inventories, exposure_inventory_code(inv),
                            json_pack("{s:s,s:i,s:i,s:i}", "name", exposure_inventory_name(inv),
                                      "entries", 0, "addresses", 0, "orgs", 0));
    *total = 0;
    enum err rc = scoped_rows(db, c, SQL_COUNTS, org_id, &s);
    if (rc)
        return rc;
    while (!(rc = db_step(s, &row)) && row) {
        json_t *o = json_object_get(inventories, db_text(s, 0));
        *total += db_int(s, 1);
        if (o) {
            json_object_set_new(o, "entries", json_integer(db_int(s, 1)));
            json_object_set_new(o, "orgs", json_integer(db_int(s, 2)));
        }
    }
    db_done(s);
    if (rc || (rc = scoped_rows(db, c, SQL_ADDR_COUNTS, org_id, &s)))
        return rc;
    while (!(rc = db_step(s, &row)) && row) {
        json_t *o = json_object_get(inventories, db_text(s, 0));
        if (o)
            json_object_set_new(o, "addresses", json_integer(db_int(s, 1)));
    }
    db_done(s);
    return rc;
}

/* With org_id: the office exits' verdict and the latest scan's counts. */
static enum err org_part(struct db *db, long long org_id, json_t *out)
{
    struct exposure_ruleset rs;
    struct exposure_exit_verdict v;
    char kind[32];
    json_t *exits, *rec = NULL;
    enum err rc = exposure_ruleset_current(db, &rs);
    if (rc || (rc = org_kind_of(db, org_id, kind)) ||
        (rc = org_exits(db, org_id, kind, &rs, &v, &exits)))
        return rc;
    json_t *verdict = verdict_json(&v);
    json_object_set_new(verdict, "entries", exits);
    json_object_set_new(out, "office_exits", verdict);
    rc = exposure_reconcile(db, org_id, 0, &rec);
    if (rc == ERR_NOT_FOUND) {
        err_clear();
        json_object_set_new(out, "scan", json_null());
        return ERR_OK;
    }
    if (rc)
        return rc;
    json_t *scan = json_deep_copy(json_object_get(rec, "scan"));
    json_object_set(scan, "counts", json_object_get(rec, "counts"));
    json_object_set_new(out, "scan", scan);
    json_decref(rec);
    return ERR_OK;
}

enum err exposure_summary(struct db *db, const struct caller *c, long long org_id, json_t **out)
{
    struct exposure_ruleset rs = *exposure_ruleset_default();
    json_t *inventories = json_object(), *viol = NULL;
    long long total = 0, same = 0, other = 0;
    struct db_stmt *s;
    enum err rc = exposure_ruleset_current(db, &rs);
    if (!rc)
        rc = inventory_counts(db, c, org_id, inventories, &total);
    if (!rc && !(rc = scoped_rows(db, c, SQL_DUP_COUNTS, org_id, &s))) {
        int row;
        if (!(rc = db_step(s, &row)) && row) {
            same = db_int(s, 0);
            other = db_int(s, 1);
        }
        db_done(s);
    }
    if (!rc)
        rc = violations(db, c, org_id, &viol);
    char idbuf[24];
    json_t *sum = json_pack(
        "{s:o,s:o,s:o,s:I,s:{s:I,s:I},s:{s:I,s:o}}", "org_id",
        org_id > 0 ? json_string(exposure_id_text(org_id, idbuf)) : json_null(), "ruleset",
        ruleset_json(&rs), "inventories", inventories, "entries", (json_int_t)total, "duplicates",
        "same_org", (json_int_t)same, "other_org", (json_int_t)other, "violations", "count",
        (json_int_t)(viol ? json_array_size(viol) : 0), "items", viol ? viol : json_array());
    if (!rc && org_id > 0)
        rc = org_part(db, org_id, sum);
    if (rc) {
        json_decref(sum);
        return rc;
    }
    *out = sum;
    return ERR_OK;
}
