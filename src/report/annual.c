/* 年度安全防护工作报告: the facts of annex 5 read from the data, drafts and their sections, the R3
 * routing, submission with the exposure list, acknowledgements, who has not submitted, and the
 * due date per year. The aggregate queries read the other modules' tables directly (as the duty
 * producers do); what those modules compute (the exposure verdict, incident counts) comes
 * through their headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annual.h"
#include "arena.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "crypto.h"
#include "duty/duty.h"
#include "duty/rules.h"
#include "exposure/exposure.h"
#include "json.h"
#include "org/org.h"
#include "org/rules.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"

static const struct {
    const char *code, *title;
} SECTIONS[ANNUAL_SECTIONS] = {
    {"overview", "总体情况"},
    {"filing", "一是定级备案工作开展情况"},
    {"assessment", "二是符合性评测工作开展情况"},
    {"risk", "三是安全风险评估工作开展情况"},
    {"exposure", "四是互联网暴露面管理情况"},
    {"emergency", "五是应急预案及演练工作开展情况"},
    {"problems", "二、发现问题及整改情况"},
    {"plan", "三、下一步保护工作方案"},
};

const char *annual_section_code(int i)
{
    return i >= 0 && i < ANNUAL_SECTIONS ? SECTIONS[i].code : "";
}

const char *annual_section_title(int i)
{
    return i >= 0 && i < ANNUAL_SECTIONS ? SECTIONS[i].title : "";
}

int annual_section_find(const char *code)
{
    for (int i = 0; code && i < ANNUAL_SECTIONS; i++)
        if (!strcmp(SECTIONS[i].code, code))
            return i;
    return -1;
}

static const char *const ROUTE_NAMES[][2] = {
    {"local_ca", "属地通信管理局"}, {"group", "集团公司"}, {"ministry", "部网络安全管理局"}};

static const char *lookup(const char *const table[][2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return code ? code : "";
}
#define LOOKUP(t, c) lookup(t, sizeof t / sizeof t[0], c)

static char *id_text(long long id, char buf[24])
{
    snprintf(buf, 24, "%lld", id);
    return buf;
}

/* The date of an ISO date or time (its first ten characters). */
static int date_of(const char *iso, struct date *out)
{
    char buf[11];
    if (!iso || strlen(iso) < 10)
        return -1;
    memcpy(buf, iso, 10);
    buf[10] = '\0';
    return date_parse(buf, out) ? (err_clear(), -1) : 0;
}

static enum err check_year(int year, struct date today)
{
    if (year < 2000 || year > today.y)
        return errf(ERR_VALIDATION, "year", "年度应为 2000 至 %d 之间的年份", today.y);
    return ERR_OK;
}

/* ---- due dates ---------------------------------------------------------------------------- */

static const char DEFAULT_SOURCE[] = "工网安函〔2025〕331号 §八：每年11月底前报送（默认）";
static const char SQL_DUE[] = "SELECT due_date, source FROM annual_due_dates WHERE year = $1";

enum err annual_due_date(struct db *db, int year, struct date *due, char source[256])
{
    const struct duty_ruleset *rs = duty_ruleset_default();
    *due = (struct date){year, rs->report_month, rs->report_day};
    snprintf(source, 256, "%s", DEFAULT_SOURCE);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DUE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, year);
    int row;
    if (!(rc = db_step(s, &row)) && row && !date_of(db_text(s, 0), due))
        snprintf(source, 256, "%s", db_text(s, 1));
    db_done(s);
    return rc;
}

static const char SQL_DUES[] =
    "SELECT year, due_date, source, set_by, set_at FROM annual_due_dates ORDER BY year DESC";

enum err annual_due_dates_json(struct db *db, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DUES, &s);
    if (rc)
        return rc;
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items,
                              json_pack("{s:I,s:s,s:s,s:s,s:s}", "year", (json_int_t)db_int(s, 0),
                                        "due_date", db_text(s, 1), "source", db_text(s, 2),
                                        "set_by", db_text(s, 3), "set_at", db_text(s, 4)));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    const struct duty_ruleset *rs = duty_ruleset_default();
    *out = json_pack("{s:{s:i,s:i,s:s},s:o}", "default", "month", rs->report_month, "day",
                     rs->report_day, "source", DEFAULT_SOURCE, "items", items);
    return ERR_OK;
}

static const char SQL_DUE_SET[] =
    "INSERT INTO annual_due_dates (year, due_date, source, set_by, set_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year) DO UPDATE SET due_date = excluded.due_date, "
    "source = excluded.source, set_by = excluded.set_by, set_at = excluded.set_at";
/* The annual-report duties of every operator follow a new due date. */
static enum err refresh_org_duties(struct db *db)
{
    long long n;
    return duty_recompute_subject(db, "org", &n);
}

enum err annual_due_date_set(struct db *db, const struct audit_ctx *ax, int year, const char *due,
                             const char *source)
{
    struct date d;
    char now[40], before_src[256], idbuf[24], old[11];
    struct date old_due;
    if (year < 2000 || year > 9998)
        return errf(ERR_VALIDATION, "year", "年度不合法");
    if (!due || date_parse(due, &d) || !(d.y == year || (d.y == year + 1 && d.m == 1)))
        return errf(ERR_VALIDATION, "due_date", "截止日期应为 %d 年内（或次年 1 月）的日期", year);
    if (!source || !*source)
        return errf(ERR_VALIDATION, "source", "请填写依据（如主管部门当年通知的文号）");
    enum err rc = annual_due_date(db, year, &old_due, before_src);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(db, SQL_DUE_SET, &s)))
        return rc;
    time_now_iso(now);
    db_bind_int(s, 1, year);
    db_bind_text(s, 2, due);
    db_bind_text(s, 3, source);
    db_bind_text(s, 4, ax->actor_name);
    db_bind_text(s, 5, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc)
        return rc;
    date_format(old_due, old);
    json_t *before =
        json_pack("{s:i,s:s,s:s}", "year", year, "due_date", old, "source", before_src);
    json_t *after = json_pack("{s:i,s:s,s:s}", "year", year, "due_date", due, "source", source);
    rc = audit_append(db, ax, "annual_due_date.set", "annual_due_date", id_text(year, idbuf), 0,
                      before, after);
    json_decref(before);
    json_decref(after);
    return rc ? rc : refresh_org_duties(db);
}

/* One round trip per organisation: the daily rebuild of the "org" duties runs this for each. */
static const char SQL_DUTY[] =
    "SELECT (SELECT d.due_date FROM annual_due_dates d WHERE d.year = $2), "
    "(SELECT r.submitted_at FROM annual_reports r WHERE r.org_id = $1 AND r.year = $2 "
    "AND r.status = 'submitted')";

enum err annual_duty_emit(struct duty_sink *sink, struct duty_item *it, int year)
{
    const struct duty_ruleset *rs = duty_ruleset_default();
    struct db_stmt *s;
    enum err rc = db_prepare(sink->db, SQL_DUTY, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, it->org_id);
    db_bind_int(s, 2, year);
    int row;
    it->due = (struct date){year, rs->report_month, rs->report_day};
    if (!(rc = db_step(s, &row)) && row) {
        date_of(db_text(s, 0), &it->due);
        it->done = !date_of(db_text(s, 1), &it->done_on);
    }
    db_done(s);
    return rc ? rc : duty_emit(sink, it);
}

static enum err operator_org(struct db *db, long long org_id)
{
    char kind[32];
    enum err rc = org_kind_of(db, org_id, kind);
    if (rc)
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "单位不存在") : rc;
    const struct org_kind *k = org_kind_find(kind);
    if (!k || k->regulator)
        return errf(ERR_VALIDATION, "org_id", "电信主管部门不报送安全防护工作报告");
    return ERR_OK;
}

/* ---- routing (R3, seed 000 §八) ---------------------------------------------------------- */

static const char SQL_ORG_ROUTE[] =
    "SELECT name, kind, province, parent_id FROM orgs WHERE id = $1";
static const char SQL_LOCAL_CA[] =
    "SELECT o.id, o.name FROM orgs o JOIN jurisdictions j ON j.regulator_id = o.id "
    "WHERE o.kind = 'regulator_ca' AND j.province = $1 AND (j.kind = $2 OR j.kind = '*') "
    "ORDER BY CASE WHEN j.kind = $2 THEN 0 ELSE 1 END, o.id LIMIT 1";
static const char SQL_PARENT[] = "SELECT id, name FROM orgs WHERE id = $1";
static const char SQL_MINISTRY[] =
    "SELECT id, name FROM orgs WHERE kind = 'regulator_ministry' ORDER BY id LIMIT 1";

static json_t *receiver(struct db_stmt *s, const char *route)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "org_id", db_text(s, 0), "org_name", db_text(s, 1),
                     "route", route, "route_name", LOOKUP(ROUTE_NAMES, route));
}

/* Appends the receiver the statement finds (its parameters bound), or fails with msg. */
static enum err add_receiver(struct db_stmt *s, const char *route, json_t *list, const char *msg)
{
    int row;
    enum err rc = db_step(s, &row);
    if (!rc && row)
        json_array_append_new(list, receiver(s, route));
    db_done(s);
    if (!rc && !row)
        rc = errf(ERR_CONFLICT, "routing", "%s", msg);
    return rc;
}

enum err annual_routing(struct db *db, long long org_id, json_t **out)
{
    struct db_stmt *s;
    char kind[32] = "", province[8] = "";
    long long parent = 0;
    int row, found = 0;
    *out = NULL;
    enum err rc = db_prepare(db, SQL_ORG_ROUTE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        snprintf(kind, sizeof kind, "%s", db_text(s, 1));
        snprintf(province, sizeof province, "%s", db_text(s, 2));
        parent = db_null(s, 3) ? 0 : db_int(s, 3);
    }
    db_done(s);
    if (rc)
        return rc;
    if (!found)
        return errf(ERR_NOT_FOUND, NULL, "单位不存在");
    const struct org_kind *k = org_kind_find(kind);
    if (!k || k->regulator)
        return errf(ERR_VALIDATION, "org_id", "电信主管部门不报送安全防护工作报告");
    json_t *list = json_array();
    if (!strcmp(kind, "telecom_provincial")) {
        /* 基础电信企业各省子公司、分公司 → 属地通信管理局 and 集团公司. */
        char msg[160];
        snprintf(msg, sizeof msg, "未找到管辖该省（%s）的通信管理局，请先配置其管辖范围", province);
        if (!(rc = db_prepare(db, SQL_LOCAL_CA, &s))) {
            db_bind_text(s, 1, province);
            db_bind_text(s, 2, kind);
            rc = add_receiver(s, "local_ca", list, msg);
        }
        if (!rc && !parent)
            rc = errf(ERR_CONFLICT, "routing", "省级公司未设置所属集团公司（上级单位）");
        if (!rc && !(rc = db_prepare(db, SQL_PARENT, &s))) {
            db_bind_int(s, 1, parent);
            rc = add_receiver(s, "group", list, "上级单位不存在");
        }
    } else if (!(rc = db_prepare(db, SQL_MINISTRY, &s))) {
        /* 集团公司、专业公司及其他运行单位 → 部网络安全管理局. */
        rc = add_receiver(s, "ministry", list, "系统中没有部网络安全管理局（regulator_ministry）");
    }
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ERR_OK;
}

/* ---- reports ---------------------------------------------------------------------------- */

static const char SQL_INSERT[] =
    "INSERT INTO annual_reports (org_id, year, status, created_by, created_at, updated_at) "
    "VALUES ($1, $2, 'draft', $3, $4, $4) RETURNING id";
static const char SQL_FIND[] = "SELECT id FROM annual_reports WHERE org_id = $1 AND year = $2";

static enum err audit_report(struct db *db, const struct audit_ctx *ax, const char *action,
                             long long id, long long org, json_t *before, json_t *after)
{
    char idbuf[24];
    return audit_append(db, ax, action, "annual_report", id_text(id, idbuf), org, before, after);
}

enum err annual_report_create(struct db *db, const struct audit_ctx *ax, long long org_id, int year,
                              long long *id)
{
    struct db_stmt *s;
    char now[40];
    long long existing;
    *id = 0;
    enum err rc = check_year(year, date_today_shanghai());
    if (rc || (rc = operator_org(db, org_id)) || (rc = db_prepare(db, SQL_FIND, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_int(s, 2, year);
    if ((rc = db_scalar_int(s, 0, &existing)))
        return rc;
    if (existing) {
        *id = existing;
        return errf(ERR_CONFLICT, "year", "该单位 %d 年度的安全防护工作报告已存在", year);
    }
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_INSERT, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_int(s, 2, year);
    db_bind_text(s, 3, ax->actor_name);
    db_bind_text(s, 4, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    json_t *after =
        json_pack("{s:I,s:i,s:s}", "org_id", (json_int_t)org_id, "year", year, "status", "draft");
    rc = audit_report(db, ax, "annual_report.create", *id, org_id, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_ORG_OF[] = "SELECT org_id FROM annual_reports WHERE id = $1";

enum err annual_report_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ORG_OF, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    if (!(rc = db_scalar_int(s, -1, org_id)) && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "安全防护工作报告不存在");
    return rc;
}

static const char SQL_RECEIVER[] =
    "SELECT COUNT(*) FROM annual_submissions WHERE report_id = $1 AND receiver_org_id = $2";

enum err annual_report_receiver(struct db *db, long long id, long long org_id, int *is)
{
    struct db_stmt *s;
    long long n = 0;
    *is = 0;
    enum err rc = db_prepare(db, SQL_RECEIVER, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, org_id);
    if (!(rc = db_scalar_int(s, 0, &n)))
        *is = n > 0;
    return rc;
}

static const char SQL_REPORT[] =
    "SELECT r.id, r.org_id, o.name, o.kind, r.year, r.status, r.facts, r.exposure_sm3, "
    "r.exposure_size, r.submitted_by, r.submitted_at, r.created_by, r.created_at, r.updated_at "
    "FROM annual_reports r JOIN orgs o ON o.id = r.org_id WHERE r.id = $1";
static const char SQL_SECTIONS[] =
    "SELECT section, body, updated_by, updated_at FROM annual_report_sections "
    "WHERE report_id = $1";
static const char SQL_SUBMISSIONS[] =
    "SELECT s.receiver_org_id, o.name, s.route, s.submitted_at, s.acknowledged_by, "
    "s.acknowledged_at, s.ack_comment FROM annual_submissions s "
    "JOIN orgs o ON o.id = s.receiver_org_id WHERE s.report_id = $1 ORDER BY s.id";

static enum err sections_json(struct db *db, long long id, json_t **out)
{
    json_t *texts[ANNUAL_SECTIONS] = {NULL};
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SECTIONS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        int i = annual_section_find(db_text(s, 0));
        if (i >= 0 && !texts[i])
            texts[i] = json_pack("{s:s,s:s,s:s}", "text", db_text(s, 1), "updated_by",
                                 db_text(s, 2), "updated_at", db_text(s, 3));
    }
    db_done(s);
    json_t *arr = json_array();
    for (int i = 0; i < ANNUAL_SECTIONS; i++) {
        json_t *o = texts[i] ? texts[i]
                             : json_pack("{s:s,s:n,s:n}", "text", "", "updated_by", "updated_at");
        json_object_set_new(o, "code", json_string(SECTIONS[i].code));
        json_object_set_new(o, "title", json_string(SECTIONS[i].title));
        json_array_append_new(arr, o);
    }
    *out = arr;
    return rc;
}

static enum err submissions_json(struct db *db, long long id, json_t **out, int *all_acked)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SUBMISSIONS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    json_t *arr = json_array();
    int row;
    *all_acked = 1;
    while (!(rc = db_step(s, &row)) && row) {
        const char *route = db_text(s, 2);
        *all_acked &= !db_null(s, 5);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "org_id",
                                             db_text(s, 0), "org_name", db_text(s, 1), "route",
                                             route, "route_name", LOOKUP(ROUTE_NAMES, route),
                                             "submitted_at", db_text(s, 3), "acknowledged_by",
                                             json_str_or_null(db_text(s, 4)), "acknowledged_at",
                                             json_str_or_null(db_text(s, 5)), "ack_comment",
                                             json_str_or_null(db_text(s, 6))));
    }
    db_done(s);
    *out = arr;
    if (!json_array_size(arr))
        *all_acked = 0;
    return rc;
}

/* The report row into a new object (with facts text in *facts_text when wanted). */
static enum err report_row(struct db *db, long long id, json_t **out, char **facts_text)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_REPORT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row) {
        const char *status = db_text(s, 5);
        const struct org_kind *k = org_kind_find(db_text(s, 3));
        json_t *attachment = json_null();
        if (!db_null(s, 7)) {
            char name[300];
            snprintf(name, sizeof name, "%s互联网暴露面信息（%lld年度）.xlsx", db_text(s, 2),
                     db_int(s, 4));
            attachment = json_pack("{s:s,s:s,s:I}", "name", name, "sm3", db_text(s, 7), "size",
                                   (json_int_t)db_int(s, 8));
        }
        *out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:s}", "id",
                         db_text(s, 0), "org_id", db_text(s, 1), "org_name", db_text(s, 2),
                         "org_kind", db_text(s, 3), "org_kind_name", k ? k->name : "", "year",
                         (json_int_t)db_int(s, 4), "status", status, "status_name",
                         strcmp(status, "submitted") ? "草稿" : "已报送", "attachment", attachment,
                         "submitted_by", json_str_or_null(db_text(s, 9)), "submitted_at",
                         json_str_or_null(db_text(s, 10)), "created_by", db_text(s, 11),
                         "created_at", db_text(s, 12), "updated_at", db_text(s, 13));
        if (facts_text && !db_null(s, 6))
            *facts_text = xstrdup(db_text(s, 6));
    }
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "安全防护工作报告不存在");
    return rc;
}

enum err annual_report_json(struct db *db, long long id, int with_facts, json_t **out)
{
    json_t *r, *v;
    char *facts_text = NULL, source[256], due_text[11];
    struct date due, today = date_today_shanghai();
    int acked;
    *out = NULL;
    enum err rc = report_row(db, id, &r, &facts_text);
    if (rc)
        return rc;
    int year = (int)json_int(r, "year", 0), submitted = !strcmp(json_str(r, "status"), "submitted");
    long long org = id_parse(json_str(r, "org_id"));
    if ((rc = annual_due_date(db, year, &due, source)))
        goto out;
    date_format(due, due_text);
    json_object_set_new(r, "due_date", json_string(due_text));
    json_object_set_new(r, "due_source", json_string(source));
    struct date on;
    int late = submitted ? !date_of(json_str(r, "submitted_at"), &on) && date_cmp(on, due) > 0
                         : date_cmp(today, due) > 0;
    json_object_set_new(r, submitted ? "late" : "overdue", json_boolean(late));
    json_object_set_new(r, submitted ? "overdue" : "late", json_false());
    if ((rc = sections_json(db, id, &v)))
        goto out;
    json_object_set_new(r, "sections", v);
    if ((rc = submissions_json(db, id, &v, &acked)))
        goto out;
    json_object_set_new(r, "submissions", v);
    json_object_set_new(r, "acknowledged", json_boolean(acked));
    if (submitted) {
        json_object_set(r, "routing", v);
        json_object_set_new(r, "routing_error", json_null());
    } else {
        json_t *routing;
        rc = annual_routing(db, org, &routing);
        if (rc == ERR_CONFLICT) {
            json_object_set_new(r, "routing", json_array());
            json_object_set_new(r, "routing_error", json_string(err_last()->msg));
            err_clear();
            rc = ERR_OK;
        } else if (rc) {
            goto out;
        } else {
            json_object_set_new(r, "routing", routing);
            json_object_set_new(r, "routing_error", json_null());
        }
    }
    if (with_facts) {
        json_t *facts = NULL;
        if (facts_text) {
            facts = json_loads(facts_text, 0, NULL);
            if (!facts)
                rc = errf(ERR_INTERNAL, NULL, "报告数据损坏");
        } else {
            rc = annual_facts(db, org, year, today, &facts);
        }
        if (rc)
            goto out;
        json_object_set_new(r, "facts", facts);
    }
out:
    free(facts_text);
    if (rc)
        json_decref(r);
    else
        *out = r;
    return rc;
}

static const char SQL_STATUS[] = "SELECT status FROM annual_reports WHERE id = $1";

static enum err check_draft(struct db *db, long long id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_STATUS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row, found = 0, draft = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        draft = !strcmp(db_text(s, 0), "draft");
    }
    db_done(s);
    if (rc)
        return rc;
    if (!found)
        return errf(ERR_NOT_FOUND, NULL, "安全防护工作报告不存在");
    return draft ? ERR_OK : errf(ERR_CONFLICT, NULL, "报告已报送，不能再修改");
}

static const char SQL_SECTION_ONE[] =
    "SELECT body FROM annual_report_sections WHERE report_id = $1 AND section = $2";
static const char SQL_SECTION_SET[] =
    "INSERT INTO annual_report_sections (report_id, section, body, updated_by, updated_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_id, section) DO UPDATE SET "
    "body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
static const char SQL_TOUCH[] = "UPDATE annual_reports SET updated_at = $2 WHERE id = $1";

enum err annual_report_section_set(struct db *db, const struct audit_ctx *ax, long long id,
                                   const char *section, const char *text)
{
    struct db_stmt *s;
    char now[40];
    long long org;
    int i = annual_section_find(section), row;
    if (i < 0)
        return errf(ERR_NOT_FOUND, NULL, "章节不存在");
    if (strlen(text) > ANNUAL_SECTION_MAX)
        return errf(ERR_VALIDATION, "text", "内容过长（最多 %d 字节）", ANNUAL_SECTION_MAX);
    enum err rc = check_draft(db, id);
    if (rc || (rc = annual_report_org(db, id, &org)) || (rc = db_prepare(db, SQL_SECTION_ONE, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, section);
    json_t *before = NULL;
    if (!(rc = db_step(s, &row)) && row)
        before = json_pack("{s:s,s:s}", "section", section, "text", db_text(s, 0));
    db_done(s);
    time_now_iso(now);
    if (rc || (rc = db_prepare(db, SQL_SECTION_SET, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, section);
    db_bind_text(s, 3, text);
    db_bind_text(s, 4, ax->actor_name);
    db_bind_text(s, 5, now);
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = db_prepare(db, SQL_TOUCH, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, now);
    rc = db_step(s, &row);
    db_done(s);
    if (!rc) {
        json_t *after = json_pack("{s:s,s:s}", "section", section, "text", text);
        rc = audit_report(db, ax, "annual_report.section", id, org, before, after);
        json_decref(after);
    }
out:
    json_decref(before);
    return rc;
}

/* ---- submission ---------------------------------------------------------------------------- */

void annual_submission_release(struct annual_submission *prep)
{
    json_decref(prep->facts);
    json_decref(prep->routing);
    free(prep->xlsx);
    memset(prep, 0, sizeof *prep);
}

/* The narrative sections a submitted report cannot leave empty: annex 5's 二 and 三 are nothing
 * but the operator's own text. */
static enum err check_sections(json_t *report)
{
    json_t *sections = json_object_get(report, "sections"), *e;
    struct sbuf fields, names;
    sbuf_init(&fields, 256);
    sbuf_init(&names, 256);
    size_t i;
    json_array_foreach (sections, i, e) {
        const char *code = json_str(e, "code"), *t = json_str(e, "text");
        if ((strcmp(code, "problems") && strcmp(code, "plan")) || (t && t[strspn(t, " \t\r\n")]))
            continue;
        sbuf_addf(&fields, "%ssections.%s", fields.len ? "," : "", code);
        sbuf_addf(&names, "%s“%s”", names.len ? "、" : "", json_str(e, "title"));
    }
    enum err rc = fields.len ? errf(ERR_VALIDATION, fields.buf, "请先填写%s", names.buf) : ERR_OK;
    sbuf_release(&fields);
    sbuf_release(&names);
    return rc;
}

enum err annual_submit_prepare(struct db *db, long long id, struct date today,
                               struct annual_submission *prep)
{
    json_t *report;
    memset(prep, 0, sizeof *prep);
    enum err rc = check_draft(db, id);
    if (rc || (rc = annual_report_json(db, id, 0, &report)))
        return rc;
    prep->org_id = id_parse(json_str(report, "org_id"));
    prep->year = (int)json_int(report, "year", 0);
    if (!(rc = check_sections(report)) &&
        !(rc = annual_routing(db, prep->org_id, &prep->routing)) &&
        !(rc = annual_facts(db, prep->org_id, prep->year, today, &prep->facts)) &&
        !(rc = exposure_export_xlsx(db, prep->org_id, &prep->xlsx, &prep->xlsx_len)))
        rc = crypto_sm3_hex(prep->xlsx, prep->xlsx_len, prep->sm3);
    json_decref(report);
    if (rc)
        annual_submission_release(prep);
    return rc;
}

static const char SQL_SUBMIT[] =
    "UPDATE annual_reports SET status = 'submitted', facts = $2, exposure_sm3 = $3, "
    "exposure_size = $4, submitted_by = $5, submitted_at = $6, updated_at = $6 "
    "WHERE id = $1 AND status = 'draft'";
static const char SQL_SUBMISSION[] =
    "INSERT INTO annual_submissions (report_id, org_id, year, receiver_org_id, route, "
    "submitted_at) VALUES ($1, $2, $3, $4, $5, $6)";

enum err annual_submit_commit(struct db *db, const struct audit_ctx *ax, long long id,
                              const struct annual_submission *prep)
{
    struct db_stmt *s;
    char now[40];
    int row;
    enum err rc = check_draft(db, id);
    if (rc || (rc = db_prepare(db, SQL_SUBMIT, &s)))
        return rc;
    char *facts = json_canonical(prep->facts);
    time_now_iso(now);
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, facts);
    db_bind_text(s, 3, prep->sm3);
    db_bind_int(s, 4, (long long)prep->xlsx_len);
    db_bind_text(s, 5, ax->actor_name);
    db_bind_text(s, 6, now);
    rc = db_step(s, &row);
    if (!rc && db_changes(s) != 1)
        rc = errf(ERR_CONFLICT, NULL, "报告已报送");
    db_done(s);
    free(facts);
    size_t i;
    json_t *e;
    json_array_foreach (prep->routing, i, e) {
        if (rc || (rc = db_prepare(db, SQL_SUBMISSION, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, prep->org_id);
        db_bind_int(s, 3, prep->year);
        db_bind_int(s, 4, id_parse(json_str(e, "org_id")));
        db_bind_text(s, 5, json_str(e, "route"));
        db_bind_text(s, 6, now);
        rc = db_step(s, &row);
        db_done(s);
    }
    if (rc)
        return rc;
    json_t *after =
        json_pack("{s:s,s:O,s:s,s:I}", "status", "submitted", "receivers", prep->routing,
                  "exposure_sm3", prep->sm3, "exposure_size", (json_int_t)prep->xlsx_len);
    json_t *before = json_pack("{s:s}", "status", "draft");
    rc = audit_report(db, ax, "annual_report.submit", id, prep->org_id, before, after);
    json_decref(before);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "org", prep->org_id);
}

static const char SQL_ACK_ROW[] =
    "SELECT acknowledged_at FROM annual_submissions WHERE report_id = $1 "
    "AND receiver_org_id = $2";
static const char SQL_ACK[] =
    "UPDATE annual_submissions SET acknowledged_by = $3, acknowledged_at = $4, ack_comment = $5 "
    "WHERE report_id = $1 AND receiver_org_id = $2 AND acknowledged_at IS NULL";

enum err annual_acknowledge(struct db *db, const struct audit_ctx *ax, long long id,
                            long long receiver_org, const char *comment)
{
    struct db_stmt *s;
    long long org;
    int row, found = 0, acked = 0;
    enum err rc = annual_report_org(db, id, &org);
    if (rc || (rc = db_prepare(db, SQL_ACK_ROW, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, receiver_org);
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        acked = !db_null(s, 0);
    }
    db_done(s);
    if (rc)
        return rc;
    if (!found)
        return errf(ERR_FORBIDDEN, NULL, "本单位不是该报告的报送对象");
    if (acked)
        return errf(ERR_CONFLICT, NULL, "本单位已确认收到该报告");
    char now[40], idbuf[24];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_ACK, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, receiver_org);
    db_bind_text(s, 3, ax->actor_name);
    db_bind_text(s, 4, now);
    db_bind_text(s, 5, comment);
    rc = db_step(s, &row);
    db_done(s);
    if (rc)
        return rc;
    json_t *after = json_pack("{s:s,s:s,s:o}", "receiver_org_id", id_text(receiver_org, idbuf),
                              "acknowledged_at", now, "comment", json_str_or_null(comment));
    rc = audit_report(db, ax, "annual_report.acknowledge", id, org, NULL, after);
    json_decref(after);
    return rc;
}

/* ---- who has not submitted ------------------------------------------------------------------ */

static const char *const SQL_MISSING[3] =
    SCOPED("SELECT o.id, o.name, o.kind, o.province, o.parent_id, p.name, r.id, r.status "
           "FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id "
           "LEFT JOIN annual_reports r ON r.org_id = o.id AND r.year = $2 WHERE ",
           "o.id",
           " AND o.kind NOT LIKE 'regulator%' AND (r.id IS NULL OR r.status <> 'submitted') "
           "ORDER BY o.province, o.name, o.id");

enum err annual_missing_json(struct db *db, const struct caller *c, int year, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, scope_sql(c, SQL_MISSING), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    db_bind_int(s, 2, year);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        const struct org_kind *k = org_kind_find(db_text(s, 2));
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "org_id", db_text(s, 0),
                      "org_name", db_text(s, 1), "kind", db_text(s, 2), "kind_name",
                      k ? k->name : "", "province", db_text(s, 3), "province_name",
                      province_name(db_text(s, 3)) ? province_name(db_text(s, 3)) : "", "parent_id",
                      json_str_or_null(db_text(s, 4)), "parent_name",
                      json_str_or_null(db_text(s, 5)), "report_id", json_str_or_null(db_text(s, 6)),
                      "status", db_null(s, 7) ? "none" : db_text(s, 7)));
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}
