/* The producers of R3 duties: network units (filing, change filing, correction, 符合性评测,
 * re-assessment, risk assessment, MLPS police filing), assessment and risk-assessment result
 * submission, the annual work report, and regulators' campaigns. Each reads with one query, so
 * a full recompute streams through the rows once. */
#include <stdio.h>
#include <string.h>

#include "calendar/calendar.h"
#include "duty.h"
#include "org/org.h"
#include "report/annual.h"
#include "store/store.h"

static int date_of(const char *iso, struct date *out)
{
    char buf[11];
    if (!iso || strlen(iso) < 10)
        return -1;
    memcpy(buf, iso, 10);
    buf[10] = '\0';
    return date_parse(buf, out) ? -1 : 0;
}

#define UNIT_DUTY_COLS                                                                             \
    "SELECT u.id, u.org_id, u.level, u.status, u.filing_status, u.filing_number, u.graded_at, "    \
    "u.filed_at, u.filed_level, u.change_since, u.correction_due, u.reassess_since, "              \
    "u.mlps_level, u.mlps_graded_at, u.mlps_police_filing_no, u.online_date, "                     \
    "(SELECT MAX(a.ended_on) FROM assessments a WHERE a.unit_id = u.id), "                         \
    "(SELECT MAX(ra.ended_on) FROM risk_assessments ra WHERE ra.unit_id = u.id), "                 \
    "(SELECT COUNT(*) FROM risk_assessments rp WHERE rp.unit_id = u.id AND rp.pre_launch = 1 "     \
    "AND rp.ended_on IS NOT NULL), "                                                               \
    "(SELECT MAX(f.submitted_at) FROM filings f WHERE f.unit_id = u.id) "                          \
    "FROM units u WHERE u.status <> 'retired'"
static const char SQL_UNIT_ALL[] = UNIT_DUTY_COLS;
static const char SQL_UNIT_ONE[] = UNIT_DUTY_COLS " AND u.id = $1";
static const char SQL_UNIT_RANGE[] = UNIT_DUTY_COLS " AND u.id >= $1 AND u.id <= $2";

enum ucol {
    C_ID,
    C_ORG,
    C_LEVEL,
    C_STATUS,
    C_FS,
    C_NUMBER,
    C_GRADED,
    C_FILED,
    C_FILED_LEVEL,
    C_CHANGE,
    C_CORRECTION,
    C_REASSESS,
    C_MLPS,
    C_MLPS_GRADED,
    C_POLICE,
    C_ONLINE,
    C_LAST_ASSESS,
    C_LAST_RISK,
    C_PRELAUNCH,
    C_LAST_SUBMIT
};

static enum err unit_row(struct duty_sink *sink, struct db_stmt *s, struct date today)
{
    (void)today;
    const struct duty_ruleset *rs = duty_ruleset_default();
    long long id = db_int(s, C_ID);
    struct duty_item it = {.org_id = db_int(s, C_ORG), .unit_id = id};
    const char *fs = db_text(s, C_FS);
    struct date d, last;
    enum err rc = ERR_OK;
#define EMIT(suffix)                                                                               \
    do {                                                                                           \
        duty_item_name(&it, "unit", id, suffix);                                                   \
        if ((rc = duty_emit(sink, &it)))                                                           \
            return rc;                                                                             \
        it.done = 0;                                                                               \
        it.title = it.fulfils = it.source = NULL;                                                  \
    } while (0)

    /* 部令第11号: 定级通过评审后 30 日内备案; submitting it fulfils the operator's part. */
    if (!db_text(s, C_NUMBER) && !date_of(db_text(s, C_GRADED), &d) &&
        (!strcmp(fs, "draft") || !strcmp(fs, "returned") || !strcmp(fs, "submitted"))) {
        it.kind = DUTY_FILING;
        it.due = duty_filing_due(rs, d);
        it.fulfils = "提交定级备案";
        if (!strcmp(fs, "submitted") && !date_of(db_text(s, C_LAST_SUBMIT), &it.done_on))
            it.done = 1;
        EMIT("filing");
    }
    if (!date_of(db_text(s, C_CORRECTION), &d) &&
        (!strcmp(fs, "returned") || !strcmp(fs, "change_pending"))) {
        it.kind = DUTY_CORRECTION;
        it.due = d;
        it.fulfils = "按审核意见补正后重新提交";
        EMIT("correction");
    }
    /* 部令第11号: 备案信息变化后 30 日内变更备案 */
    if (!date_of(db_text(s, C_CHANGE), &d) &&
        (!strcmp(fs, "change_pending") || !strcmp(fs, "submitted"))) {
        it.kind = DUTY_CHANGE_FILING;
        it.due = duty_change_filing_due(rs, d);
        it.fulfils = "提交变更备案";
        if (!strcmp(fs, "submitted") && !date_of(db_text(s, C_LAST_SUBMIT), &it.done_on))
            it.done = 1;
        EMIT("change_filing");
    }
    int filed_level = db_null(s, C_FILED_LEVEL) ? 0 : (int)db_int(s, C_FILED_LEVEL);
    int has_last = !date_of(db_text(s, C_LAST_ASSESS), &last);
    /* 331号 §三: 第3级及以上每年、第2级每两年一次符合性评测 */
    if (filed_level >= 2 && !date_of(db_text(s, C_FILED), &d) &&
        !duty_assessment_due(rs, filed_level, has_last ? &last : NULL, d, &it.due)) {
        it.kind = DUTY_ASSESSMENT;
        it.fulfils = "完成符合性评测";
        EMIT("assessment");
    }
    /* 331号 §三: 网络单元重新划分或级别调整后九十日内重新评测 */
    if (!date_of(db_text(s, C_REASSESS), &d) && (!has_last || date_cmp(last, d) < 0)) {
        it.kind = DUTY_REASSESSMENT;
        it.due = date_add_days(d, rs->reassess_days);
        it.fulfils = "调整后完成符合性评测";
        EMIT("reassessment");
    }
    /* 331号 §四: 上线前开展风险评估；上线后按符合性评测频次常态化评估 */
    if (!strcmp(db_text(s, C_STATUS), "planned") && !db_null(s, C_LEVEL) &&
        db_int(s, C_PRELAUNCH) == 0 && !date_of(db_text(s, C_ONLINE), &d)) {
        it.kind = DUTY_RISK_ASSESSMENT;
        it.due = d;
        it.title = "上线前安全风险评估";
        it.fulfils = "上线前完成安全风险评估";
        EMIT("risk_prelaunch");
    }
    int has_risk = !date_of(db_text(s, C_LAST_RISK), &last);
    if (filed_level >= 2 && !date_of(db_text(s, C_FILED), &d) &&
        !duty_assessment_due(rs, filed_level, has_risk ? &last : NULL, d, &it.due)) {
        it.kind = DUTY_RISK_ASSESSMENT;
        it.fulfils = "完成安全风险评估";
        EMIT("risk");
    }
    /* R2: 第二级以上定级后向公安机关备案（默认 10 个工作日，按工作日计算） */
    if (!db_null(s, C_MLPS) && db_int(s, C_MLPS) >= 2 && !db_text(s, C_POLICE) &&
        !date_of(db_text(s, C_MLPS_GRADED), &d) && !calendar_add_workdays(d, 10, &it.due)) {
        it.kind = DUTY_MLPS_POLICE_FILING;
        it.fulfils = "取得公安机关备案证明";
        EMIT("mlps_police");
    }
#undef EMIT
    return rc;
}

static enum err stream(struct db *db, const char *sql, long long id, struct date today,
                       struct duty_sink *sink,
                       enum err (*row_fn)(struct duty_sink *, struct db_stmt *, struct date))
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    if (id)
        db_bind_int(s, 1, id);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        if ((rc = row_fn(sink, s, today)))
            break;
    db_done(s);
    return rc;
}

static enum err units(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    return stream(db, id ? SQL_UNIT_ONE : SQL_UNIT_ALL, id, today, sink, unit_row);
}

static enum err units_new(struct db *db, long long first, long long last, struct date today,
                          struct duty_sink *sink)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNIT_RANGE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, first);
    db_bind_int(s, 2, last);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        if ((rc = unit_row(sink, s, today)))
            break;
    db_done(s);
    return rc;
}

/* 331号 §三、§四: 评测/评估结束后三十日内报送结果 */
#define SUBMIT_COLS(table)                                                                         \
    "SELECT id, org_id, unit_id, ended_on FROM " table                                             \
    " WHERE ended_on IS NOT NULL AND submitted_at IS NULL"
static const char SQL_ASSESS_ALL[] = SUBMIT_COLS("assessments");
static const char SQL_ASSESS_ONE[] = SUBMIT_COLS("assessments") " AND id = $1";
static const char SQL_RISK_ALL[] = SUBMIT_COLS("risk_assessments");
static const char SQL_RISK_ONE[] = SUBMIT_COLS("risk_assessments") " AND id = $1";

static enum err submit_row(struct duty_sink *sink, struct db_stmt *s, enum duty_kind kind,
                           const char *subject)
{
    struct duty_item it = {.kind = kind, .org_id = db_int(s, 1), .unit_id = db_int(s, 2)};
    struct date end;
    if (date_of(db_text(s, 3), &end))
        return ERR_OK;
    it.due = date_add_days(end, duty_ruleset_default()->submit_days);
    it.fulfils =
        kind == DUTY_ASSESSMENT_SUBMIT ? "报送评测结果和证据" : "报送评估结果、隐患处理情况或计划";
    duty_item_name(&it, subject, db_int(s, 0), "submit");
    return duty_emit(sink, &it);
}

static enum err assess_row(struct duty_sink *sink, struct db_stmt *s, struct date today)
{
    (void)today;
    return submit_row(sink, s, DUTY_ASSESSMENT_SUBMIT, "assessment");
}

static enum err risk_row(struct duty_sink *sink, struct db_stmt *s, struct date today)
{
    (void)today;
    return submit_row(sink, s, DUTY_RISK_SUBMIT, "risk");
}

static enum err assessments(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    return stream(db, id ? SQL_ASSESS_ONE : SQL_ASSESS_ALL, id, today, sink, assess_row);
}

static enum err risks(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    return stream(db, id ? SQL_RISK_ONE : SQL_RISK_ALL, id, today, sink, risk_row);
}

/* 331号 §八: every operator submits its annual work report by 30 November. */
static const char SQL_ORG_ALL[] = "SELECT id, kind FROM orgs";
static const char SQL_ORG_ONE[] = "SELECT id, kind FROM orgs WHERE id = $1";

static enum err org_row(struct duty_sink *sink, struct db_stmt *s, struct date today)
{
    const struct org_kind *k = org_kind_find(db_text(s, 1));
    if (!k || k->regulator)
        return ERR_OK;
    const struct duty_ruleset *rs = duty_ruleset_default();
    struct duty_item it = {.kind = DUTY_ANNUAL_REPORT, .org_id = db_int(s, 0)};
    it.due = (struct date){today.y, rs->report_month, rs->report_day};
    it.fulfils = "报送本年度网络安全防护工作报告（附暴露面信息）";
    char suffix[24];
    snprintf(suffix, sizeof suffix, "annual_report:%d", today.y);
    duty_item_name(&it, "org", it.org_id, suffix);
    /* The year's due date from its table, and done once the report was submitted. */
    return annual_duty_emit(sink, &it, today.y);
}

static enum err orgs(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    return stream(db, id ? SQL_ORG_ONE : SQL_ORG_ALL, id, today, sink, org_row);
}

static const char SQL_CAMPAIGN_ALL[] =
    "SELECT c.id, t.org_id, c.title, c.due_date, t.done_at FROM campaigns c "
    "JOIN campaign_targets t ON t.campaign_id = c.id";
static const char SQL_CAMPAIGN_ONE[] =
    "SELECT c.id, t.org_id, c.title, c.due_date, t.done_at FROM campaigns c "
    "JOIN campaign_targets t ON t.campaign_id = c.id WHERE c.id = $1";

static enum err campaign_row(struct duty_sink *sink, struct db_stmt *s, struct date today)
{
    (void)today;
    struct duty_item it = {.kind = DUTY_CAMPAIGN, .org_id = db_int(s, 1)};
    if (date_of(db_text(s, 3), &it.due))
        return ERR_OK;
    it.title = db_text(s, 2);
    it.fulfils = "按通知要求完成并报送";
    it.done = !date_of(db_text(s, 4), &it.done_on);
    char suffix[32];
    snprintf(suffix, sizeof suffix, "org:%lld", it.org_id);
    duty_item_name(&it, "campaign", db_int(s, 0), suffix);
    return duty_emit(sink, &it);
}

static enum err campaigns(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    return stream(db, id ? SQL_CAMPAIGN_ONE : SQL_CAMPAIGN_ALL, id, today, sink, campaign_row);
}

/* Producers of modules built in parallel, declared weakly: NULL when not linked in. Each is a
 * NULL-terminated array like the one below. */
#define OPTIONAL_PRODUCERS(name) extern const struct duty_producer name[] __attribute__((weak))
OPTIONAL_PRODUCERS(incident_duty_producers);
OPTIONAL_PRODUCERS(threat_duty_producers);
OPTIONAL_PRODUCERS(iiot_duty_producers);
OPTIONAL_PRODUCERS(inspect_duty_producers);
OPTIONAL_PRODUCERS(report_duty_producers);
OPTIONAL_PRODUCERS(exposure_duty_producers);

static const struct duty_producer core_producers[] = {
    {"unit", units, units_new}, {"assessment", assessments, NULL}, {"risk", risks, NULL},
    {"org", orgs, NULL},        {"campaign", campaigns, NULL},     {NULL, NULL, NULL},
};

const struct duty_producer *const duty_producer_tables[] = {
    core_producers,         incident_duty_producers, threat_duty_producers,   iiot_duty_producers,
    inspect_duty_producers, report_duty_producers,   exposure_duty_producers, NULL,
};
