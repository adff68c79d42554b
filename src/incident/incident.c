/* Incidents (seed 000 §七, R5): validation, storage, the reports sent, the timeline, and the
 * reporting deadlines derived from the stored row (shared with the duty producers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "assess/upload.h"
#include "audit/audit.h"
#include "calendar/calendar.h"
#include "duty/duty.h"
#include "incident.h"
#include "internal.h"
#include "json.h"
#include "org/rules.h"
#include "store/store.h"
#include "timeutil.h"

/* Clocks of clients and servers disagree a little: a time this far ahead still counts as now. */
enum { CLOCK_SLACK = 300 };

static const struct incident_ruleset *ruleset(void)
{
    return incident_ruleset_default();
}

struct date incident_day_of(time_t t)
{
    char iso[40];
    struct date d = {1970, 1, 1};
    time_iso(t, iso);
    iso[10] = '\0';
    if (date_parse(iso, &d))
        d = (struct date){1970, 1, 1};
    return d;
}

time_t incident_time(const char *iso)
{
    time_t t;
    if (!iso || time_parse_iso(iso, &t))
        return 0;
    return t;
}

void incident_time_chinese(const char *iso, char *out, size_t n)
{
    int y, mo, d, h, mi;
    char norm[40];
    time_t t = incident_time(iso);
    out[0] = '\0';
    if (!t)
        return;
    time_iso(t, norm);
    if (sscanf(norm, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) == 5)
        snprintf(out, n, "%d年%d月%d日%d时%02d分", y, mo, d, h, mi);
}

enum err incident_exec_id(struct db *db, const char *sql, long long id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

enum err incident_hold_file(struct db *db, const struct audit_ctx *ax, long long org_id,
                            const struct file_meta *file)
{
    struct file_meta m = *file;
    m.org_id = org_id;
    json_t *out = NULL;
    int created;
    enum err rc = file_record(db, ax, &m, &out, &created);
    json_decref(out);
    return rc;
}

/* ---- deadlines ---- */

/* The recipient's name with the organisation's province: 属地通信管理局（福建省通信管理局）. */
static void recipient_name(enum incident_recipient r, const char *province, char *out, size_t n)
{
    const char *prov = province_name(province);
    if (r == RECIPIENT_LOCAL_CA && prov)
        snprintf(out, n, "%s（%s通信管理局）", incident_recipient_name(r), prov);
    else if (r == RECIPIENT_CAC && prov)
        snprintf(out, n, "%s（%s）", incident_recipient_name(r), prov);
    else
        snprintf(out, n, "%s", incident_recipient_name(r));
}

static void mark_done(struct incident_deadline *d, const char *sent_at)
{
    d->done_at = incident_time(sent_at);
    if (d->done_at)
        d->done_on = incident_day_of(d->done_at);
}

void incident_deadlines_of_row(struct db_stmt *s, struct incident_deadlines *out)
{
    const struct incident_ruleset *rs = ruleset();
    memset(out, 0, sizeof *out);
    enum incident_grade g = incident_grade_parse(db_text(s, IC_GRADE));
    const char *province = db_text(s, IC_PROVINCE);
    time_t detected = incident_time(db_text(s, IC_DETECTED));
    int cii = (int)db_int(s, IC_CII);

    /* 331号 §七: 立即报告 — 重大及以上报部网络安全管理局，较大、一般报属地通信管理局 */
    struct incident_deadline *d = &out->report;
    d->required = 1;
    d->recipient = incident_report_recipient(rs, g);
    recipient_name(d->recipient, province, d->recipient_name, sizeof d->recipient_name);
    d->minutes = rs->report_minutes;
    d->due_at = incident_report_due(rs, detected);
    d->due = incident_day_of(d->due_at);
    d->has_due = 1;
    mark_done(d, db_text(s, d->recipient == RECIPIENT_MIIT ? IC_REP_MIIT : IC_REP_LOCAL));

    /* 网信部门事件报告规定: 较大及以上 4 小时内，涉及关键信息基础设施 1 小时内 */
    d = &out->cac;
    d->recipient = RECIPIENT_CAC;
    recipient_name(d->recipient, province, d->recipient_name, sizeof d->recipient_name);
    d->minutes = incident_cac_minutes(rs, g, cii, incident_day_of(detected));
    if (d->minutes) {
        d->required = 1;
        d->due_at = detected + (time_t)d->minutes * 60;
        d->due = incident_day_of(d->due_at);
        d->has_due = 1;
        mark_done(d, db_text(s, IC_REP_CAC));
    }

    /* 331号 §七: 应急响应结束后十个工作日内将总结报告报电信主管部门 (R6 working days) */
    d = &out->summary;
    d->required = 1;
    d->recipient = out->report.recipient;
    recipient_name(d->recipient, province, d->recipient_name, sizeof d->recipient_name);
    time_t ended = incident_time(db_text(s, IC_END));
    if (ended) {
        if (!calendar_add_workdays(incident_day_of(ended), rs->summary_workdays, &d->due))
            d->has_due = 1;
        else
            snprintf(d->error, sizeof d->error, "无法计算总结报告期限：%.400s", err_last()->msg);
    }
    mark_done(d, db_text(s, IC_REP_SUMMARY));
}

static const char *deadline_state(const struct incident_deadline *d, time_t now)
{
    if (!d->minutes) { /* the summary, date-based */
        if (!d->has_due)
            return d->done_at ? "done" : d->error[0] ? "error" : "waiting";
        return incident_deadline_state_date(d->due, d->done_at ? &d->done_on : NULL,
                                            incident_day_of(now));
    }
    return incident_deadline_state(d->due_at, d->done_at, now);
}

static json_t *time_or_null(time_t t)
{
    char iso[40];
    if (!t)
        return json_null();
    time_iso(t, iso);
    return json_string(iso);
}

static json_t *deadline_json(const char *key, const char *title, const char *source,
                             const struct incident_deadline *d, time_t now)
{
    char within[96], due[11] = "";
    if (d->minutes && d->minutes % 60 == 0)
        snprintf(within, sizeof within, "发现后%d小时内", d->minutes / 60);
    else if (d->minutes)
        snprintf(within, sizeof within, "发现后%d分钟内", d->minutes);
    else
        snprintf(within, sizeof within, "应急响应结束后%d个工作日内", ruleset()->summary_workdays);
    if (d->has_due)
        date_format(d->due, due);
    const char *state = deadline_state(d, now);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:o,s:s,s:o}", "key", key, "title",
                     title, "recipient", incident_recipient_code(d->recipient), "recipient_name",
                     d->recipient_name, "within", within, "due_at",
                     d->minutes ? time_or_null(d->due_at) : json_null(), "due_date",
                     d->has_due ? json_string(due) : json_null(), "state", state, "state_name",
                     incident_deadline_state_name(state), "done_at", time_or_null(d->done_at),
                     "source", source, "error", d->error[0] ? json_string(d->error) : json_null());
}

/* ---- JSON ---- */

/* The free-text fields, in the order of their columns (IC_ORGS_AFFECTED …). */
static const char *const TEXT_KEYS[] = {"orgs_affected", "description", "discovery",    "impact",
                                        "measures",      "cause",       "rectification"};

static json_t *int_or_null(struct db_stmt *s, int col)
{
    return db_null(s, col) ? json_null() : json_integer(db_int(s, col));
}

json_t *incident_row_json(struct db_stmt *s, time_t now)
{
    char id[24], org[24];
    snprintf(id, sizeof id, "%lld", db_int(s, IC_ID));
    snprintf(org, sizeof org, "%lld", db_int(s, IC_ORG));
    enum incident_grade g = incident_grade_parse(db_text(s, IC_GRADE));
    enum incident_grade sg = incident_grade_parse(db_text(s, IC_SUGGESTED));
    const char *category = db_text(s, IC_CATEGORY), *status = db_text(s, IC_STATUS);
    const char *cat_name = incident_category_name(category),
               *st_name = incident_status_name(status);
    enum outage_scope scope = OUTAGE_NONE;
    if (!db_null(s, IC_SCOPE))
        outage_scope_parse(db_text(s, IC_SCOPE), &scope);
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "id", id, "org_id", org, "org_name",
        db_text(s, IC_ORG_NAME), "province", db_text(s, IC_PROVINCE), "title", db_text(s, IC_TITLE),
        "category", category, "category_name", cat_name ? cat_name : "", "grade",
        incident_grade_code(g), "grade_name", incident_grade_name(g), "suggested_grade",
        sg ? json_string(incident_grade_code(sg)) : json_null(), "suggested_grade_name",
        sg ? json_string(incident_grade_name(sg)) : json_null(), "grade_ruleset",
        db_text(s, IC_RULESET));
    json_object_set_new(
        j, "grade_inputs",
        json_pack("{s:o,s:o,s:o,s:o}", "pi_leaked", int_or_null(s, IC_PI), "users_affected",
                  int_or_null(s, IC_USERS), "outage_scope",
                  db_null(s, IC_SCOPE) ? json_null() : json_string(outage_scope_code(scope)),
                  "outage_hours", int_or_null(s, IC_HOURS)));
    for (int i = 0; i < 7; i++)
        json_object_set_new(j, TEXT_KEYS[i], json_string(db_text(s, IC_ORGS_AFFECTED + i)));
    json_object_set_new(j, "cii", json_boolean(db_int(s, IC_CII)));
    json_object_set_new(j, "detected_at", json_string(db_text(s, IC_DETECTED)));
    json_object_set_new(j, "response_started_at", json_str_or_null(db_text(s, IC_START)));
    json_object_set_new(j, "response_ended_at", json_str_or_null(db_text(s, IC_END)));
    json_object_set_new(j, "status", json_string(status));
    json_object_set_new(j, "status_name", json_string(st_name ? st_name : ""));
    json_object_set_new(j, "created_by", json_string(db_text(s, IC_CREATED_BY)));
    json_object_set_new(j, "created_at", json_string(db_text(s, IC_CREATED_AT)));
    json_object_set_new(j, "updated_at", json_string(db_text(s, IC_UPDATED_AT)));

    struct incident_deadlines dl;
    incident_deadlines_of_row(s, &dl);
    json_t *arr = json_array(), *warnings = json_array();
    json_array_append_new(
        arr, deadline_json("report", "事件报告", "工网安函〔2025〕331号 §七", &dl.report, now));
    if (dl.cac.required)
        json_array_append_new(arr, deadline_json("cac", "向网信部门报告",
                                                 "国家网络安全事件报告管理办法（2025-11-01 施行）",
                                                 &dl.cac, now));
    json_array_append_new(
        arr, deadline_json("summary", "总结报告", "工网安函〔2025〕331号 §七", &dl.summary, now));
    json_object_set_new(j, "deadlines", arr);
    const char *rstate = deadline_state(&dl.report, now);
    json_object_set_new(j, "report_recipient",
                        json_string(incident_recipient_code(dl.report.recipient)));
    json_object_set_new(j, "report_recipient_name", json_string(dl.report.recipient_name));
    json_object_set_new(j, "report_due_at", time_or_null(dl.report.due_at));
    json_object_set_new(j, "report_status", json_string(rstate));
    json_object_set_new(j, "report_status_name", json_string(incident_deadline_state_name(rstate)));
    if (dl.summary.error[0])
        json_array_append_new(warnings,
                              json_pack("{s:s,s:s,s:s}", "code", "calendar_missing", "field",
                                        "response_ended_at", "message", dl.summary.error));
    if (g && sg && sg != g)
        json_array_append_new(warnings, json_pack("{s:s,s:s,s:s}", "code", "grade_differs", "field",
                                                  "grade", "message",
                                                  g > sg ? "所定级别高于按填报数据建议的级别"
                                                         : "所定级别低于按填报数据建议的级别"));
    json_object_set_new(j, "warnings", warnings);
    return j;
}

static const char SQL_ONE[] = INCIDENT_COLS "WHERE i.id = $1";
static const char SQL_UNITS[] = "SELECT u.id, u.name, u.cii FROM incident_units iu "
                                "JOIN units u ON u.id = iu.unit_id WHERE iu.incident_id = $1 "
                                "ORDER BY u.id";
static const char SQL_REPORTS[] =
    "SELECT r.id, r.kind, r.recipient, r.recipient_name, r.method, r.sent_at, r.file_id, "
    "f.name, r.note, r.created_by, r.created_at FROM incident_reports r "
    "LEFT JOIN files f ON f.sm3 = r.file_id AND f.org_id = r.org_id "
    "WHERE r.incident_id = $1 ORDER BY r.sent_at, r.id";

static enum err add_units(struct db *db, long long id, json_t *j)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNITS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    json_t *arr = json_array(), *warnings = json_object_get(j, "warnings");
    json_object_set_new(j, "units", arr);
    int row, cii = json_is_true(json_object_get(j, "cii"));
    while (!(rc = db_step(s, &row)) && row) {
        char uid[24];
        snprintf(uid, sizeof uid, "%lld", db_int(s, 0));
        json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "id", uid, "name", db_text(s, 1),
                                             "cii", (int)db_int(s, 2)));
        if (db_int(s, 2) && !cii)
            json_array_append_new(
                warnings, json_pack("{s:s,s:s,s:s}", "code", "cii_unit", "field", "cii", "message",
                                    "受影响的网络单元已认定为关键信息基础设施，请确认是否涉及"
                                    "关键信息基础设施"));
    }
    db_done(s);
    return rc;
}

static json_t *report_row_json(struct db_stmt *s)
{
    char rid[24];
    snprintf(rid, sizeof rid, "%lld", db_int(s, 0));
    enum incident_recipient to = RECIPIENT_OTHER;
    incident_recipient_parse(db_text(s, 2), &to);
    const char *kind = incident_report_kind_name(db_text(s, 1));
    const char *method = incident_method_name(db_text(s, 4));
    json_t *file = db_null(s, 6) ? json_null()
                                 : json_pack("{s:s,s:o}", "id", db_text(s, 6), "name",
                                             json_str_or_null(db_text(s, 7)));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "id", rid, "kind",
                     db_text(s, 1), "kind_name", kind ? kind : "", "recipient", db_text(s, 2),
                     "recipient_label", incident_recipient_name(to), "recipient_name",
                     db_text(s, 3), "method", db_text(s, 4), "method_name", method ? method : "",
                     "sent_at", db_text(s, 5), "file", file, "note", db_text(s, 8), "created_by",
                     db_text(s, 9), "created_at", db_text(s, 10));
}

static enum err add_reports(struct db *db, long long id, json_t *j)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_REPORTS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    json_t *arr = json_array();
    json_object_set_new(j, "reports", arr);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(arr, report_row_json(s));
    db_done(s);
    return rc;
}

enum err incident_json(struct db *db, long long id, time_t now, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *j = NULL;
    if (!(rc = db_step(s, &row)) && row)
        j = incident_row_json(s, now);
    db_done(s);
    if (rc || !j)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "事件不存在");
    if ((rc = add_units(db, id, j)) || (rc = add_reports(db, id, j))) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return ERR_OK;
}

static const char SQL_ORG[] =
    "SELECT i.org_id, (SELECT COUNT(*) FROM incident_reports r WHERE r.incident_id = i.id) "
    "FROM incidents i WHERE i.id = $1";

enum err incident_org(struct db *db, long long id, long long *org_id, int *reported)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        *org_id = db_int(s, 0);
        *reported = db_int(s, 1) > 0;
        found = 1;
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "事件不存在");
    return rc;
}

/* ---- validation ---- */

/* An incident's values after validation, ready to bind. */
struct incident_values {
    const char *title, *category, *status, *outage_scope;
    enum incident_grade grade;
    struct incident_suggestion suggestion;
    long long pi_leaked, users_affected, outage_hours; /* -1: none */
    int cii;
    char detected[40], started[40], ended[40]; /* "" none */
    long long unit_ids[100];
    size_t n_units;
};

static long long opt_int(json_t *in, const char *key)
{
    json_t *v = json_object_get(in, key);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* A time field: "" when absent or null, else normalised to +08:00. */
static enum err time_field(json_t *in, const char *key, const char *label, char out[40], time_t *t)
{
    const char *v = json_str(in, key);
    out[0] = '\0';
    *t = 0;
    if (!v || !*v)
        return ERR_OK;
    if (time_parse_iso(v, t))
        return errf(ERR_VALIDATION, key, "%s应为 ISO 8601 时间（如 2026-02-12T09:30:00+08:00）",
                    label);
    if (*t > time(NULL) + CLOCK_SLACK)
        return errf(ERR_VALIDATION, key, "%s不能晚于当前时间", label);
    time_iso(*t, out);
    return ERR_OK;
}

static const char SQL_UNIT_OF_ORG[] = "SELECT COUNT(*) FROM units WHERE id = $1 AND org_id = $2";

static enum err check_units(struct db *db, long long org_id, json_t *ids, struct incident_values *v)
{
    size_t i;
    json_t *e;
    v->n_units = 0;
    if (!ids || json_is_null(ids))
        return ERR_OK;
    if (!json_is_array(ids) || json_array_size(ids) > 100)
        return errf(ERR_VALIDATION, "unit_ids", "受影响的网络单元应为编号数组（最多 100 个）");
    json_array_foreach (ids, i, e) {
        long long uid = json_is_string(e)    ? id_parse(json_string_value(e))
                        : json_is_integer(e) ? json_integer_value(e)
                                             : -1;
        if (uid <= 0)
            return errf(ERR_VALIDATION, "unit_ids", "第 %zu 个网络单元编号不合法", i + 1);
        struct db_stmt *s;
        long long n;
        enum err rc = db_prepare(db, SQL_UNIT_OF_ORG, &s);
        if (rc)
            return rc;
        db_bind_int(s, 1, uid);
        db_bind_int(s, 2, org_id);
        if ((rc = db_scalar_int(s, 0, &n)))
            return rc;
        if (!n)
            return errf(ERR_NOT_FOUND, "unit_ids", "网络单元 %lld 不存在或不属于事件所属单位", uid);
        int dup = 0;
        for (size_t k = 0; k < v->n_units; k++)
            dup |= v->unit_ids[k] == uid;
        if (!dup)
            v->unit_ids[v->n_units++] = uid;
    }
    return ERR_OK;
}

/* Status from the response times: closed once it ended, responding once it started. */
static const char *implied_status(const struct incident_values *v)
{
    return v->ended[0] ? "closed" : v->started[0] ? "responding" : "open";
}

/* Validates the merged record m of organisation org_id. keep_status: the stored status to keep
 * when m has none of its own (NULL: follow the times). */
static enum err check_incident(struct db *db, long long org_id, json_t *m, const char *keep_status,
                               struct incident_values *v)
{
    memset(v, 0, sizeof *v);
    v->title = json_str(m, "title");
    v->category = json_str(m, "category");
    if (!v->title || !*v->title)
        return errf(ERR_VALIDATION, "title", "事件名称不能为空");
    if (!incident_category_name(v->category))
        return errf(ERR_VALIDATION, "category",
                    "事件类别应为 malware、attack、data、content、facility、violation、hazard、"
                    "anomaly、force_majeure 或 other（GB/T 20986-2023）");
    v->grade = incident_grade_parse(json_str(m, "grade"));
    if (!v->grade)
        return errf(ERR_VALIDATION, "grade",
                    "事件级别应为 especially_major（特别重大）、major（重大）、large（较大）或 "
                    "general（一般）");
    v->pi_leaked = opt_int(m, "pi_leaked");
    v->users_affected = opt_int(m, "users_affected");
    v->outage_hours = opt_int(m, "outage_hours");
    v->outage_scope = json_str(m, "outage_scope");
    struct incident_facts f = {v->pi_leaked > 0 ? v->pi_leaked : 0,
                               v->users_affected > 0 ? v->users_affected : 0, OUTAGE_NONE,
                               v->outage_hours > 0 ? (int)v->outage_hours : 0};
    if (v->outage_scope && outage_scope_parse(v->outage_scope, &f.outage))
        return errf(ERR_VALIDATION, "outage_scope",
                    "断网范围应为 national（全国）、multi_province（多个省）、province（1 个省）、"
                    "city（1 个地市）或 none");
    enum err rc = incident_suggest_grade(ruleset(), &f, &v->suggestion);
    if (rc)
        return rc;
    v->cii = json_is_true(json_object_get(m, "cii"));

    time_t detected, started, ended;
    if ((rc = time_field(m, "detected_at", "事件发现时间", v->detected, &detected)) ||
        (rc = time_field(m, "response_started_at", "应急响应启动时间", v->started, &started)) ||
        (rc = time_field(m, "response_ended_at", "应急响应结束时间", v->ended, &ended)))
        return rc;
    if (!detected)
        return errf(ERR_VALIDATION, "detected_at", "缺少事件发现时间");
    if (started && started < detected)
        return errf(ERR_VALIDATION, "response_started_at", "应急响应启动时间不能早于事件发现时间");
    if (ended && !started)
        return errf(ERR_VALIDATION, "response_started_at", "填写应急响应结束时间前须填写启动时间");
    if (ended && ended < started)
        return errf(ERR_VALIDATION, "response_ended_at", "应急响应结束时间不能早于启动时间");

    v->status = json_str(m, "status");
    if (!v->status)
        v->status = keep_status ? keep_status : implied_status(v);
    if (!incident_status_name(v->status))
        return errf(ERR_VALIDATION, "status",
                    "状态应为 open（待处置）、responding（应急处置中）或 closed（已结束）");
    if (!strcmp(v->status, "responding") && !started)
        return errf(ERR_VALIDATION, "status", "应急处置中的事件须填写应急响应启动时间");
    if (!strcmp(v->status, "closed") && !ended)
        return errf(ERR_VALIDATION, "status", "已结束的事件须填写应急响应结束时间");
    return check_units(db, org_id, json_object_get(m, "unit_ids"), v);
}

/* ---- writing ---- */

static const char SQL_INSERT[] =
    "INSERT INTO incidents (org_id, title, category, grade, suggested_grade, grade_ruleset, "
    "pi_leaked, users_affected, outage_scope, outage_hours, cii, detected_at, "
    "response_started_at, response_ended_at, orgs_affected, description, discovery, impact, "
    "measures, cause, rectification, status, created_by, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, COALESCE($15, ''), "
    "COALESCE($16, ''), COALESCE($17, ''), COALESCE($18, ''), COALESCE($19, ''), "
    "COALESCE($20, ''), COALESCE($21, ''), $22, $23, $24, $24) RETURNING id";
static const char SQL_UPDATE[] =
    "UPDATE incidents SET title = $2, category = $3, grade = $4, suggested_grade = $5, "
    "grade_ruleset = $6, pi_leaked = $7, users_affected = $8, outage_scope = $9, "
    "outage_hours = $10, cii = $11, detected_at = $12, response_started_at = $13, "
    "response_ended_at = $14, orgs_affected = COALESCE($15, ''), "
    "description = COALESCE($16, ''), discovery = COALESCE($17, ''), impact = COALESCE($18, ''), "
    "measures = COALESCE($19, ''), cause = COALESCE($20, ''), "
    "rectification = COALESCE($21, ''), status = $22, updated_at = $23 WHERE id = $1";

static void bind_opt(struct db_stmt *s, int idx, long long v)
{
    if (v >= 0)
        db_bind_int(s, idx, v);
    else
        db_bind_null(s, idx);
}

/* Binds $2..$22 of SQL_INSERT / SQL_UPDATE ($1 is the organisation or the id). */
static void bind_values(struct db_stmt *s, json_t *m, const struct incident_values *v)
{
    db_bind_text(s, 2, v->title);
    db_bind_text(s, 3, v->category);
    db_bind_text(s, 4, incident_grade_code(v->grade));
    db_bind_text(s, 5, v->suggestion.grade ? incident_grade_code(v->suggestion.grade) : NULL);
    db_bind_text(s, 6, ruleset()->version);
    bind_opt(s, 7, v->pi_leaked);
    bind_opt(s, 8, v->users_affected);
    db_bind_text(s, 9, v->outage_scope);
    bind_opt(s, 10, v->outage_hours);
    db_bind_int(s, 11, v->cii);
    db_bind_text(s, 12, v->detected);
    db_bind_text(s, 13, v->started[0] ? v->started : NULL);
    db_bind_text(s, 14, v->ended[0] ? v->ended : NULL);
    for (int i = 0; i < 7; i++)
        db_bind_text(s, 15 + i, json_str(m, TEXT_KEYS[i]));
    db_bind_text(s, 22, v->status);
}

static const char SQL_DEL_UNITS[] = "DELETE FROM incident_units WHERE incident_id = $1";
static const char SQL_ADD_UNIT[] = "INSERT INTO incident_units (incident_id, unit_id) "
                                   "VALUES ($1, $2)";

static enum err write_units(struct db *db, long long id, const struct incident_values *v)
{
    enum err rc = incident_exec_id(db, SQL_DEL_UNITS, id);
    for (size_t i = 0; !rc && i < v->n_units; i++) {
        struct db_stmt *s;
        if ((rc = db_prepare(db, SQL_ADD_UNIT, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, v->unit_ids[i]);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

static const char SQL_EVENT[] =
    "INSERT INTO incident_events (incident_id, at, kind, detail, actor) "
    "VALUES ($1, $2, $3, $4, $5)";

static enum err log_event(struct db *db, const struct audit_ctx *ax, long long id, const char *kind,
                          json_t *detail)
{
    char now[40], *d = json_canonical(detail);
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_EVENT, &s);
    if (!rc) {
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, now);
        db_bind_text(s, 3, kind);
        db_bind_text(s, 4, d);
        db_bind_text(s, 5, ax->actor_name ? ax->actor_name : "system");
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    free(d);
    json_decref(detail);
    return rc;
}

/* The record without what is derived from the clock (deadline states, warnings). */
static void strip_derived(json_t *j)
{
    static const char *const derived[] = {"deadlines", "warnings", "report_status",
                                          "report_status_name"};
    for (size_t i = 0; j && i < sizeof derived / sizeof derived[0]; i++)
        json_object_del(j, derived[i]);
}

static enum err audit_incident(struct db *db, const struct audit_ctx *ax, const char *action,
                               long long id, long long org, json_t *before)
{
    json_t *after;
    enum err rc = incident_json(db, id, time(NULL), &after);
    if (rc)
        return rc;
    strip_derived(before);
    strip_derived(after);
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    rc = audit_append(db, ax, action, "incident", idbuf, org, before, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "incident", id);
}

enum err incident_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                         long long *id)
{
    struct incident_values *v = xcalloc(1, sizeof *v);
    enum err rc = check_incident(db, org_id, in, NULL, v);
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(db, SQL_INSERT, &s)))
        goto out;
    db_bind_int(s, 1, org_id);
    bind_values(s, in, v);
    db_bind_text(s, 23, ax->actor_name ? ax->actor_name : "system");
    db_bind_text(s, 24, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = write_units(db, *id, v)))
        goto out;
    rc = log_event(
        db, ax, *id, "created",
        json_pack("{s:s,s:s}", "grade", incident_grade_code(v->grade), "status", v->status));
    if (!rc)
        rc = audit_incident(db, ax, "incident.create", *id, org_id, NULL);
out:
    free(v);
    return rc;
}

/* The stored record in the shape of the input, as the base of a partial update. */
static json_t *input_of(json_t *cur)
{
    json_t *m = json_object(), *gi = json_object_get(cur, "grade_inputs"), *units = json_array();
    static const char *const keys[] = {"title",
                                       "category",
                                       "grade",
                                       "cii",
                                       "detected_at",
                                       "response_started_at",
                                       "response_ended_at",
                                       "orgs_affected",
                                       "description",
                                       "discovery",
                                       "impact",
                                       "measures",
                                       "cause",
                                       "rectification"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        json_object_set(m, keys[i], json_object_get(cur, keys[i]));
    json_object_update(m, gi);
    size_t i;
    json_t *u;
    json_array_foreach (json_object_get(cur, "units"), i, u)
        json_array_append(units, json_object_get(u, "id"));
    json_object_set_new(m, "unit_ids", units);
    return m;
}

enum err incident_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before = NULL, *m = NULL;
    struct incident_values *v = xcalloc(1, sizeof *v);
    enum err rc = incident_json(db, id, time(NULL), &before);
    if (rc)
        goto out;
    long long org = id_parse(json_str(before, "org_id"));
    m = input_of(before);
    json_object_update(m, in);
    /* The stored status stands unless the patch names one or moves the response times. */
    const char *keep = json_has(in, "response_started_at") || json_has(in, "response_ended_at")
                           ? NULL
                           : json_str(before, "status");
    if ((rc = check_incident(db, org, m, keep, v)))
        goto out;
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    bind_values(s, m, v);
    db_bind_text(s, 23, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (!rc && json_has(in, "unit_ids"))
        rc = write_units(db, id, v);
    const char *old_status = json_str(before, "status"), *old_grade = json_str(before, "grade");
    if (!rc && strcmp(old_status, v->status))
        rc = log_event(db, ax, id, "status",
                       json_pack("{s:s,s:s}", "from", old_status, "to", v->status));
    if (!rc && strcmp(old_grade, incident_grade_code(v->grade)))
        rc = log_event(
            db, ax, id, "grade",
            json_pack("{s:s,s:s}", "from", old_grade, "to", incident_grade_code(v->grade)));
    if (!rc)
        rc = audit_incident(db, ax, "incident.update", id, org, before);
out:
    json_decref(m);
    json_decref(before);
    free(v);
    return rc;
}

/* ---- reports ---- */

static const char SQL_REPORT_ADD[] =
    "INSERT INTO incident_reports (incident_id, org_id, kind, recipient, recipient_name, method, "
    "sent_at, file_id, note, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, ''), $10, $11) RETURNING id";

static enum err check_report(json_t *cur, json_t *in, enum incident_recipient *to, char sent[40])
{
    const char *kind = json_str(in, "kind"), *method = json_str(in, "method");
    if (!incident_report_kind_name(kind))
        return errf(ERR_VALIDATION, "kind",
                    "报告类型应为 immediate（事件报告）、progress（续报）或 summary（总结报告）");
    if (incident_recipient_parse(json_str(in, "recipient"), to))
        return errf(ERR_VALIDATION, "recipient",
                    "报告对象应为 miit（部网络安全管理局）、local_ca（属地通信管理局）、cac（省级"
                    "网信部门）、group（集团公司）或 other");
    if (!incident_method_name(method))
        return errf(ERR_VALIDATION, "method",
                    "报告方式应为 phone（电话）、email（电子邮件）、system（系统报送）或 "
                    "document（书面公文）");
    time_t t;
    enum err rc = time_field(in, "sent_at", "报告时间", sent, &t);
    if (rc)
        return rc;
    if (!t)
        return errf(ERR_VALIDATION, "sent_at", "缺少报告时间");
    if (t < incident_time(json_str(cur, "detected_at")))
        return errf(ERR_VALIDATION, "sent_at", "报告时间不能早于事件发现时间");
    if (!strcmp(kind, "summary")) {
        time_t ended = incident_time(json_str(cur, "response_ended_at"));
        if (!ended)
            return errf(ERR_VALIDATION, "kind", "应急响应结束后方可报送总结报告");
        if (t < ended)
            return errf(ERR_VALIDATION, "sent_at", "总结报告的报送时间不能早于应急响应结束时间");
    }
    return ERR_OK;
}

enum err incident_report_add(struct db *db, const struct audit_ctx *ax, long long id, json_t *in,
                             const struct file_meta *file, long long *report_id)
{
    json_t *cur = NULL;
    enum incident_recipient to;
    char sent[40], now[40], name[200];
    enum err rc = incident_json(db, id, time(NULL), &cur);
    if (rc || (rc = check_report(cur, in, &to, sent)))
        goto out;
    long long org = id_parse(json_str(cur, "org_id"));
    const char *given = json_str(in, "recipient_name");
    if (given && *given)
        snprintf(name, sizeof name, "%s", given);
    else
        recipient_name(to, json_str(cur, "province"), name, sizeof name);
    if (file && (rc = incident_hold_file(db, ax, org, file)))
        goto out;
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_REPORT_ADD, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, org);
    db_bind_text(s, 3, json_str(in, "kind"));
    db_bind_text(s, 4, incident_recipient_code(to));
    db_bind_text(s, 5, name);
    db_bind_text(s, 6, json_str(in, "method"));
    db_bind_text(s, 7, sent);
    db_bind_text(s, 8, file ? file->sm3 : NULL);
    db_bind_text(s, 9, json_str(in, "note"));
    db_bind_text(s, 10, ax->actor_name ? ax->actor_name : "system");
    db_bind_text(s, 11, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *report_id = db_int(s, 0);
    db_done(s);
    if (rc)
        goto out;
    json_t *after =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o}", "report_id", (json_int_t)*report_id, "kind",
                  json_str(in, "kind"), "recipient", incident_recipient_code(to), "recipient_name",
                  name, "method", json_str(in, "method"), "sent_at", sent, "file_id",
                  json_str_or_null(file ? file->sm3 : NULL));
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    rc = audit_append(db, ax, "incident.report_add", "incident", idbuf, org, NULL, after);
    json_decref(after);
    if (!rc)
        rc = duty_refresh(db, "incident", id);
out:
    json_decref(cur);
    return rc;
}

static const char SQL_REPORT_ONE[] =
    "SELECT kind, recipient, recipient_name, method, sent_at, file_id, org_id "
    "FROM incident_reports WHERE id = $1 AND incident_id = $2";
static const char SQL_REPORT_DEL[] = "DELETE FROM incident_reports WHERE id = $1";

enum err incident_report_delete(struct db *db, const struct audit_ctx *ax, long long id,
                                long long report_id)
{
    struct db_stmt *s;
    json_t *before = NULL;
    long long org = 0;
    enum err rc = db_prepare(db, SQL_REPORT_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, report_id);
    db_bind_int(s, 2, id);
    int row;
    if (!(rc = db_step(s, &row)) && row) {
        before = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o}", "report_id", (json_int_t)report_id,
                           "kind", db_text(s, 0), "recipient", db_text(s, 1), "recipient_name",
                           db_text(s, 2), "method", db_text(s, 3), "sent_at", db_text(s, 4),
                           "file_id", json_str_or_null(db_text(s, 5)));
        org = db_int(s, 6);
    }
    db_done(s);
    if (!rc && !before)
        return errf(ERR_NOT_FOUND, NULL, "报告记录不存在");
    if (!rc)
        rc = incident_exec_id(db, SQL_REPORT_DEL, report_id);
    if (!rc)
        rc = log_event(db, ax, id, "report_withdrawn", json_deep_copy(before));
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    if (!rc)
        rc = audit_append(db, ax, "incident.report_delete", "incident", idbuf, org, before, NULL);
    if (!rc)
        rc = duty_refresh(db, "incident", id);
    json_decref(before);
    return rc;
}

/* ---- timeline ---- */

static const char SQL_EVENTS[] = "SELECT id, at, kind, detail, actor FROM incident_events "
                                 "WHERE incident_id = $1 ORDER BY id";

static void entry(json_t *arr, const char *at, const char *kind, const char *title, json_t *detail,
                  const char *actor)
{
    if (!at)
        return;
    json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o,s:o}", "at", at, "kind", kind, "title",
                                         title, "detail", detail ? detail : json_null(), "actor",
                                         json_str_or_null(actor)));
}

static const char *grade_name_of(const char *code)
{
    return incident_grade_name(incident_grade_parse(code));
}

static const char *status_name_of(const char *code)
{
    const char *n = incident_status_name(code);
    return n ? n : "";
}

static void event_entry(json_t *arr, struct db_stmt *s)
{
    const char *kind = db_text(s, 2);
    json_t *d = json_loads(db_text(s, 3), 0, NULL);
    char title[256];
    if (!strcmp(kind, "status"))
        snprintf(title, sizeof title, "状态变更：%s → %s", status_name_of(json_str(d, "from")),
                 status_name_of(json_str(d, "to")));
    else if (!strcmp(kind, "grade"))
        snprintf(title, sizeof title, "事件级别变更：%s → %s", grade_name_of(json_str(d, "from")),
                 grade_name_of(json_str(d, "to")));
    else if (!strcmp(kind, "report_withdrawn"))
        snprintf(title, sizeof title, "撤回报告记录（%s）",
                 json_str(d, "recipient_name") ? json_str(d, "recipient_name") : "");
    else if (!strcmp(kind, "created"))
        snprintf(title, sizeof title, "登记事件（%s）", grade_name_of(json_str(d, "grade")));
    else
        snprintf(title, sizeof title, "%s", kind);
    entry(arr, db_text(s, 1), kind, title, d, db_text(s, 4));
}

/* Orders by time; entries at the same time keep the order they were added in. */
static int by_time(const void *a, const void *b)
{
    json_t *const *x = a, *const *y = b;
    int c = strcmp(json_str(*x, "at"), json_str(*y, "at"));
    if (c)
        return c;
    long long i = json_int(*x, "seq", 0), j = json_int(*y, "seq", 0);
    return (i > j) - (i < j);
}

enum err incident_timeline(struct db *db, long long id, json_t **out)
{
    json_t *cur, *arr = json_array();
    enum err rc = incident_json(db, id, time(NULL), &cur);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    entry(arr, json_str(cur, "detected_at"), "detected", "发现事件", NULL, NULL);
    entry(arr, json_str(cur, "response_started_at"), "response_started", "启动应急响应", NULL,
          NULL);
    entry(arr, json_str(cur, "response_ended_at"), "response_ended", "应急响应结束", NULL, NULL);
    size_t i;
    json_t *r;
    json_array_foreach (json_object_get(cur, "reports"), i, r) {
        char title[400];
        snprintf(title, sizeof title, "%s：报%s（%s）", json_str(r, "kind_name"),
                 json_str(r, "recipient_name"), json_str(r, "method_name"));
        entry(arr, json_str(r, "sent_at"), "report", title, json_deep_copy(r),
              json_str(r, "created_by"));
    }
    struct db_stmt *s;
    if (!(rc = db_prepare(db, SQL_EVENTS, &s))) {
        db_bind_int(s, 1, id);
        int row;
        while (!(rc = db_step(s, &row)) && row)
            event_entry(arr, s);
        db_done(s);
    }
    json_decref(cur);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    size_t n = json_array_size(arr);
    json_t **items = xcalloc(n ? n : 1, sizeof *items);
    for (i = 0; i < n; i++) {
        items[i] = json_incref(json_array_get(arr, i));
        json_object_set_new(items[i], "seq", json_integer((json_int_t)i));
    }
    qsort(items, n, sizeof *items, by_time);
    json_t *sorted = json_array();
    for (i = 0; i < n; i++) {
        json_object_del(items[i], "seq");
        json_array_append_new(sorted, items[i]);
    }
    free(items);
    json_decref(arr);
    *out = sorted;
    return ERR_OK;
}

/* ---- counts for the annual report ---- */

static const char SQL_MAJOR_3Y[] =
    "SELECT COUNT(*) FROM incidents WHERE org_id = $1 AND grade IN ('major', 'especially_major') "
    "AND detected_at >= $2 AND detected_at < $3";

enum err incident_major_in_last_3_years(struct db *db, long long org_id, struct date today,
                                        int *count)
{
    /* (today − 3 years, today]: stored times are "YYYY-MM-DDT…+08:00", so a day's bounds are the
     * text of that day and of the next one. */
    char from[11], to[11];
    date_format(date_add_days(date_add_months(today, -36), 1), from);
    date_format(date_add_days(today, 1), to);
    struct db_stmt *s;
    long long n;
    enum err rc = db_prepare(db, SQL_MAJOR_3Y, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, from);
    db_bind_text(s, 3, to);
    if (!(rc = db_scalar_int(s, 0, &n)))
        *count = (int)n;
    return rc;
}
