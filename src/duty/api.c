/* HTTP: duties in the caller's scope (list, month view, summary, the regulator's overdue board)
 * and regulators' campaigns (专项工作) with their due dates. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "duty.h"
#include "http/export.h"
#include "http/http.h"
#include "store/store.h"
#include "timeutil.h"

#define DUTY_COLS                                                                                  \
    "SELECT d.id, d.duty_key, d.org_id, o.name, o.province, d.unit_id, un.name, d.kind, d.title, " \
    "d.due_date, d.rule, d.source, d.fulfils, d.done_at FROM duties d "                            \
    "JOIN orgs o ON o.id = d.org_id LEFT JOIN units un ON un.id = d.unit_id WHERE "
#define DUTY_FILTERS                                                                               \
    " AND (CAST($2 AS BIGINT) IS NULL OR d.org_id = $2)"                                           \
    " AND (CAST($3 AS BIGINT) IS NULL OR d.unit_id = $3)"                                          \
    " AND (CAST($4 AS TEXT) IS NULL OR d.kind = $4)"                                               \
    " AND (CAST($5 AS TEXT) IS NULL OR ($5 = 'done' AND d.done_at IS NOT NULL)"                    \
    " OR ($5 = 'open' AND d.done_at IS NULL)"                                                      \
    " OR ($5 = 'overdue' AND d.done_at IS NULL AND d.due_date < $6)"                               \
    " OR ($5 = 'due_soon' AND d.done_at IS NULL AND d.due_date >= $6 AND d.due_date <= $7)"        \
    " OR ($5 = 'upcoming' AND d.done_at IS NULL AND d.due_date > $7))"                             \
    " AND (CAST($8 AS TEXT) IS NULL OR d.due_date >= $8)"                                          \
    " AND (CAST($9 AS TEXT) IS NULL OR d.due_date <= $9)"

static const char *const SQL_LIST[3] =
    SCOPED(DUTY_COLS, "d.org_id", DUTY_FILTERS " ORDER BY d.due_date, d.id LIMIT $10 OFFSET $11");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM duties d WHERE ", "d.org_id", DUTY_FILTERS);

/* Open duties in a due-date range ($6..$7, computed from the state): no OR in the predicate, so
 * the (org_id, done_at, due_date) index serves a regulator's whole jurisdiction. $5 is the
 * state itself, referenced so that every parameter has a type. */
#define DUTY_FILTERS_OPEN                                                                          \
    " AND (CAST($2 AS BIGINT) IS NULL OR d.org_id = $2)"                                           \
    " AND (CAST($3 AS BIGINT) IS NULL OR d.unit_id = $3)"                                          \
    " AND (CAST($4 AS TEXT) IS NULL OR d.kind = $4)"                                               \
    " AND CAST($5 AS TEXT) IS NOT NULL AND d.done_at IS NULL"                                      \
    " AND d.due_date >= $6 AND d.due_date <= $7"                                                   \
    " AND (CAST($8 AS TEXT) IS NULL OR d.due_date >= $8)"                                          \
    " AND (CAST($9 AS TEXT) IS NULL OR d.due_date <= $9)"
static const char *const SQL_LIST_OPEN[3] = SCOPED(
    DUTY_COLS, "d.org_id", DUTY_FILTERS_OPEN " ORDER BY d.due_date, d.id LIMIT $10 OFFSET $11");
static const char *const SQL_COUNT_OPEN[3] =
    SCOPED("SELECT COUNT(*) FROM duties d WHERE ", "d.org_id", DUTY_FILTERS_OPEN);

/* The due-date range of an open state: overdue before today, due_soon within 30 days,
 * upcoming after that, open any. 0 when the state is not an open one. */
static int open_range(const char *state, struct date today, char lo[11], char hi[11])
{
    char t[11], yesterday[11], soon[11], after[11];
    date_format(today, t);
    date_format(date_add_days(today, -1), yesterday);
    date_format(date_add_days(today, 30), soon);
    date_format(date_add_days(today, 31), after);
    const char *l, *h;
    if (!state || !*state || !strcmp(state, "done"))
        return 0;
    if (!strcmp(state, "overdue"))
        l = "0000-01-01", h = yesterday;
    else if (!strcmp(state, "due_soon"))
        l = t, h = soon;
    else if (!strcmp(state, "upcoming"))
        l = after, h = "9999-12-31";
    else
        l = "0000-01-01", h = "9999-12-31";
    snprintf(lo, 11, "%s", l);
    snprintf(hi, 11, "%s", h);
    return 1;
}

static json_t *duty_row(struct db_stmt *s, struct date today)
{
    char id[24], org[24], unit[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(org, sizeof org, "%lld", db_int(s, 2));
    snprintf(unit, sizeof unit, "%lld", db_int(s, 5));
    const char *state = duty_state(db_text(s, 9), db_text(s, 13), today);
    struct date due;
    long days = date_parse(db_text(s, 9), &due) ? 0 : date_to_days(due) - date_to_days(today);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:i}", "id",
                     id, "key", db_text(s, 1), "org_id", org, "org_name", db_text(s, 3), "province",
                     db_text(s, 4), "unit_id", db_null(s, 5) ? json_null() : json_string(unit),
                     "unit_name", json_str_or_null(db_text(s, 6)), "kind", db_text(s, 7), "title",
                     db_text(s, 8), "due_date", db_text(s, 9), "rule", db_text(s, 10), "source",
                     db_text(s, 11), "fulfils", db_text(s, 12), "done_at",
                     json_str_or_null(db_text(s, 13)), "state", state, "state_name",
                     duty_state_name(state), "days_left", (int)days);
}

static enum err check_state(const char *state)
{
    static const char *const ok[] = {"open", "done", "overdue", "due_soon", "upcoming"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(state, ok[i]))
            return ERR_OK;
    return errf(ERR_VALIDATION, "state", "状态应为 open、done、overdue、due_soon 或 upcoming");
}

static void bind_filters(struct request *r, struct db_stmt *s, const char *today, const char *soon)
{
    scope_bind(s, &r->caller);
    static const char *const ids[] = {"org_id", "unit_id"};
    for (int i = 0; i < 2; i++) {
        const char *v = req_query(r, ids[i]);
        if (v && *v)
            db_bind_int(s, 2 + i, id_parse(v) >= 0 ? id_parse(v) : -1);
        else
            db_bind_null(s, 2 + i);
    }
    static const char *const texts[] = {"kind", "state"};
    for (int i = 0; i < 2; i++) {
        const char *v = req_query(r, texts[i]);
        db_bind_text(s, 4 + i, v && *v ? v : NULL);
    }
    db_bind_text(s, 6, today);
    db_bind_text(s, 7, soon);
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    db_bind_text(s, 8, from && *from ? from : NULL);
    db_bind_text(s, 9, to && *to ? to : NULL);
}

static enum err list(struct request *r)
{
    long long limit, offset, total;
    enum err rc = req_page(r, &limit, &offset);
    const char *state = req_query(r, "state"), *from = req_query(r, "from"),
               *to = req_query(r, "to");
    struct date today = date_today_shanghai(), tmp;
    char t[11], soon[11];
    if (rc || (state && *state && (rc = check_state(state))))
        return rc;
    if ((from && *from && date_parse(from, &tmp)) || (to && *to && date_parse(to, &tmp)))
        return errf(ERR_VALIDATION, from && *from && date_parse(from, &tmp) ? "from" : "to",
                    "日期应为 YYYY-MM-DD");
    date_format(today, t);
    date_format(date_add_days(today, 30), soon);
    char lo[11], hi[11];
    int open = open_range(state, today, lo, hi);
    const char *lo_or_today = open ? lo : t, *hi_or_soon = open ? hi : soon;
    struct db_stmt *s;
    if ((rc = db_prepare(r->db, scope_sql(&r->caller, open ? SQL_COUNT_OPEN : SQL_COUNT), &s)))
        return rc;
    bind_filters(r, s, lo_or_today, hi_or_soon);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, open ? SQL_LIST_OPEN : SQL_LIST), &s)))
        return rc;
    bind_filters(r, s, lo_or_today, hi_or_soon);
    db_bind_int(s, 10, limit);
    db_bind_int(s, 11, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, duty_row(s, today));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static const char *const SQL_SUMMARY[3] = SCOPED(
    "SELECT d.kind, SUM(CASE WHEN d.done_at IS NOT NULL THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN d.done_at IS NULL AND d.due_date < $2 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN d.done_at IS NULL AND d.due_date >= $2 AND d.due_date <= $3 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN d.done_at IS NULL AND d.due_date > $3 THEN 1 ELSE 0 END) FROM duties d WHERE ",
    "d.org_id",
    " AND (CAST($4 AS BIGINT) IS NULL OR d.org_id = $4) GROUP BY d.kind ORDER BY d.kind");

static enum err summary(struct request *r)
{
    struct date today = date_today_shanghai();
    char t[11], soon[11];
    date_format(today, t);
    date_format(date_add_days(today, 30), soon);
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_SUMMARY), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, t);
    db_bind_text(s, 3, soon);
    const char *org = req_query(r, "org_id");
    if (org && *org)
        db_bind_int(s, 4, id_parse(org) >= 0 ? id_parse(org) : -1);
    else
        db_bind_null(s, 4);
    long long totals[4] = {0};
    json_t *kinds = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        long long v[4];
        for (int i = 0; i < 4; i++)
            totals[i] += v[i] = db_int(s, 1 + i);
        json_array_append_new(kinds,
                              json_pack("{s:s,s:I,s:I,s:I,s:I}", "kind", db_text(s, 0), "done",
                                        (json_int_t)v[0], "overdue", (json_int_t)v[1], "due_soon",
                                        (json_int_t)v[2], "upcoming", (json_int_t)v[3]));
    }
    db_done(s);
    if (rc) {
        json_decref(kinds);
        return rc;
    }
    reply_json(r, 200,
               json_pack("{s:I,s:I,s:I,s:I,s:o}", "done", (json_int_t)totals[0], "overdue",
                         (json_int_t)totals[1], "due_soon", (json_int_t)totals[2], "upcoming",
                         (json_int_t)totals[3], "by_kind", kinds));
    return ERR_OK;
}

static const char *const SQL_OVERDUE_BY_ORG[3] =
    SCOPED("SELECT o.province, o.id, o.name, COUNT(*) FROM duties d JOIN orgs o ON o.id = d.org_id "
           "WHERE ",
           "d.org_id",
           " AND d.done_at IS NULL AND d.due_date < $2 GROUP BY o.province, o.id, o.name "
           "ORDER BY COUNT(*) DESC, o.id LIMIT 100");

/* The regulator's board: overdue duties by province and organisation. */
static enum err overdue_board(struct request *r)
{
    char t[11];
    date_format(date_today_shanghai(), t);
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_OVERDUE_BY_ORG), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, t);
    json_t *orgs = json_array(), *provinces = json_object();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24];
        snprintf(id, sizeof id, "%lld", db_int(s, 1));
        long long n = db_int(s, 3);
        const char *p = db_text(s, 0);
        json_array_append_new(orgs, json_pack("{s:s,s:s,s:s,s:I}", "province", p, "org_id", id,
                                              "org_name", db_text(s, 2), "overdue", (json_int_t)n));
        json_object_set_new(provinces, p,
                            json_integer(json_integer_value(json_object_get(provinces, p)) + n));
    }
    db_done(s);
    if (rc) {
        json_decref(orgs);
        json_decref(provinces);
        return rc;
    }
    reply_json(r, 200, json_pack("{s:o,s:o}", "by_org", orgs, "by_province", provinces));
    return ERR_OK;
}

/* Campaigns (专项工作): a regulator sets a due date for organisations of its jurisdiction. */
static const struct jfield CAMPAIGN[] = {
    {"title", JT_STRING, 1, 200, 0, 0, "标题"},
    {"description", JT_STRING, 0, 8000, 0, 0, "说明"},
    {"due_date", JT_DATE, 1, 10, 0, 0, "截止日期"},
    {"org_ids", JT_ARRAY, 1, 10000, 0, 0, "对象单位"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const char SQL_NEW_CAMPAIGN[] =
    "INSERT INTO campaigns (regulator_org_id, title, description, due_date, created_by, "
    "created_at) VALUES ($1, $2, COALESCE($3, ''), $4, $5, $6) RETURNING id";
static const char SQL_TARGET[] =
    "INSERT INTO campaign_targets (campaign_id, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";

static enum err campaign_create(struct request *r)
{
    json_t *in;
    enum err rc;
    if (!role_is_regulator(r->caller.role))
        return errf(ERR_FORBIDDEN, NULL, "只有电信主管部门可以下发专项工作");
    if ((rc = req_json(r, CAMPAIGN, &in)))
        return rc;
    json_t *ids = json_object_get(in, "org_ids"), *v;
    size_t i;
    if (!json_array_size(ids))
        return errf(ERR_VALIDATION, "org_ids", "至少选择一个对象单位");
    json_array_foreach (ids, i, v) {
        long long org = json_is_string(v) ? id_parse(json_string_value(v)) : -1;
        if (org < 0 || scope_check_org(r, org))
            return errf(ERR_NOT_FOUND, "org_ids", "第 %zu 个对象单位不存在或不在管辖范围内", i + 1);
    }
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    long long id = 0;
    if ((rc = db_prepare(r->db, SQL_NEW_CAMPAIGN, &s)))
        return rc;
    db_bind_int(s, 1, r->caller.org_id);
    db_bind_text(s, 2, json_str(in, "title"));
    db_bind_text(s, 3, json_str(in, "description"));
    db_bind_text(s, 4, json_str(in, "due_date"));
    db_bind_text(s, 5, r->caller.username);
    db_bind_text(s, 6, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        id = db_int(s, 0);
    db_done(s);
    json_array_foreach (ids, i, v) {
        if (rc || (rc = db_prepare(r->db, SQL_TARGET, &s)))
            return rc;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, id_parse(json_string_value(v)));
        rc = db_step(s, &row);
        db_done(s);
    }
    if (rc ||
        (rc = audit_request(r, "campaign.create", "campaign", id, r->caller.org_id, NULL, in)) ||
        (rc = duty_refresh(r->db, "campaign", id)))
        return rc;
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    reply_json(r, 201,
               json_pack("{s:s,s:s,s:s,s:I}", "id", idbuf, "title", json_str(in, "title"),
                         "due_date", json_str(in, "due_date"), "targets",
                         (json_int_t)json_array_size(ids)));
    return ERR_OK;
}

/* Campaigns that concern the caller: issued by its organisation, or targeting an organisation
 * it can see. */
static const char *const SQL_CAMPAIGNS[3] = SCOPED(
    "SELECT c.id, c.title, c.description, c.due_date, c.created_at, o.name, "
    "(SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = c.id), "
    "(SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = c.id AND t.done_at IS NOT "
    "NULL) "
    "FROM campaigns c JOIN orgs o ON o.id = c.regulator_org_id WHERE c.regulator_org_id = $1 OR "
    "EXISTS (SELECT 1 FROM campaign_targets tt WHERE tt.campaign_id = c.id AND ",
    "tt.org_id", ") ORDER BY c.id DESC LIMIT 200");

static const char *const SQL_TARGETS[3] =
    SCOPED("SELECT t.org_id, o.name, t.done_at FROM campaign_targets t JOIN orgs o ON o.id = "
           "t.org_id WHERE t.campaign_id = $2 AND ",
           "t.org_id", " ORDER BY o.name");

/* The targets of a campaign that the caller can see, each with its completion date. */
static enum err add_targets(struct request *r, json_t *campaign)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_TARGETS), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, id_parse(json_str(campaign, "id")));
    json_t *arr = json_array();
    json_object_set_new(campaign, "target_orgs", arr);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char org[24];
        snprintf(org, sizeof org, "%lld", db_int(s, 0));
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:o}", "org_id", org, "org_name", db_text(s, 1),
                                        "done_at", json_str_or_null(db_text(s, 2))));
    }
    db_done(s);
    return rc;
}

static enum err campaigns_list(struct request *r)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_CAMPAIGNS), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24];
        snprintf(id, sizeof id, "%lld", db_int(s, 0));
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", id, "title", db_text(s, 1),
                             "description", db_text(s, 2), "due_date", db_text(s, 3), "created_at",
                             db_text(s, 4), "issuer", db_text(s, 5), "targets",
                             (json_int_t)db_int(s, 6), "done", (json_int_t)db_int(s, 7)));
    }
    db_done(s);
    size_t i;
    json_t *c;
    json_array_foreach (items, i, c) {
        if (!rc)
            rc = add_targets(r, c);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static const struct jfield COMPLETE[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "单位"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const char SQL_COMPLETE[] = "UPDATE campaign_targets SET done_at = $3 "
                                   "WHERE campaign_id = $1 AND org_id = $2 AND done_at IS NULL";

static const char SQL_TARGET_DONE[] =
    "SELECT COUNT(*) FROM campaign_targets WHERE campaign_id = $1 "
    "AND org_id = $2 AND done_at IS NOT NULL";

/* An operator reports its part of a campaign done. */
static enum err campaign_complete(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = req_json(r, COMPLETE, &in)))
        return rc;
    org = id_parse(json_str(in, "org_id"));
    if ((rc = scope_check_org(r, org)))
        return rc;
    if (!role_is_operator(r->caller.role))
        return errf(ERR_FORBIDDEN, NULL, "只有运行单位可以报送完成情况");
    struct db_stmt *s;
    char today[11];
    date_format(date_today_shanghai(), today);
    if ((rc = db_prepare(r->db, SQL_COMPLETE, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, org);
    db_bind_text(s, 3, today);
    int row;
    rc = db_step(s, &row);
    long long n = db_changes(s);
    db_done(s);
    if (!rc && !n) {
        /* Already reported (409) or not a target of this campaign (404). */
        struct db_stmt *t;
        long long done = 0;
        if ((rc = db_prepare(r->db, SQL_TARGET_DONE, &t)))
            return rc;
        db_bind_int(t, 1, id);
        db_bind_int(t, 2, org);
        if ((rc = db_scalar_int(t, 0, &done)))
            return rc;
        return done ? errf(ERR_CONFLICT, NULL, "该单位已报送完成情况")
                    : errf(ERR_NOT_FOUND, NULL, "专项工作不存在");
    }
    if (rc || (rc = audit_request(r, "campaign.complete", "campaign", id, org, NULL, in)) ||
        (rc = duty_refresh(r->db, "campaign", id)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

static const struct export_col duty_cols[] = {
    {"title", "事项", NULL},
    {"kind", "类型",
     "filing=定级备案|change_filing=变更备案|correction=备案退回补正|assessment=符合性评测|"
     "reassessment=调整后重新评测|assessment_submit=报送评测结果|risk_assessment=安全风险评估|"
     "risk_submit=报送风险评估结果|annual_report=年度安全防护工作报告|campaign=专项工作|"
     "mlps_police_filing=等级保护公安机关备案|incident_report=网络安全事件报告|"
     "incident_cac_report=向网信部门报告事件|incident_summary=事件总结报告|"
     "drill_rectification=演练问题整改|notice=威胁通报处置|inspection=网络安全检查"},
    {"fulfils", "完成方式", NULL},
    {"org_name", "单位", NULL},
    {"unit_name", "网络单元", NULL},
    {"due_date", "期限", NULL},
    {"days_left", "剩余天数", NULL},
    {"state_name", "状态", NULL},
    {"done_at", "完成时间", NULL},
    {"source", "依据", NULL},
    {"rule", "规则", NULL},
    {NULL, NULL, NULL},
};

/* 专项工作: 完成进度 as its two counts. The operator's own column (本单位) comes from its duties,
 * not from the campaign, and stays on the duties' export. */
/* 完成进度 as the console words it: "3 / 5 个单位已报送". */
static void campaign_export_prepare(json_t *c)
{
    char text[64];
    snprintf(text, sizeof text, "%lld / %lld 个单位已报送", json_int(c, "done", 0),
             json_int(c, "targets", 0));
    json_object_set_new(c, "progress_text", json_string(text));
}

static const struct export_col campaign_cols[] = {
    {"title", "专项工作", NULL},         {"description", "说明", NULL},
    {"issuer", "下发单位", NULL},        {"due_date", "截止日期", NULL},
    {"progress_text", "完成进度", NULL}, {"done", "已报送单位数", NULL},
    {"targets", "对象单位数", NULL},     {NULL, NULL, NULL},
};

const struct list_export duty_exports[] = {
    {"/api/v1/duties", "待办与期限", duty_cols, NULL, NULL},
    {"/api/v1/campaigns", "专项工作", campaign_cols, NULL, campaign_export_prepare},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route duty_routes[] = {
    {"GET", "/api/v1/duties", list, 0},
    {"GET", "/api/v1/duties/summary", summary, 0},
    {"GET", "/api/v1/duties/overdue-board", overdue_board, 0},
    {"GET", "/api/v1/campaigns", campaigns_list, 0},
    {"POST", "/api/v1/campaigns", campaign_create, 0},
    {"POST", "/api/v1/campaigns/:id/complete", campaign_complete, 0},
    {NULL, NULL, NULL, 0},
};
