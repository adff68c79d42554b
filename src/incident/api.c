/* HTTP: incidents (网络安全事件) with their reports, timeline and 总结报告, the R5 grade helper,
 * emergency plans (应急预案) with versions, and drills (演练) with rectification items. Operators
 * write for their tree; regulators read within their jurisdiction, and see an incident once it
 * has been reported; anything outside the scope is 404. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/upload.h"
#include "audit/audit.h"
#include "http/export.h"
#include "http/http.h"
#include "incident.h"
#include "org/org.h"
#include "report/report.h"
#include "rules.h"
#include "store/store.h"

static const char DOCX_TYPE[] =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/* Operators (within their tree) and system administrators write; regulators and auditors read. */
static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有运行单位人员可以维护事件、预案和演练记录");
}

/* The organisation named by a body's org_id: visible to the caller and an operator. */
static enum err target_org(struct request *r, json_t *in, long long *org)
{
    char kind[32];
    *org = id_parse(json_str(in, "org_id"));
    if (*org <= 0 || scope_check_org(r, *org) || org_kind_of(r->db, *org, kind))
        return errf(ERR_NOT_FOUND, "org_id", "所属单位不存在");
    const struct org_kind *k = org_kind_find(kind);
    if (!k || k->regulator)
        return errf(ERR_VALIDATION, "org_id", "所属单位应为网络运行单位，不能是电信主管部门");
    return ERR_OK;
}

/* A file named by the body (field file_id), visible to the caller; NULL when not named. */
static enum err body_file(struct request *r, json_t *in, struct file_meta *m,
                          const struct file_meta **out)
{
    const char *id = json_str(in, "file_id");
    *out = NULL;
    if (!id)
        return ERR_OK;
    if (file_find_visible(r, id, m))
        return errf(ERR_NOT_FOUND, "file_id", "文件不存在");
    *out = m;
    return ERR_OK;
}

static void bind_id_query(struct request *r, struct db_stmt *s, int idx, const char *name)
{
    const char *v = req_query(r, name);
    if (v && *v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static void bind_text_query(struct request *r, struct db_stmt *s, int idx, const char *name)
{
    const char *v = req_query(r, name);
    db_bind_text(s, idx, v && *v ? v : NULL);
}

/* ?year=YYYY as the bounds [from, to) of dates or times; none when absent. */
static enum err year_bounds(struct request *r, char from[11], char to[11], int *has)
{
    const char *y = req_query(r, "year");
    long long year = y && *y ? id_parse(y) : 0;
    *has = 0;
    if (!y || !*y)
        return ERR_OK;
    if (year < 1900 || year > 9998)
        return errf(ERR_VALIDATION, "year", "年份应为四位数字");
    date_format((struct date){(int)year, 1, 1}, from);
    date_format((struct date){(int)year + 1, 1, 1}, to);
    *has = 1;
    return ERR_OK;
}

/* ---- incidents ---- */

/* A regulator sees an incident of its jurisdiction once it has been reported. */
#define REPORTED " AND EXISTS (SELECT 1 FROM incident_reports rr WHERE rr.incident_id = i.id)"
#define INCIDENT_SCOPED(head, tail)                                                                \
    {                                                                                              \
        head SCOPE_PRED_ALL("i.org_id") tail, head SCOPE_PRED_TREE("i.org_id") tail,               \
            head SCOPE_PRED_JURIS("i.org_id") REPORTED tail                                        \
    }
#define INCIDENT_FILTERS                                                                           \
    " AND (CAST($2 AS BIGINT) IS NULL OR i.org_id = $2)"                                           \
    " AND (CAST($3 AS TEXT) IS NULL OR i.status = $3)"                                             \
    " AND (CAST($4 AS TEXT) IS NULL OR i.grade = $4)"                                              \
    " AND (CAST($5 AS TEXT) IS NULL OR i.detected_at >= $5)"                                       \
    " AND (CAST($6 AS TEXT) IS NULL OR i.detected_at < $6)"                                        \
    " AND (CAST($7 AS TEXT) IS NULL OR i.title LIKE $7)"

static const char *const SQL_INCIDENTS[3] = INCIDENT_SCOPED(
    INCIDENT_COLS "WHERE ", INCIDENT_FILTERS " ORDER BY i.detected_at DESC, i.id DESC LIMIT $8 "
                                             "OFFSET $9");
static const char *const SQL_INCIDENTS_COUNT[3] =
    INCIDENT_SCOPED("SELECT COUNT(*) FROM incidents i WHERE ", INCIDENT_FILTERS);

static enum err incidents_list(struct request *r)
{
    long long limit, offset, total = 0;
    char from[11], to[11];
    int has_year;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = year_bounds(r, from, to, &has_year)))
        return rc;
    const char *q = req_query(r, "q");
    json_t *items = json_array();
    time_t now = time(NULL);
    for (int pass = 0; pass < 2 && !rc; pass++) {
        struct db_stmt *s;
        if ((rc = db_prepare(
                 r->db, scope_sql(&r->caller, pass ? SQL_INCIDENTS : SQL_INCIDENTS_COUNT), &s)))
            break;
        scope_bind(s, &r->caller);
        bind_id_query(r, s, 2, "org_id");
        bind_text_query(r, s, 3, "status");
        bind_text_query(r, s, 4, "grade");
        db_bind_text(s, 5, has_year ? from : NULL);
        db_bind_text(s, 6, has_year ? to : NULL);
        db_bind_text(s, 7, q && *q ? arena_printf(&r->arena, "%%%s%%", q) : NULL);
        if (!pass) {
            rc = db_scalar_int(s, 0, &total);
            continue;
        }
        db_bind_int(s, 8, limit);
        db_bind_int(s, 9, offset);
        int row;
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(items, incident_row_json(s, now));
        db_done(s);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static enum err visible_incident(struct request *r, long long *id, long long *org)
{
    int reported = 0;
    enum err rc = req_param_id(r, 0, id);
    if (!rc && !(rc = incident_org(r->db, *id, org, &reported)) &&
        !(rc = scope_check_org(r, *org)) && scope_mode(&r->caller) == SCOPE_JURIS && !reported)
        rc = ERR_NOT_FOUND;
    return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "事件不存在") : rc;
}

static enum err writable_incident(struct request *r, long long *id, long long *org)
{
    enum err rc = visible_incident(r, id, org);
    return rc ? rc : may_write(r);
}

static enum err reply_incident(struct request *r, long long id, int status)
{
    json_t *j;
    enum err rc = incident_json(r->db, id, time(NULL), &j);
    if (!rc)
        reply_json(r, status, j);
    return rc;
}

static enum err incident_get(struct request *r)
{
    long long id, org;
    enum err rc = visible_incident(r, &id, &org);
    return rc ? rc : reply_incident(r, id, 200);
}

#define INCIDENT_FIELDS(req)                                                                       \
    {"title", JT_STRING, req, 200, 0, 0, "事件名称"},                                              \
        {"category", JT_STRING, req, 32, 0, 0, "事件类别"},                                        \
        {"grade", JT_STRING, req, 32, 0, 0, "事件级别"},                                           \
        {"detected_at", JT_TIME, req, 40, 0, 0, "事件发现时间"},                                   \
        {"response_started_at", JT_TIME, 0, 40, 0, 0, "应急响应启动时间"},                         \
        {"response_ended_at", JT_TIME, 0, 40, 0, 0, "应急响应结束时间"},                           \
        {"cii", JT_BOOL, 0, 0, 0, 0, "是否涉及关键信息基础设施"},                                  \
        {"unit_ids", JT_ARRAY, 0, 100, 0, 0, "受影响的网络单元"},                                  \
        {"orgs_affected", JT_STRING, 0, 4000, 0, 0, "受影响的单位"},                               \
        {"description", JT_STRING, 0, 20000, 0, 0, "事件概况"},                                    \
        {"discovery", JT_STRING, 0, 20000, 0, 0, "发现经过"},                                      \
        {"impact", JT_STRING, 0, 20000, 0, 0, "影响范围"},                                         \
        {"measures", JT_STRING, 0, 20000, 0, 0, "处置过程与措施"},                                 \
        {"cause", JT_STRING, 0, 20000, 0, 0, "原因分析"},                                          \
        {"rectification", JT_STRING, 0, 20000, 0, 0, "整改措施"},                                  \
        {"status", JT_STRING, 2, 16, 0, 0, "状态"},                                                \
        {"pi_leaked", JT_INT, 0, 0, 0, 10000000000000LL, "个人信息泄露用户数"},                    \
        {"users_affected", JT_INT, 0, 0, 0, 10000000000000LL, "受影响用户数"},                     \
        {"outage_scope", JT_STRING, 0, 32, 0, 0, "断网范围"},                                      \
    {                                                                                              \
        "outage_hours", JT_INT, 0, 0, 0, 1000000, "中断时长（小时）"                       \
    }

static const struct jfield NEW_INCIDENT[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "所属单位"},
    INCIDENT_FIELDS(1),
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_INCIDENT[] = {
    INCIDENT_FIELDS(2),
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err incident_create_h(struct request *r)
{
    json_t *in;
    long long org, id;
    enum err rc = may_write(r);
    if (rc || (rc = req_json(r, NEW_INCIDENT, &in)) || (rc = target_org(r, in, &org)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = incident_create(r->db, &ax, org, in, &id)))
        return rc;
    return reply_incident(r, id, 201);
}

static enum err incident_update_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_incident(r, &id, &org);
    if (rc || (rc = req_json(r, PATCH_INCIDENT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = incident_update(r->db, &ax, id, in)))
        return rc;
    return reply_incident(r, id, 200);
}

static const struct jfield REPORT[] = {
    {"kind", JT_STRING, 1, 16, 0, 0, "报告类型"},
    {"recipient", JT_STRING, 1, 16, 0, 0, "报告对象"},
    {"recipient_name", JT_STRING, 0, 200, 0, 0, "报告对象名称"},
    {"sent_at", JT_TIME, 1, 40, 0, 0, "报告时间"},
    {"method", JT_STRING, 1, 16, 0, 0, "报告方式"},
    {"file_id", JT_STRING, 0, 64, 0, 0, "附件"},
    {"note", JT_STRING, 0, 4000, 0, 0, "说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err report_add_h(struct request *r)
{
    long long id, org, rid;
    json_t *in;
    struct file_meta m;
    const struct file_meta *file;
    enum err rc = writable_incident(r, &id, &org);
    if (rc || (rc = req_json(r, REPORT, &in)) || (rc = body_file(r, in, &m, &file)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = incident_report_add(r->db, &ax, id, in, file, &rid)))
        return rc;
    return reply_incident(r, id, 201);
}

static enum err report_delete_h(struct request *r)
{
    long long id, org, rid;
    enum err rc = writable_incident(r, &id, &org);
    if (rc || (rc = req_param_id(r, 1, &rid)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = incident_report_delete(r->db, &ax, id, rid)))
        return rc;
    return reply_incident(r, id, 200);
}

static enum err timeline_h(struct request *r)
{
    long long id, org;
    json_t *items;
    enum err rc = visible_incident(r, &id, &org);
    if (rc || (rc = incident_timeline(r->db, id, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static enum err summary_report(struct request *r, int pdf)
{
    long long id, org;
    struct doc *d = NULL;
    char *name = NULL, *bytes = NULL, *file = NULL;
    size_t len;
    enum err rc = visible_incident(r, &id, &org);
    if (rc || (rc = incident_summary_doc(r->db, id, &d, &name)))
        return rc;
    rc = pdf ? doc_to_pdf(d, &bytes, &len) : doc_to_docx(d, &bytes, &len);
    if (!rc) {
        if (asprintf(&file, "%s.%s", name, pdf ? "pdf" : "docx") < 0)
            die_oom();
        reply_file(r, pdf ? "application/pdf" : DOCX_TYPE, file, bytes, len);
    }
    free(file);
    free(bytes);
    free(name);
    doc_free(d);
    return rc;
}

static enum err summary_docx(struct request *r)
{
    return summary_report(r, 0);
}

static enum err summary_pdf(struct request *r)
{
    return summary_report(r, 1);
}

/* GET …/grade-suggestion?pi_leaked=&users_affected=&outage_scope=&outage_hours= (R5 helper). */
static enum err suggestion_h(struct request *r)
{
    struct incident_facts f = {0, 0, OUTAGE_NONE, 0};
    static const char *const nums[] = {"pi_leaked", "users_affected", "outage_hours"};
    long long vals[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        const char *q = req_query(r, nums[k]);
        if (q && *q && (vals[k] = id_parse(q)) < 0)
            return errf(ERR_VALIDATION, nums[k], "%s 应为非负整数", nums[k]);
    }
    if (vals[2] > 1000000)
        return errf(ERR_VALIDATION, "outage_hours", "中断时长过大");
    f.pi_leaked = vals[0];
    f.users_affected = vals[1];
    f.outage_hours = (int)vals[2];
    const char *scope = req_query(r, "outage_scope");
    if (scope && *scope && outage_scope_parse(scope, &f.outage))
        return errf(ERR_VALIDATION, "outage_scope",
                    "断网范围应为 national、multi_province、province、city 或 none");
    const struct incident_ruleset *rs = incident_ruleset_default();
    struct incident_suggestion s;
    enum err rc = incident_suggest_grade(rs, &f, &s);
    if (rc)
        return rc;
#define GRADE_OR_NULL(g) ((g) ? json_string(incident_grade_code(g)) : json_null())
    reply_json(r, 200,
               json_pack("{s:o,s:s,s:o,s:o,s:s,s:s}", "grade", GRADE_OR_NULL(s.grade), "grade_name",
                         s.grade ? incident_grade_name(s.grade) : "未达到一般事件标准",
                         "by_pi_leaked", GRADE_OR_NULL(s.by_pi), "by_outage",
                         GRADE_OR_NULL(s.by_outage), "ruleset", rs->version, "source", rs->source));
#undef GRADE_OR_NULL
    return ERR_OK;
}

/* The rule set and the code lists, for forms. */
static enum err rules_h(struct request *r)
{
    const struct incident_ruleset *rs = incident_ruleset_default();
    json_t *grades = json_array(), *pi = json_array(), *scopes = json_array(), *cats = json_array(),
           *recipients = json_array(), *outage_min = json_array();
    for (int g = INCIDENT_ESPECIALLY_MAJOR; g >= INCIDENT_GENERAL; g--)
        json_array_append_new(grades, json_pack("{s:s,s:s}", "code", incident_grade_code(g), "name",
                                                incident_grade_name(g)));
    for (int n = 0; n < 4; n++) {
        json_array_append_new(pi, json_integer(rs->pi_leaked_min[n]));
        json_array_append_new(outage_min, json_string(outage_scope_code(rs->outage_scope_min[n])));
    }
    for (int s = OUTAGE_NATIONAL; s >= OUTAGE_NONE; s--)
        json_array_append_new(scopes, json_pack("{s:s,s:s}", "code", outage_scope_code(s), "name",
                                                outage_scope_name(s)));
    size_t n;
    const struct incident_category *c = incident_categories(&n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(cats, json_pack("{s:s,s:s}", "code", c[i].code, "name", c[i].name));
    for (int k = 0; k < RECIPIENT__COUNT; k++)
        json_array_append_new(recipients, json_pack("{s:s,s:s}", "code", incident_recipient_code(k),
                                                    "name", incident_recipient_name(k)));
    char from[11];
    date_format(rs->cac_from, from);
    json_t *ruleset = json_pack(
        "{s:s,s:s,s:o,s:o,s:I,s:i,s:s,s:i,s:s,s:i,s:i,s:s,s:i}", "version", rs->version, "source",
        rs->source, "pi_leaked_min", pi, "outage_scope_min", outage_min, "outage_users_min",
        (json_int_t)rs->outage_users_min, "outage_hours_min", rs->outage_hours_min,
        "miit_min_grade", incident_grade_code(rs->miit_min_grade), "report_minutes",
        rs->report_minutes, "cac_min_grade", incident_grade_code(rs->cac_min_grade), "cac_minutes",
        rs->cac_minutes, "cac_cii_minutes", rs->cac_cii_minutes, "cac_from", from,
        "summary_workdays", rs->summary_workdays);
    reply_json(r, 200,
               json_pack("{s:o,s:o,s:o,s:o,s:o}", "ruleset", ruleset, "grades", grades,
                         "categories", cats, "outage_scopes", scopes, "recipients", recipients));
    return ERR_OK;
}

/* GET /api/v1/incidents/stats?org_id=&year=: what the annual report quotes (附件5 “五”). The
 * counts include incidents not yet reported, so regulators read them in the reports instead. */
static enum err stats_h(struct request *r)
{
    const char *o = req_query(r, "org_id"), *y = req_query(r, "year");
    long long org = o ? id_parse(o) : -1, year = y ? id_parse(y) : -1;
    if (role_is_regulator(r->caller.role))
        return errf(ERR_FORBIDDEN, NULL,
                    "统计含未报告的事件，监管人员请查看运行单位报送的年度报告");
    if (org <= 0 || scope_check_org(r, org))
        return errf(ERR_NOT_FOUND, "org_id", "所属单位不存在");
    if (year < 1900 || year > 9998)
        return errf(ERR_VALIDATION, "year", "年份应为四位数字");
    struct incident_year_counts c;
    int major;
    struct date today = date_today_shanghai();
    enum err rc = incident_year_counts(r->db, org, (int)year, &c);
    if (rc || (rc = incident_major_in_last_3_years(r->db, org, today, &major)))
        return rc;
    reply_json(r, 200,
               json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "org_id", o, "year",
                         (int)year, "plans", c.plans, "plans_revised", c.plans_revised, "drills",
                         c.drills, "drill_items", c.drill_items, "drill_items_open",
                         c.drill_items_open, "incidents", c.incidents, "incidents_reported",
                         c.incidents_reported, "major_in_last_3_years", major));
    return ERR_OK;
}

/* ---- plans ---- */

/* Ids of a scoped list, collected before the records are built (one statement at a time). */
static enum err scoped_ids(struct request *r, const char *const count_sql[3],
                           const char *const ids_sql[3], int n_filters,
                           void (*bind)(struct request *, struct db_stmt *), long long **ids,
                           size_t *n, long long *total)
{
    long long limit, offset;
    enum err rc = req_page(r, &limit, &offset);
    struct db_stmt *s;
    *ids = NULL;
    *n = 0;
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, count_sql), &s)))
        return rc;
    scope_bind(s, &r->caller);
    bind(r, s);
    if ((rc = db_scalar_int(s, 0, total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, ids_sql), &s)))
        return rc;
    scope_bind(s, &r->caller);
    bind(r, s);
    db_bind_int(s, 2 + n_filters, limit);
    db_bind_int(s, 3 + n_filters, offset);
    *ids = arena_alloc(&r->arena, (size_t)limit * sizeof **ids);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        (*ids)[(*n)++] = db_int(s, 0);
    db_done(s);
    return rc;
}

static enum err reply_records(struct request *r, long long *ids, size_t n, long long total,
                              enum err (*json_of)(struct db *, long long, json_t **))
{
    json_t *items = json_array(), *j;
    for (size_t i = 0; i < n; i++) {
        enum err rc = json_of(r->db, ids[i], &j);
        if (rc) {
            json_decref(items);
            return rc;
        }
        json_array_append_new(items, j);
    }
    reply_list(r, items, total);
    return ERR_OK;
}

#define PLAN_FILTERS " AND (CAST($2 AS BIGINT) IS NULL OR p.org_id = $2)"
static const char *const SQL_PLANS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM emergency_plans p WHERE ", "p.org_id", PLAN_FILTERS);
static const char *const SQL_PLAN_IDS[3] =
    SCOPED("SELECT p.id FROM emergency_plans p WHERE ", "p.org_id",
           PLAN_FILTERS " ORDER BY p.id DESC LIMIT $3 OFFSET $4");

static void bind_plan_filters(struct request *r, struct db_stmt *s)
{
    bind_id_query(r, s, 2, "org_id");
}

static enum err plans_list(struct request *r)
{
    long long *ids, total;
    size_t n;
    enum err rc =
        scoped_ids(r, SQL_PLANS_COUNT, SQL_PLAN_IDS, 1, bind_plan_filters, &ids, &n, &total);
    return rc ? rc : reply_records(r, ids, n, total, plan_json);
}

static enum err visible_plan(struct request *r, long long *id, long long *org)
{
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = plan_org(r->db, *id, org)) || (rc = scope_check_org(r, *org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "应急预案不存在") : rc;
    return ERR_OK;
}

static enum err writable_plan(struct request *r, long long *id, long long *org)
{
    enum err rc = visible_plan(r, id, org);
    return rc ? rc : may_write(r);
}

static enum err reply_plan(struct request *r, long long id, int status)
{
    json_t *j;
    enum err rc = plan_json(r->db, id, &j);
    if (!rc)
        reply_json(r, status, j);
    return rc;
}

static enum err plan_get(struct request *r)
{
    long long id, org;
    enum err rc = visible_plan(r, &id, &org);
    return rc ? rc : reply_plan(r, id, 200);
}

static const struct jfield NEW_PLAN[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "所属单位"},
    {"title", JT_STRING, 1, 200, 0, 0, "预案名称"},
    {"scope", JT_STRING, 0, 4000, 0, 0, "适用范围"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_PLAN[] = {
    {"title", JT_STRING, 2, 200, 0, 0, "预案名称"},
    {"scope", JT_STRING, 0, 4000, 0, 0, "适用范围"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err plan_create_h(struct request *r)
{
    json_t *in;
    long long org, id;
    enum err rc = may_write(r);
    if (rc || (rc = req_json(r, NEW_PLAN, &in)) || (rc = target_org(r, in, &org)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = plan_create(r->db, &ax, org, in, &id)) ? rc : reply_plan(r, id, 201);
}

static enum err plan_update_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_plan(r, &id, &org);
    if (rc || (rc = req_json(r, PATCH_PLAN, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = plan_update(r->db, &ax, id, in)) ? rc : reply_plan(r, id, 200);
}

static const struct jfield NEW_VERSION[] = {
    {"version", JT_STRING, 1, 64, 0, 0, "版本号"},
    {"approved_on", JT_DATE, 0, 10, 0, 0, "批准日期"},
    {"file_id", JT_STRING, 0, 64, 0, 0, "预案文件"},
    {"notes", JT_STRING, 0, 4000, 0, 0, "修订说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_VERSION[] = {
    {"approved_on", JT_DATE, 0, 10, 0, 0, "批准日期"},
    {"file_id", JT_STRING, 0, 64, 0, 0, "预案文件"},
    {"notes", JT_STRING, 0, 4000, 0, 0, "修订说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err version_add_h(struct request *r)
{
    long long id, org, vid;
    json_t *in;
    struct file_meta m;
    const struct file_meta *file;
    enum err rc = writable_plan(r, &id, &org);
    if (rc || (rc = req_json(r, NEW_VERSION, &in)) || (rc = body_file(r, in, &m, &file)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = plan_version_add(r->db, &ax, id, in, file, &vid)) ? rc : reply_plan(r, id, 201);
}

static enum err version_update_h(struct request *r)
{
    long long id, org, vid;
    json_t *in;
    struct file_meta m;
    const struct file_meta *file;
    enum err rc = writable_plan(r, &id, &org);
    if (rc || (rc = req_param_id(r, 1, &vid)) || (rc = req_json(r, PATCH_VERSION, &in)) ||
        (rc = body_file(r, in, &m, &file)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = plan_version_update(r->db, &ax, id, vid, in, json_has(in, "file_id"), file)))
        return rc;
    return reply_plan(r, id, 200);
}

/* ---- drills ---- */

#define DRILL_FILTERS                                                                              \
    " AND (CAST($2 AS BIGINT) IS NULL OR d.org_id = $2)"                                           \
    " AND (CAST($3 AS BIGINT) IS NULL OR d.plan_id = $3)"                                          \
    " AND (CAST($4 AS TEXT) IS NULL OR d.drill_date >= $4)"                                        \
    " AND (CAST($5 AS TEXT) IS NULL OR d.drill_date < $5)"
static const char *const SQL_DRILLS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM drills d WHERE ", "d.org_id", DRILL_FILTERS);
static const char *const SQL_DRILL_IDS[3] =
    SCOPED("SELECT d.id FROM drills d WHERE ", "d.org_id",
           DRILL_FILTERS " ORDER BY d.drill_date DESC, d.id DESC LIMIT $6 OFFSET $7");

static void bind_drill_filters(struct request *r, struct db_stmt *s)
{
    char from[11], to[11];
    int has;
    bind_id_query(r, s, 2, "org_id");
    bind_id_query(r, s, 3, "plan_id");
    if (year_bounds(r, from, to, &has) || !has) {
        db_bind_null(s, 4);
        db_bind_null(s, 5);
        return;
    }
    db_bind_text(s, 4, from);
    db_bind_text(s, 5, to);
}

static enum err drills_list(struct request *r)
{
    long long *ids, total;
    size_t n;
    char from[11], to[11];
    int has;
    enum err rc = year_bounds(r, from, to, &has);
    if (rc || (rc = scoped_ids(r, SQL_DRILLS_COUNT, SQL_DRILL_IDS, 4, bind_drill_filters, &ids, &n,
                               &total)))
        return rc;
    return reply_records(r, ids, n, total, drill_json);
}

static enum err visible_drill(struct request *r, long long *id, long long *org)
{
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = drill_org(r->db, *id, org)) || (rc = scope_check_org(r, *org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "演练记录不存在") : rc;
    return ERR_OK;
}

static enum err writable_drill(struct request *r, long long *id, long long *org)
{
    enum err rc = visible_drill(r, id, org);
    return rc ? rc : may_write(r);
}

static enum err reply_drill(struct request *r, long long id, int status)
{
    json_t *j;
    enum err rc = drill_json(r->db, id, &j);
    if (!rc)
        reply_json(r, status, j);
    return rc;
}

static enum err drill_get(struct request *r)
{
    long long id, org;
    enum err rc = visible_drill(r, &id, &org);
    return rc ? rc : reply_drill(r, id, 200);
}

#define DRILL_FIELDS(req)                                                                          \
    {"drill_date", JT_DATE, req, 10, 0, 0, "演练日期"},                                            \
        {"scenario", JT_STRING, req, 2000, 0, 0, "演练场景"},                                      \
        {"plan_id", JT_ID, 0, 20, 0, 0, "应急预案"},                                               \
        {"plan_version_id", JT_ID, 0, 20, 0, 0, "预案版本"},                                       \
        {"participants", JT_ARRAY, 0, 200, 0, 0, "参演人员"},                                      \
    {                                                                                              \
        "findings", JT_STRING, 0, 20000, 0, 0, "发现的问题"                                   \
    }

static const struct jfield NEW_DRILL[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "所属单位"},
    DRILL_FIELDS(1),
    {"items", JT_ARRAY, 0, 200, 0, 0, "整改项"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_DRILL[] = {
    DRILL_FIELDS(2),
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err drill_create_h(struct request *r)
{
    json_t *in;
    long long org, id;
    enum err rc = may_write(r);
    if (rc || (rc = req_json(r, NEW_DRILL, &in)) || (rc = target_org(r, in, &org)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = drill_create(r->db, &ax, org, in, &id)) ? rc : reply_drill(r, id, 201);
}

static enum err drill_update_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_drill(r, &id, &org);
    if (rc || (rc = req_json(r, PATCH_DRILL, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = drill_update(r->db, &ax, id, in)) ? rc : reply_drill(r, id, 200);
}

static const struct jfield ITEM[] = {
    {"description", JT_STRING, 1, 2000, 0, 0, "整改内容"},
    {"owner", JT_STRING, 1, 200, 0, 0, "责任人"},
    {"due_date", JT_DATE, 1, 10, 0, 0, "整改期限"},
    {"status", JT_STRING, 2, 8, 0, 0, "整改状态"},
    {"done_on", JT_DATE, 0, 10, 0, 0, "完成日期"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_ITEM[] = {
    {"description", JT_STRING, 2, 2000, 0, 0, "整改内容"},
    {"owner", JT_STRING, 2, 200, 0, 0, "责任人"},
    {"due_date", JT_DATE, 2, 10, 0, 0, "整改期限"},
    {"status", JT_STRING, 2, 8, 0, 0, "整改状态"},
    {"done_on", JT_DATE, 0, 10, 0, 0, "完成日期"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err item_add_h(struct request *r)
{
    long long id, org, item;
    json_t *in;
    enum err rc = writable_drill(r, &id, &org);
    if (rc || (rc = req_json(r, ITEM, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = drill_item_add(r->db, &ax, id, in, &item)) ? rc : reply_drill(r, id, 201);
}

static enum err item_update_h(struct request *r)
{
    long long id, org, item;
    json_t *in;
    enum err rc = writable_drill(r, &id, &org);
    if (rc || (rc = req_param_id(r, 1, &item)) || (rc = req_json(r, PATCH_ITEM, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = drill_item_update(r->db, &ax, id, item, in)) ? rc : reply_drill(r, id, 200);
}

/* 导出 XLSX of the 事件应急 tabs, in the columns of their tables: the plan's 现行版本 as its
 * number and approval date, the drill's 应急预案 as the plan and its version. */
static const struct export_col incident_cols[] = {
    {"title", "事件名称", NULL},       {"org_name", "所属单位", NULL},
    {"category_name", "类别", NULL},   {"grade_name", "级别", NULL},
    {"detected_at", "发现时间", NULL}, {"report_status_name", "事件报告", NULL},
    {"status_name", "状态", NULL},     {NULL, NULL, NULL},
};

static const struct export_col plan_cols[] = {
    {"title", "预案名称", NULL},           {"org_name", "所属单位", NULL},
    {"current.version", "现行版本", NULL}, {"current.approved_on", "批准日期", NULL},
    {"scope", "适用范围", NULL},           {NULL, NULL, NULL},
};

static const struct export_col drill_cols[] = {
    {"drill_date", "演练日期", NULL},
    {"scenario", "演练场景", NULL},
    {"org_name", "所属单位", NULL},
    {"plan.title", "应急预案", NULL},
    {"plan_version.version", "预案版本", NULL},
    {"open_items", "未完成整改", NULL},
    {"items#", "整改项", NULL},
    {NULL, NULL, NULL},
};

const struct list_export incident_exports[] = {
    {"/api/v1/incidents", "网络安全事件", incident_cols, NULL, NULL},
    {"/api/v1/emergency-plans", "应急预案", plan_cols, NULL, NULL},
    {"/api/v1/drills", "应急演练", drill_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route incident_routes[] = {
    {"GET", "/api/v1/incidents/rules", rules_h, 0},
    {"GET", "/api/v1/incidents/grade-suggestion", suggestion_h, 0},
    {"GET", "/api/v1/incidents/stats", stats_h, 0},
    {"GET", "/api/v1/incidents", incidents_list, 0},
    {"POST", "/api/v1/incidents", incident_create_h, 0},
    {"GET", "/api/v1/incidents/:id", incident_get, 0},
    {"PATCH", "/api/v1/incidents/:id", incident_update_h, 0},
    {"POST", "/api/v1/incidents/:id/reports", report_add_h, 0},
    {"DELETE", "/api/v1/incidents/:id/reports/:rid", report_delete_h, 0},
    {"GET", "/api/v1/incidents/:id/timeline", timeline_h, 0},
    {"GET", "/api/v1/incidents/:id/summary-report.docx", summary_docx, 0},
    {"GET", "/api/v1/incidents/:id/summary-report.pdf", summary_pdf, 0},
    {"GET", "/api/v1/emergency-plans", plans_list, 0},
    {"POST", "/api/v1/emergency-plans", plan_create_h, 0},
    {"GET", "/api/v1/emergency-plans/:id", plan_get, 0},
    {"PATCH", "/api/v1/emergency-plans/:id", plan_update_h, 0},
    {"POST", "/api/v1/emergency-plans/:id/versions", version_add_h, 0},
    {"PATCH", "/api/v1/emergency-plans/:id/versions/:vid", version_update_h, 0},
    {"GET", "/api/v1/drills", drills_list, 0},
    {"POST", "/api/v1/drills", drill_create_h, 0},
    {"GET", "/api/v1/drills/:id", drill_get, 0},
    {"PATCH", "/api/v1/drills/:id", drill_update_h, 0},
    {"POST", "/api/v1/drills/:id/items", item_add_h, 0},
    {"PATCH", "/api/v1/drills/:id/items/:iid", item_update_h, 0},
    {NULL, NULL, NULL, 0},
};
