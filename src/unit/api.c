/* HTTP: network units, grading, the filing workflow and the regulator's review inbox. Operators
 * write units of their own tree; regulators read and review within their jurisdiction. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "date.h"
#include "http/export.h"
#include "http/http.h"
#include "rules.h"
#include "store/store.h"
#include "transfer.h"
#include "unit.h"
#include "xlsxw.h"

json_t *unit_row_json(struct db_stmt *s);
json_t *filing_row_json(struct db_stmt *s, int with_snapshot, struct date today);

#define UNIT_LIST_COLS                                                                             \
    "SELECT u.id, u.org_id, o.name, u.name, u.unit_type, u.business_scope, u.service_scope, "      \
    "u.user_types, u.management, u.technical, u.boundary, u.device_count, u.online_date, "         \
    "u.status, u.level, u.grade_i, u.grade_r, u.grade_v, u.grade_k10, u.just_i, u.just_r, "        \
    "u.just_v, u.grade_ruleset, u.graded_at, u.filing_status, u.filing_number, u.filed_at, "       \
    "u.filed_level, u.change_since, u.correction_due, u.cii, u.cii_authority, u.cii_date, "        \
    "u.mlps_info_level, u.mlps_service_level, u.mlps_level, u.mlps_harms, u.mlps_graded_at, "      \
    "u.mlps_police_filing_no, u.mlps_police_org, u.mlps_police_filing_date, u.created_at, "        \
    "u.updated_at FROM units u JOIN orgs o ON o.id = u.org_id WHERE "
#define UNIT_FILTERS                                                                               \
    " AND (CAST($2 AS BIGINT) IS NULL OR u.org_id = $2)"                                           \
    " AND (CAST($3 AS BIGINT) IS NULL OR u.level = $3)"                                            \
    " AND (CAST($4 AS TEXT) IS NULL OR u.unit_type = $4)"                                          \
    " AND (CAST($5 AS TEXT) IS NULL OR u.status = $5)"                                             \
    " AND (CAST($6 AS TEXT) IS NULL OR u.filing_status = $6)"                                      \
    " AND (CAST($7 AS TEXT) IS NULL OR u.name LIKE $7 ESCAPE '\\')"                                \
    " AND (CAST($8 AS BIGINT) IS NULL OR u.cii = $8)"
#define PAGE " LIMIT $9 OFFSET $10"

static const char *const SQL_LIST[3][3] = {
    SCOPED(UNIT_LIST_COLS, "u.org_id", UNIT_FILTERS " ORDER BY u.id DESC" PAGE),
    SCOPED(UNIT_LIST_COLS, "u.org_id", UNIT_FILTERS " ORDER BY u.name, u.id" PAGE),
    SCOPED(UNIT_LIST_COLS, "u.org_id", UNIT_FILTERS " ORDER BY u.level DESC, u.id DESC" PAGE),
};
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM units u WHERE ", "u.org_id", UNIT_FILTERS);

static void bind_id_filter(struct request *r, struct db_stmt *s, int idx, const char *name)
{
    const char *v = req_query(r, name);
    if (v && *v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static void bind_text_filter(struct request *r, struct db_stmt *s, int idx, const char *name)
{
    const char *v = req_query(r, name);
    db_bind_text(s, idx, v && *v ? v : NULL);
}

static void bind_unit_filters(struct request *r, struct db_stmt *s)
{
    scope_bind(s, &r->caller);
    bind_id_filter(r, s, 2, "org_id");
    bind_id_filter(r, s, 3, "level");
    bind_text_filter(r, s, 4, "unit_type");
    bind_text_filter(r, s, 5, "status");
    bind_text_filter(r, s, 6, "filing_status");
    db_bind_text(s, 7, req_like(r, "q"));
    const char *cii = req_query(r, "cii");
    if (cii && *cii)
        db_bind_int(s, 8, !strcmp(cii, "true") || !strcmp(cii, "1"));
    else
        db_bind_null(s, 8);
}

/* Filters with a fixed set of values are checked, so a typo is an error, not an empty list. */
static enum err check_unit_filters(struct request *r)
{
    const char *level = req_query(r, "level"), *status = req_query(r, "status"),
               *fs = req_query(r, "filing_status"), *type = req_query(r, "unit_type");
    if (level && *level && (id_parse(level) < 1 || id_parse(level) > 5))
        return errf(ERR_VALIDATION, "level", "安全等级应为 1 至 5");
    if (status && *status && strcmp(status, "planned") && strcmp(status, "online") &&
        strcmp(status, "retired"))
        return errf(ERR_VALIDATION, "status", "运行状态应为 planned、online 或 retired");
    static const char *const fss[] = {"draft", "submitted",      "returned",
                                      "filed", "change_pending", "retired"};
    int ok = !fs || !*fs;
    for (size_t i = 0; !ok && i < sizeof fss / sizeof fss[0]; i++)
        ok = !strcmp(fs, fss[i]);
    if (!ok)
        return errf(ERR_VALIDATION, "filing_status", "未知的备案状态：%s", fs);
    if (type && *type && !unit_type_name(type))
        return errf(ERR_VALIDATION, "unit_type", "未知的网络单元类型：%s", type);
    return ERR_OK;
}

static enum err units_list(struct request *r)
{
    long long limit, offset, total;
    enum err rc = check_unit_filters(r);
    if (rc)
        return rc;
    rc = req_page(r, &limit, &offset);
    const char *sort = req_query(r, "sort");
    int sort_i = !sort || !strcmp(sort, "-id") ? 0
                 : !strcmp(sort, "name")       ? 1
                 : !strcmp(sort, "-level")     ? 2
                                               : -1;
    if (!rc && sort_i < 0)
        return errf(ERR_VALIDATION, "sort", "排序应为 -id、name 或 -level");
    struct db_stmt *s;
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_COUNT), &s)))
        return rc;
    bind_unit_filters(r, s);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST[sort_i]), &s)))
        return rc;
    bind_unit_filters(r, s);
    db_bind_int(s, 9, limit);
    db_bind_int(s, 10, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, unit_row_json(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static const char *const SQL_STATS[3] = SCOPED(
    "SELECT COALESCE(u.level, 0), u.filing_status, u.cii, COUNT(*) FROM units u WHERE ", "u.org_id",
    " AND u.status <> 'retired' GROUP BY COALESCE(u.level, 0), u.filing_status, u.cii");

static enum err units_stats(struct request *r)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_STATS), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    long long by_level[6] = {0}, total = 0, cii = 0;
    json_t *by_filing = json_object();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        long long level = db_int(s, 0), n = db_int(s, 3);
        const char *fs = db_text(s, 1);
        if (level >= 0 && level <= 5)
            by_level[level] += n;
        total += n;
        if (db_int(s, 2))
            cii += n;
        json_object_set_new(by_filing, fs,
                            json_integer(json_integer_value(json_object_get(by_filing, fs)) + n));
    }
    db_done(s);
    if (rc) {
        json_decref(by_filing);
        return rc;
    }
    json_t *levels = json_array();
    for (int i = 0; i <= 5; i++)
        json_array_append_new(levels,
                              json_pack("{s:i,s:I}", "level", i, "count", (json_int_t)by_level[i]));
    reply_json(r, 200,
               json_pack("{s:I,s:I,s:o,s:o}", "total", (json_int_t)total, "cii", (json_int_t)cii,
                         "by_level", levels, "by_filing_status", by_filing));
    return ERR_OK;
}

/* The unit of the route, if the caller may see it (404 otherwise). */
static enum err visible_unit(struct request *r, long long *id, long long *org)
{
    return req_scoped_id(r, 0, unit_org, "网络单元不存在", id, org);
}

/* Operators (within their tree) and system administrators write units. */
static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有运行单位人员可以维护网络单元");
}

static enum err writable_unit(struct request *r, long long *id, long long *org)
{
    enum err rc = visible_unit(r, id, org);
    return rc ? rc : may_write(r);
}

static enum err reply_unit(struct request *r, long long id, int status)
{
    json_t *u;
    enum err rc = unit_json(r->db, id, date_today_shanghai(), &u);
    if (!rc)
        reply_json(r, status, u);
    return rc;
}

static enum err unit_get(struct request *r)
{
    long long id, org;
    enum err rc = visible_unit(r, &id, &org);
    return rc ? rc : reply_unit(r, id, 200);
}

#define TEXT_FIELDS                                                                                \
    {"business_scope", JT_STRING, 0, 4000, 0, 0, "业务/应用范围"},                                 \
        {"service_scope", JT_STRING, 0, 4000, 0, 0, "服务范围"},                                   \
        {"user_types", JT_STRING, 0, 2000, 0, 0, "用户类型"},                                      \
        {"management", JT_STRING, 0, 8000, 0, 0, "管理情况"},                                      \
        {"technical", JT_STRING, 0, 8000, 0, 0, "技术情况"},                                       \
        {"boundary", JT_STRING, 0, 4000, 0, 0, "网络边界"},                                        \
        {"device_count", JT_INT, 0, 0, 0, 100000000, "设备数量"},                                  \
        {"online_date", JT_DATE, 0, 10, 0, 0, "上线日期"},                                         \
        {"status", JT_STRING, 2, 16, 0, 0, "运行状态"},                                            \
    {                                                                                              \
        "ip_ranges", JT_ARRAY, 0, 1000, 0, 0, "IP 地址段"                                       \
    }

static const struct jfield NEW_UNIT[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "所属单位"},
    {"name", JT_STRING, 1, 200, 0, 0, "名称"},
    {"unit_type", JT_STRING, 1, 32, 0, 0, "网络单元类型"},
    TEXT_FIELDS,
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_create_h(struct request *r)
{
    json_t *in;
    enum err rc = may_write(r);
    if (rc || (rc = req_json(r, NEW_UNIT, &in)))
        return rc;
    long long org = id_parse(json_str(in, "org_id")), id;
    if (scope_check_org(r, org))
        return errf(ERR_NOT_FOUND, "org_id", "所属单位不存在");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = unit_create(r->db, &ax, org, in, &id)))
        return rc;
    return reply_unit(r, id, 201);
}

static const struct jfield PATCH_UNIT[] = {
    {"name", JT_STRING, 2, 200, 0, 0, "名称"},
    {"unit_type", JT_STRING, 2, 32, 0, 0, "网络单元类型"},
    TEXT_FIELDS,
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_update_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, PATCH_UNIT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = unit_update(r->db, &ax, id, in)))
        return rc;
    return reply_unit(r, id, 200);
}

static const struct jfield GRADE[] = {
    {"i", JT_INT, 1, 0, 1, 5, "社会影响力 I"},
    {"r", JT_INT, 1, 0, 1, 5, "规模和服务范围 R"},
    {"v", JT_INT, 1, 0, 1, 5, "所提供服务的重要性 V"},
    {"just_i", JT_STRING, 1, 4000, 0, 0, "社会影响力赋值理由"},
    {"just_r", JT_STRING, 1, 4000, 0, 0, "规模和服务范围赋值理由"},
    {"just_v", JT_STRING, 1, 4000, 0, 0, "服务重要性赋值理由"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_grade_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, GRADE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = unit_grade_set(r->db, &ax, id, (int)json_int(in, "i", 0), (int)json_int(in, "r", 0),
                             (int)json_int(in, "v", 0), json_str(in, "just_i"),
                             json_str(in, "just_r"), json_str(in, "just_v"))))
        return rc;
    return reply_unit(r, id, 200);
}

static enum err grade_compute(struct request *r)
{
    const char *names[] = {"i", "r", "v"};
    int vals[3];
    for (int k = 0; k < 3; k++) {
        const char *q = req_query(r, names[k]);
        long long v = q ? id_parse(q) : -1;
        if (v < 1 || v > 5)
            return errf(ERR_VALIDATION, names[k], "%s 取值应为 1 至 5 的整数", names[k]);
        vals[k] = (int)v;
    }
    struct unit_grade_result g;
    const struct grade_ruleset *rs = grade_ruleset_default();
    enum err rc = unit_grade_with(rs, vals[0], vals[1], vals[2], &g);
    if (rc)
        return rc;
    reply_json(r, 200,
               json_pack("{s:i,s:i,s:i,s:i,s:f,s:i,s:s,s:s}", "i", vals[0], "r", vals[1], "v",
                         vals[2], "s", g.s, "k", g.k10 / 10.0, "level", g.level, "ruleset",
                         rs->version, "source", rs->source));
    return ERR_OK;
}

static const char SQL_GRADINGS[] =
    "SELECT grade_i, grade_r, grade_v, s_value, k10, level, just_i, just_r, just_v, ruleset, "
    "graded_by, graded_at FROM unit_gradings WHERE unit_id = $1 ORDER BY id DESC";

static enum err unit_gradings(struct request *r)
{
    long long id, org;
    struct db_stmt *s;
    enum err rc = visible_unit(r, &id, &org);
    if (rc || (rc = db_prepare(r->db, SQL_GRADINGS, &s)))
        return rc;
    db_bind_int(s, 1, id);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(
            items,
            json_pack("{s:I,s:I,s:I,s:I,s:f,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "i",
                      (json_int_t)db_int(s, 0), "r", (json_int_t)db_int(s, 1), "v",
                      (json_int_t)db_int(s, 2), "s", (json_int_t)db_int(s, 3), "k",
                      db_int(s, 4) / 10.0, "level", (json_int_t)db_int(s, 5), "just_i",
                      db_text(s, 6), "just_r", db_text(s, 7), "just_v", db_text(s, 8), "ruleset",
                      db_text(s, 9), "graded_by", db_text(s, 10), "graded_at", db_text(s, 11)));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static const struct jfield COMMENT[] = {
    {"comment", JT_STRING, 0, 2000, 0, 0, "说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_submit_h(struct request *r)
{
    long long id, org, filing;
    json_t *in = NULL;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (r->body.len && (rc = req_json(r, COMMENT, &in))))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = unit_submit(r->db, &ax, id, in ? json_str(in, "comment") : NULL, &filing)))
        return rc;
    json_t *f;
    if ((rc = filing_json(r->db, filing, 0, &f)))
        return rc;
    reply_json(r, 201, f);
    return ERR_OK;
}

static const struct jfield RETIRE[] = {
    {"reason", JT_STRING, 1, 2000, 0, 0, "注销原因"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_retire_h(struct request *r)
{
    long long id, org, filing;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, RETIRE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = unit_retire(r->db, &ax, id, json_str(in, "reason"), &filing)))
        return rc;
    return reply_unit(r, id, 200);
}

#define FILING_COLS                                                                                \
    "SELECT f.id, f.unit_id, f.org_id, o.name, u.name, f.kind, f.status, f.submitted_by, "         \
    "f.submitted_at, f.reviewer, f.reviewed_at, f.reasons, f.correction_due, f.filing_number, "    \
    "f.comment, f.snapshot, o.province FROM filings f JOIN orgs o ON o.id = f.org_id "             \
    "JOIN units u ON u.id = f.unit_id WHERE "
static const char SQL_UNIT_FILINGS[] = FILING_COLS "f.unit_id = $1 ORDER BY f.id DESC";

static enum err unit_filings(struct request *r)
{
    long long id, org;
    struct db_stmt *s;
    enum err rc = visible_unit(r, &id, &org);
    if (rc || (rc = db_prepare(r->db, SQL_UNIT_FILINGS, &s)))
        return rc;
    db_bind_int(s, 1, id);
    json_t *items = json_array();
    int row;
    struct date today = date_today_shanghai();
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, filing_row_json(s, 0, today));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

#define FILING_FILTERS                                                                             \
    " AND (CAST($2 AS TEXT) IS NULL OR f.status = $2) AND (CAST($3 AS TEXT) IS NULL OR f.kind = "  \
    "$3)"
static const char *const SQL_FILINGS[3] =
    SCOPED(FILING_COLS, "f.org_id", FILING_FILTERS " ORDER BY f.id LIMIT $4 OFFSET $5");
static const char *const SQL_FILINGS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM filings f WHERE ", "f.org_id", FILING_FILTERS);

/* The review inbox: submissions in the caller's scope, oldest first, with their age. */
static enum err filings_list(struct request *r)
{
    long long limit, offset, total;
    enum err rc = req_page(r, &limit, &offset);
    struct db_stmt *s;
    const char *status = req_query(r, "status"), *kind = req_query(r, "kind");
    if (!rc && status && *status && strcmp(status, "submitted") && strcmp(status, "approved") &&
        strcmp(status, "returned"))
        return errf(ERR_VALIDATION, "status", "审核状态应为 submitted、approved 或 returned");
    if (!rc && kind && *kind && strcmp(kind, "initial") && strcmp(kind, "change") &&
        strcmp(kind, "retire"))
        return errf(ERR_VALIDATION, "kind", "备案类型应为 initial、change 或 retire");
    for (int pass = 0; !rc && pass < 2; pass++) {
        if ((rc = db_prepare(r->db, scope_sql(&r->caller, pass ? SQL_FILINGS : SQL_FILINGS_COUNT),
                             &s)))
            return rc;
        scope_bind(s, &r->caller);
        db_bind_text(s, 2, status && *status ? status : NULL);
        db_bind_text(s, 3, kind && *kind ? kind : NULL);
        if (!pass) {
            rc = db_scalar_int(s, 0, &total);
            continue;
        }
        db_bind_int(s, 4, limit);
        db_bind_int(s, 5, offset);
        json_t *items = json_array();
        int row;
        struct date today = date_today_shanghai();
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(items, filing_row_json(s, 0, today));
        db_done(s);
        if (rc) {
            json_decref(items);
            return rc;
        }
        reply_list(r, items, total);
    }
    return rc;
}

static enum err visible_filing(struct request *r, long long *id, long long *org)
{
    return req_scoped_id(r, 0, filing_org, "备案记录不存在", id, org);
}

static enum err filing_get(struct request *r)
{
    long long id, org;
    json_t *f;
    enum err rc = visible_filing(r, &id, &org);
    if (rc || (rc = filing_json(r->db, id, 1, &f)))
        return rc;
    reply_json(r, 200, f);
    return ERR_OK;
}

/* Reviews belong to the regulators whose jurisdiction covers the organisation. */
static enum err reviewable(struct request *r, long long *id)
{
    long long org;
    enum err rc = visible_filing(r, id, &org);
    if (rc)
        return rc;
    if (!role_is_regulator(r->caller.role))
        return errf(ERR_FORBIDDEN, NULL, "只有电信主管部门可以审核备案");
    return ERR_OK;
}

static const struct jfield APPROVE[] = {
    {"filing_number", JT_STRING, 0, 40, 0, 0, "备案编号"},
    {"comment", JT_STRING, 0, 2000, 0, 0, "审核意见"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err filing_approve_h(struct request *r)
{
    long long id;
    json_t *in = NULL, *f;
    enum err rc = reviewable(r, &id);
    if (rc || (r->body.len && (rc = req_json(r, APPROVE, &in))))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = filing_approve(r->db, &ax, id, r->caller.org_id,
                             in ? json_str(in, "filing_number") : NULL,
                             in ? json_str(in, "comment") : NULL)) ||
        (rc = filing_json(r->db, id, 0, &f)))
        return rc;
    reply_json(r, 200, f);
    return ERR_OK;
}

static const struct jfield RETURN[] = {
    {"reasons", JT_ARRAY, 1, 50, 0, 0, "退回原因"},
    {"due_date", JT_DATE, 0, 10, 0, 0, "补正期限"},
    {"comment", JT_STRING, 0, 2000, 0, 0, "审核意见"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err filing_return_h(struct request *r)
{
    long long id;
    json_t *in, *f;
    enum err rc = reviewable(r, &id);
    if (rc || (rc = req_json(r, RETURN, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = filing_return(r->db, &ax, id, r->caller.org_id, json_object_get(in, "reasons"),
                            json_str(in, "due_date"), json_str(in, "comment"))) ||
        (rc = filing_json(r->db, id, 0, &f)))
        return rc;
    reply_json(r, 200, f);
    return ERR_OK;
}

static const struct jfield MLPS[] = {
    {"info", JT_ARRAY, 1, 9, 0, 0, "业务信息安全受侵害情况"},
    {"service", JT_ARRAY, 1, 9, 0, 0, "系统服务安全受侵害情况"},
    {"police_filing_no", JT_STRING, 0, 64, 0, 0, "备案证明编号"},
    {"police_org", JT_STRING, 0, 200, 0, 0, "公安机关"},
    {"police_filing_date", JT_DATE, 0, 10, 0, 0, "公安备案日期"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_mlps_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, MLPS, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = unit_mlps_set(r->db, &ax, id, in)) ? rc : reply_unit(r, id, 200);
}

static const struct jfield MLPS_ASSESS[] = {
    {"assessed_on", JT_DATE, 1, 10, 0, 0, "测评日期"},
    {"agency", JT_STRING, 1, 200, 0, 0, "测评机构"},
    {"result", JT_STRING, 1, 8, 0, 0, "测评结论"},
    {"score", JT_INT, 0, 0, 0, 100, "测评得分"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_mlps_assess_h(struct request *r)
{
    long long id, org, aid;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, MLPS_ASSESS, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = unit_mlps_assessment_add(r->db, &ax, id, in, &aid)) ? rc : reply_unit(r, id, 201);
}

static const struct jfield CII[] = {
    {"cii", JT_BOOL, 1, 0, 0, 0, "关键信息基础设施"},
    {"authority", JT_STRING, 0, 200, 0, 0, "认定部门"},
    {"date", JT_DATE, 0, 10, 0, 0, "认定日期"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err unit_cii_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, CII, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = unit_cii_set(r->db, &ax, id, in)) ? rc : reply_unit(r, id, 200);
}

static const struct jfield ASSET[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "资产名称"},
    {"kind", JT_STRING, 0, 100, 0, 0, "资产类型"},
    {"vendor", JT_STRING, 0, 200, 0, 0, "厂商"},
    {"model", JT_STRING, 0, 200, 0, 0, "型号"},
    {"software_version", JT_STRING, 0, 200, 0, 0, "软件版本"},
    {"location", JT_STRING, 0, 200, 0, 0, "位置"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err asset_add_h(struct request *r)
{
    long long id, org, aid;
    json_t *in;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_json(r, ASSET, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = unit_asset_add(r->db, &ax, id, in, &aid)) ? rc : reply_unit(r, id, 201);
}

static enum err asset_delete_h(struct request *r)
{
    long long id, org, aid;
    enum err rc = writable_unit(r, &id, &org);
    if (rc || (rc = req_param_id(r, 1, &aid)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = unit_asset_delete(r->db, &ax, id, aid)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

static enum err types_h(struct request *r)
{
    reply_json(r, 200, json_deep_copy(unit_types()));
    return ERR_OK;
}

/* Bulk import: the body is the CSV or XLSX file itself. All or nothing. */
static enum err import_h(struct request *r)
{
    enum err rc = may_write(r);
    if (rc)
        return rc;
    if (!r->body.len)
        return errf(ERR_VALIDATION, "file", "请上传 CSV 或 XLSX 文件");
    struct audit_ctx ax = audit_ctx_of(r);
    struct unit_import_result res;
    rc = unit_import(r->db, &ax, &r->caller, r->body.buf, r->body.len, &res);
    if (rc) {
        r->error_extra =
            json_pack("{s:o,s:I}", "rows", res.errors, "row_count", (json_int_t)res.rows);
        return rc;
    }
    json_decref(res.errors);
    reply_json(r, 201,
               json_pack("{s:I,s:I,s:I,s:I}", "rows", (json_int_t)res.rows, "created",
                         (json_int_t)res.created, "first_id", (json_int_t)res.first_id, "last_id",
                         (json_int_t)res.last_id));
    return ERR_OK;
}

static enum err template_h(struct request *r)
{
    char *bytes;
    size_t len;
    enum err rc = unit_import_template(&bytes, &len);
    if (rc)
        return rc;
    reply_file(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "网络单元导入模板.xlsx", bytes, len);
    free(bytes);
    return ERR_OK;
}

/* The filtered unit list as XLSX (the list's own filters), streamed from one statement; past
 * export_max_rows() the caller is asked to narrow the filters, as for every other list. */
static enum err export_h(struct request *r)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST[0]), &s);
    if (rc)
        return rc;
    bind_unit_filters(r, s);
    db_bind_int(s, 9, export_max_rows() + 1);
    db_bind_int(s, 10, 0);
    struct xlsxw *w;
    if ((rc = xlsxw_begin(&w))) {
        db_done(s);
        return rc;
    }
    static const char *const head[] = {
        "编号",     "所属单位",      "网络单元名称",     "网络单元类型",
        "运行状态", "安全等级",      "等级值k",          "备案状态",
        "备案编号", "备案日期",      "关键信息基础设施", "等级保护级别",
        "上线日期", "业务/应用范围", "服务范围",         "用户类型"};
    enum { NH = sizeof head / sizeof head[0] };
    static const bool numeric[NH] = {[5] = true, [6] = true, [11] = true};
    rc = xlsxw_sheet(w, "网络单元", head, NH);
    int row;
    long long n = 0;
    while (!rc && !(rc = db_step(s, &row)) && row) {
        if (++n > export_max_rows()) {
            rc = errf(ERR_VALIDATION, "format", "超过导出上限 %lld 行，请缩小筛选范围",
                      export_max_rows());
            break;
        }
        json_t *u = unit_row_json(s), *g = json_object_get(u, "grading");
        char level[8] = "", k[8] = "", mlps[8] = "";
        if (json_is_integer(json_object_get(u, "level")))
            snprintf(level, sizeof level, "%lld", json_integer_value(json_object_get(u, "level")));
        if (json_is_object(g))
            snprintf(k, sizeof k, "%.1f", json_number_value(json_object_get(g, "k")));
        json_t *ml = json_object_get(json_object_get(u, "mlps"), "level");
        if (json_is_integer(ml))
            snprintf(mlps, sizeof mlps, "%lld", json_integer_value(ml));
        json_t *f = json_object_get(u, "filing");
        const char *cells[NH] = {
            json_str(u, "id"),
            json_str(u, "org_name"),
            json_str(u, "name"),
            json_str(u, "unit_type_name"),
            json_str(u, "status_name"),
            level,
            k,
            json_str(f, "status_name"),
            json_str(f, "number") ? json_str(f, "number") : "",
            json_str(f, "filed_at") ? json_str(f, "filed_at") : "",
            json_is_true(json_object_get(json_object_get(u, "cii"), "flag")) ? "是" : "否",
            mlps,
            json_str(u, "online_date") ? json_str(u, "online_date") : "",
            json_str(u, "business_scope"),
            json_str(u, "service_scope"),
            json_str(u, "user_types")};
        rc = xlsxw_row_typed(w, cells, numeric, NH);
        json_decref(u);
    }
    db_done(s);
    char *bytes;
    size_t len;
    if (rc) {
        xlsxw_free(w);
        return rc;
    }
    if ((rc = xlsxw_finish(w, &bytes, &len)))
        return rc;
    char day[11], name[64];
    date_format(date_today_shanghai(), day);
    snprintf(name, sizeof name, "网络单元-%s.xlsx", day);
    reply_file(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, bytes,
               len);
    free(bytes);
    return ERR_OK;
}

/* 备案审核 as the console lists it; 已等待 in days, counted for every filing. */
static const struct export_col filing_cols[] = {
    {"unit_name", "网络单元", NULL},    {"org_name", "运行单位", NULL},
    {"province_name", "省份", NULL},    {"kind_name", "类型", NULL},
    {"submitted_at", "提交时间", NULL}, {"age_days", "已等待（天）", NULL},
    {"status_name", "状态", NULL},      {NULL, NULL, NULL},
};

/* The units stream through their own export (all columns of the unit, no pages of JSON). */
const struct list_export unit_exports[] = {
    {"/api/v1/units", "网络单元", NULL, export_h, NULL},
    {"/api/v1/filings", "备案", filing_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route unit_routes[] = {
    {"POST", "/api/v1/units/import", import_h, R_UPLOAD},
    {"GET", "/api/v1/units/import-template", template_h, 0},
    {"GET", "/api/v1/units/export", export_h, 0},
    {"GET", "/api/v1/unit-types", types_h, 0},
    {"GET", "/api/v1/grading/compute", grade_compute, 0},
    {"GET", "/api/v1/units", units_list, 0},
    {"POST", "/api/v1/units", unit_create_h, 0},
    {"GET", "/api/v1/units/stats", units_stats, 0},
    {"GET", "/api/v1/units/:id", unit_get, 0},
    {"PATCH", "/api/v1/units/:id", unit_update_h, 0},
    {"POST", "/api/v1/units/:id/grading", unit_grade_h, 0},
    {"GET", "/api/v1/units/:id/gradings", unit_gradings, 0},
    {"POST", "/api/v1/units/:id/submit", unit_submit_h, 0},
    {"POST", "/api/v1/units/:id/retire", unit_retire_h, 0},
    {"GET", "/api/v1/units/:id/filings", unit_filings, 0},
    {"PUT", "/api/v1/units/:id/mlps", unit_mlps_h, 0},
    {"POST", "/api/v1/units/:id/mlps-assessments", unit_mlps_assess_h, 0},
    {"PUT", "/api/v1/units/:id/cii", unit_cii_h, 0},
    {"POST", "/api/v1/units/:id/assets", asset_add_h, 0},
    {"DELETE", "/api/v1/units/:id/assets/:aid", asset_delete_h, 0},
    {"GET", "/api/v1/filings", filings_list, 0},
    {"GET", "/api/v1/filings/:id", filing_get, 0},
    {"POST", "/api/v1/filings/:id/approve", filing_approve_h, 0},
    {"POST", "/api/v1/filings/:id/return", filing_return_h, 0},
    {NULL, NULL, NULL, 0},
};
