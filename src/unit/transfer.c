/* Bulk import and export of network units. The import validates every row first (collecting
 * every error), then writes with a handful of prepared statements in the caller's transaction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit/audit.h"
#include "crypto.h"
#include "csv.h"
#include "date.h"
#include "duty/duty.h"
#include "ipnet.h"
#include "json.h"
#include "rules.h"
#include "store/store.h"
#include "timeutil.h"
#include "transfer.h"
#include "unit.h"
#include "xlsx.h"
#include "xlsxw.h"

enum col {
    K_USCC,
    K_NAME,
    K_TYPE,
    K_BUSINESS,
    K_SERVICE,
    K_USERS,
    K_MGMT,
    K_TECH,
    K_BOUNDARY,
    K_DEVICES,
    K_ONLINE,
    K_STATUS,
    K_RANGES,
    K_I,
    K_R,
    K_V,
    K_JI,
    K_JR,
    K_JV,
    K__COUNT
};

static const char *const headers[K__COUNT] = {
    "所属单位统一社会信用代码",
    "网络单元名称",
    "网络单元类型",
    "业务/应用范围",
    "服务范围",
    "用户类型",
    "管理情况",
    "技术情况",
    "网络边界",
    "设备数量",
    "上线日期",
    "运行状态",
    "IP地址段",
    "社会影响力I",
    "规模和服务范围R",
    "服务重要性V",
    "I赋值理由",
    "R赋值理由",
    "V赋值理由",
};
/* Machine names accepted as headers too (and used in error reports). */
static const char *const fields[K__COUNT] = {
    "uscc",
    "name",
    "unit_type",
    "business_scope",
    "service_scope",
    "user_types",
    "management",
    "technical",
    "boundary",
    "device_count",
    "online_date",
    "status",
    "ip_ranges",
    "i",
    "r",
    "v",
    "just_i",
    "just_r",
    "just_v",
};

const char *const *unit_columns(size_t *n)
{
    *n = K__COUNT;
    return headers;
}

struct row {
    long long org_id;
    const char *cell[K__COUNT];
    const char *type_code, *status;
    long long devices;
    int i, r, v, graded;
};

static void add_error(json_t *errors, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_error(json_t *errors, int line, const char *field, const char *fmt, ...)
{
    if (json_array_size(errors) >= 1000)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(errors,
                          json_pack("{s:i,s:s,s:s}", "line", line, "field", field, "message", msg));
}

static int header_index(const char *h)
{
    for (int k = 0; k < K__COUNT; k++)
        if (!strcmp(h, headers[k]) || !strcmp(h, fields[k]))
            return k;
    return -1;
}

/* Accepts a type's code or its Chinese name. */
static const char *type_code(const char *v)
{
    if (unit_type_name(v))
        return v;
    json_t *t;
    size_t i;
    json_array_foreach (json_object_get(unit_types(), "types"), i, t) {
        if (!strcmp(json_str(t, "name"), v))
            return json_str(t, "code");
    }
    return NULL;
}

static int small(const char *s, long long lo, long long hi, long long *out)
{
    long long v = id_parse(s);
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Every range of a cell separated by ';', ',', whitespace or newlines. */
static int each_range(const char *cell, int (*fn)(void *, const char *), void *ctx)
{
    char buf[64];
    const char *p = cell;
    while (*p) {
        p += strspn(p, "; ,\t\r\n");
        size_t n = strcspn(p, "; ,\t\r\n");
        if (!n)
            break;
        if (n >= sizeof buf)
            n = sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        int rc = fn(ctx, buf);
        if (rc)
            return rc;
        p += strcspn(p, "; ,\t\r\n");
    }
    return 0;
}

struct range_check {
    json_t *errors;
    int line;
};

static int check_range(void *ctx, const char *text)
{
    struct range_check *rc = ctx;
    struct ipnet n;
    if (ipnet_parse(text, "ip_ranges", &n))
        add_error(rc->errors, rc->line, "ip_ranges", "%s", err_last()->msg);
    return 0;
}

static const char *const SQL_ORG_BY_USCC[3] =
    SCOPED("SELECT o.id, o.kind FROM orgs o WHERE o.uscc = $2 AND ", "o.id", "");

/* Looks the organisation up once per distinct code (cache: uscc → org id × 2 + regulator). */
static enum err resolve_org(struct db *db, const struct caller *c, json_t *cache, const char *uscc,
                            long long *org_id, int *regulator)
{
    json_t *hit = json_object_get(cache, uscc);
    if (hit) {
        *org_id = json_integer_value(hit) / 2;
        *regulator = (int)(json_integer_value(hit) % 2);
        return ERR_OK;
    }
    struct db_stmt *s;
    enum err rc = db_prepare(db, scope_sql(c, SQL_ORG_BY_USCC), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    db_bind_text(s, 2, uscc);
    int row;
    *org_id = 0;
    if (!(rc = db_step(s, &row)) && row) {
        *org_id = db_int(s, 0);
        *regulator = !strncmp(db_text(s, 1), "regulator", 9);
    }
    db_done(s);
    if (!rc)
        json_object_set_new(cache, uscc, json_integer(*org_id * 2 + *regulator));
    return rc;
}

static void check_row(struct db *db, const struct caller *c, json_t *cache, const struct tab *t,
                      size_t r, const int *map, struct row *out, json_t *errors)
{
    int line = t->rows[r].line;
    memset(out, 0, sizeof *out);
    for (int k = 0; k < K__COUNT; k++) {
        const char *v = map[k] >= 0 ? tab_cell(t, r, (size_t)map[k]) : "";
        out->cell[k] = v ? v : "";
        if (strlen(out->cell[k]) > (k == K_RANGES ? 60000u : 8000u))
            add_error(errors, line, fields[k], "%s过长", headers[k]);
    }
    const char *const *cell = out->cell;
    int regulator = 0;
    if (!*cell[K_USCC])
        add_error(errors, line, "uscc", "所属单位统一社会信用代码不能为空");
    else if (resolve_org(db, c, cache, cell[K_USCC], &out->org_id, &regulator) || !out->org_id)
        add_error(errors, line, "uscc", "单位 %s 不存在或不在权限范围内", cell[K_USCC]);
    else if (regulator)
        add_error(errors, line, "uscc", "网络单元不能属于监管机构");
    if (!*cell[K_NAME])
        add_error(errors, line, "name", "网络单元名称不能为空");
    else if (strlen(cell[K_NAME]) > 200)
        add_error(errors, line, "name", "网络单元名称过长（最多 200 字节）");
    if (!(out->type_code = type_code(cell[K_TYPE])))
        add_error(errors, line, "unit_type", "未知的网络单元类型：%s", cell[K_TYPE]);
    out->devices = -1;
    if (*cell[K_DEVICES] && small(cell[K_DEVICES], 0, 100000000, &out->devices))
        add_error(errors, line, "device_count", "设备数量应为非负整数");
    struct date d;
    if (*cell[K_ONLINE] && date_parse(cell[K_ONLINE], &d))
        add_error(errors, line, "online_date", "上线日期应为 YYYY-MM-DD");
    const char *st = cell[K_STATUS];
    out->status = !*st || !strcmp(st, "planned") || !strcmp(st, "规划建设") ? "planned"
                  : !strcmp(st, "online") || !strcmp(st, "在网运行")        ? "online"
                                                                            : NULL;
    if (!out->status)
        add_error(errors, line, "status", "运行状态应为 规划建设 或 在网运行");
    struct range_check rc = {errors, line};
    each_range(cell[K_RANGES], check_range, &rc);
    /* Grading is optional, but all of I, R, V and their reasons or none (R1). */
    int any = *cell[K_I] || *cell[K_R] || *cell[K_V];
    if (any) {
        long long v;
        const int idx[3] = {K_I, K_R, K_V}, jdx[3] = {K_JI, K_JR, K_JV};
        int *dst[3] = {&out->i, &out->r, &out->v};
        for (int k = 0; k < 3; k++) {
            if (small(cell[idx[k]], 1, 5, &v))
                add_error(errors, line, fields[idx[k]], "%s取值应为 1 至 5 的整数",
                          headers[idx[k]]);
            else
                *dst[k] = (int)v;
            if (!*cell[jdx[k]])
                add_error(errors, line, fields[jdx[k]], "%s不能为空", headers[jdx[k]]);
        }
        out->graded = 1;
    }
}

static const char SQL_INSERT[] =
    "INSERT INTO units (org_id, name, unit_type, business_scope, service_scope, user_types, "
    "management, technical, boundary, device_count, online_date, status, level, grade_i, grade_r, "
    "grade_v, grade_k10, just_i, just_r, just_v, grade_ruleset, graded_at, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
    "$20, $21, $22, $23, $23) RETURNING id";
static const char SQL_HISTORY[] =
    "INSERT INTO unit_gradings (unit_id, grade_i, grade_r, grade_v, s_value, k10, level, just_i, "
    "just_r, just_v, ruleset, graded_by, graded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
static const char SQL_RANGE[] = "INSERT INTO unit_ranges (unit_id, org_id, cidr, first_hex, "
                                "last_hex) VALUES ($1, $2, $3, $4, $5)";

struct range_write {
    struct db *db;
    long long unit, org;
    enum err rc;
};

static int write_range(void *ctx, const char *text)
{
    struct range_write *w = ctx;
    struct ipnet n;
    char canon[64], first[33], last[33];
    struct db_stmt *s;
    if ((w->rc = ipnet_parse(text, "ip_ranges", &n)) || (w->rc = db_prepare(w->db, SQL_RANGE, &s)))
        return 1;
    ipnet_format(&n, canon);
    ipnet_range_hex(&n, first, last);
    db_bind_int(s, 1, w->unit);
    db_bind_int(s, 2, w->org);
    db_bind_text(s, 3, canon);
    db_bind_text(s, 4, first);
    db_bind_text(s, 5, last);
    int row;
    w->rc = db_step(s, &row);
    db_done(s);
    return w->rc != ERR_OK;
}

static enum err write_row(struct db *db, const struct audit_ctx *ax, const struct row *u,
                          const char *now, long long *id)
{
    struct unit_grade_result g = {0};
    const struct grade_ruleset *rs = grade_ruleset_default();
    if (u->graded && unit_grade_with(rs, u->i, u->r, u->v, &g))
        return ERR_INTERNAL; /* checked before */
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_INSERT, &s);
    if (rc)
        return rc;
    const char *const *cell = u->cell;
    db_bind_int(s, 1, u->org_id);
    db_bind_text(s, 2, cell[K_NAME]);
    db_bind_text(s, 3, u->type_code);
    for (int k = K_BUSINESS; k <= K_BOUNDARY; k++)
        db_bind_text(s, 4 + (k - K_BUSINESS), cell[k]);
    if (u->devices >= 0)
        db_bind_int(s, 10, u->devices);
    else
        db_bind_null(s, 10);
    db_bind_text(s, 11, *cell[K_ONLINE] ? cell[K_ONLINE] : NULL);
    db_bind_text(s, 12, u->status);
    if (u->graded) {
        db_bind_int(s, 13, g.level);
        db_bind_int(s, 14, u->i);
        db_bind_int(s, 15, u->r);
        db_bind_int(s, 16, u->v);
        db_bind_int(s, 17, g.k10);
        db_bind_text(s, 18, cell[K_JI]);
        db_bind_text(s, 19, cell[K_JR]);
        db_bind_text(s, 20, cell[K_JV]);
        db_bind_text(s, 21, rs->version);
        db_bind_text(s, 22, now);
    } else {
        for (int k = 13; k <= 22; k++)
            db_bind_null(s, k);
    }
    db_bind_text(s, 23, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    if (u->graded) {
        if ((rc = db_prepare(db, SQL_HISTORY, &s)))
            return rc;
        db_bind_int(s, 1, *id);
        db_bind_int(s, 2, u->i);
        db_bind_int(s, 3, u->r);
        db_bind_int(s, 4, u->v);
        db_bind_int(s, 5, g.s);
        db_bind_int(s, 6, g.k10);
        db_bind_int(s, 7, g.level);
        db_bind_text(s, 8, cell[K_JI]);
        db_bind_text(s, 9, cell[K_JR]);
        db_bind_text(s, 10, cell[K_JV]);
        db_bind_text(s, 11, rs->version);
        db_bind_text(s, 12, ax->actor_name);
        db_bind_text(s, 13, now);
        rc = db_step(s, &row);
        db_done(s);
        if (rc)
            return rc;
    }
    struct range_write w = {db, *id, u->org_id, ERR_OK};
    each_range(cell[K_RANGES], write_range, &w);
    if (w.rc)
        return w.rc;
    return ERR_OK;
}

enum err unit_import(struct db *db, const struct audit_ctx *ax, const struct caller *caller,
                     const char *data, size_t len, struct unit_import_result *res)
{
    struct arena a;
    struct tab t;
    arena_init(&a);
    memset(res, 0, sizeof *res);
    res->errors = json_array();
    /* A bulk import may be large (the CLI reads up to 1 GiB; HTTP bodies are bounded by the
     * upload limit before they get here): one million rows of up to 40 columns. */
    static const struct tab_limits limits = {
        .max_bytes = 1u << 30, .max_rows = 1000001, .max_cells = 40000000};
    enum err rc = tab_read_auto(&a, data, len, NULL, &limits, &t);
    if (rc)
        goto out;
    if (t.n_rows < 1) {
        rc = errf(ERR_VALIDATION, "file", "文件为空：第一行应为表头");
        goto out;
    }
    int map[K__COUNT];
    for (int k = 0; k < K__COUNT; k++)
        map[k] = -1;
    for (size_t c = 0; c < t.rows[0].n_cells; c++) {
        int k = header_index(tab_cell(&t, 0, c));
        if (k >= 0)
            map[k] = (int)c;
    }
    for (int k = 0; k <= K_TYPE; k++)
        if (map[k] < 0)
            add_error(res->errors, t.rows[0].line, fields[k], "缺少必需的列：%s", headers[k]);
    if (json_array_size(res->errors)) {
        rc = errf(ERR_VALIDATION, "file", "表头缺少必需的列");
        goto out;
    }
    struct row *rows = arena_alloc(&a, (t.n_rows + 1) * sizeof *rows);
    size_t n = 0;
    json_t *cache = json_object();
    for (size_t r = 1; r < t.n_rows; r++) {
        int blank = 1;
        for (size_t c = 0; c < t.rows[r].n_cells && blank; c++)
            blank = !*tab_cell(&t, r, c);
        if (blank)
            continue;
        check_row(db, caller, cache, &t, r, map, &rows[n++], res->errors);
    }
    json_decref(cache);
    res->rows = (long long)n;
    if (json_array_size(res->errors)) {
        rc = errf(ERR_VALIDATION, "file", "共有 %zu 处错误，未导入任何数据",
                  json_array_size(res->errors));
        goto out;
    }
    char now[40], hash[65];
    time_now_iso(now);
    for (size_t i = 0; i < n && !rc; i++) {
        long long id = 0;
        if (!(rc = write_row(db, ax, &rows[i], now, &id))) {
            if (!res->first_id)
                res->first_id = id;
            res->last_id = id;
            res->created++;
        }
    }
    /* The new units' duties in one pass over the id range. */
    if (!rc && res->created)
        rc = duty_produce_new(db, "unit", res->first_id, res->last_id);
    if (!rc && !(rc = crypto_sm3_hex(data, len, hash))) {
        json_t *after =
            json_pack("{s:s,s:I,s:I,s:I}", "file_sm3", hash, "created", (json_int_t)res->created,
                      "first_id", (json_int_t)res->first_id, "last_id", (json_int_t)res->last_id);
        rc = audit_append(db, ax, "unit.import", "unit", NULL, caller->org_id, NULL, after);
        json_decref(after);
    }
    if (rc)
        res->created = 0;
out:
    arena_release(&a);
    return rc;
}

enum err unit_import_template(char **bytes, size_t *len)
{
    struct xlsxw *w;
    enum err rc = xlsxw_begin(&w);
    if (rc)
        return rc;
    static const char *const example[K__COUNT] = {
        "91350100M000100Y43",
        "省级 IDC",
        "idc",
        "互联网数据中心机房托管与云主机",
        "本省",
        "政企客户",
        "网络安全部负责，7×24 值守",
        "核心-汇聚-接入三层，防火墙隔离",
        "互联网出口 2 个",
        "320",
        "2023-05-01",
        "在网运行",
        "203.0.113.0/24; 2001:db8:10::/48",
        "3",
        "3",
        "4",
        "影响本省企业客户",
        "服务全省",
        "承载重要业务",
    };
    if (!(rc = xlsxw_sheet(w, "网络单元", headers, K__COUNT)) &&
        !(rc = xlsxw_row(w, example, K__COUNT))) {
        static const char *const th[] = {"代码", "网络单元类型", "安全防护要求", "检测要求"};
        rc = xlsxw_sheet(w, "单元类型", th, 4);
        json_t *t;
        size_t i;
        json_array_foreach (json_object_get(unit_types(), "types"), i, t) {
            const char *cells[4] = {json_str(t, "code"), json_str(t, "name"),
                                    json_str(t, "protection_standard"),
                                    json_str(t, "testing_standard")};
            if (!rc)
                rc = xlsxw_row(w, cells, 4);
        }
    }
    if (rc) {
        xlsxw_free(w);
        return rc;
    }
    return xlsxw_finish(w, bytes, len);
}
