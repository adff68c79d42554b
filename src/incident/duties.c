/* The duties of incidents and drills (exported as incident_duty_producers). An incident owes its
 * immediate report (331号 §七), the parallel CAC report for 较大 and above, and the 总结报告 10
 * working days after the response ends; the hour-level deadlines live in the incident itself,
 * its duties fall due on the deadline's date so that lists show them. A drill owes one duty per
 * rectification item (kinds DUTY_INCIDENT_* and DUTY_DRILL_RECTIFICATION). */
#include <stdio.h>
#include <string.h>

#include "duty/duty.h"
#include "incident.h"
#include "internal.h"
#include "store/store.h"

static const char SQL_INCIDENT_ALL[] = INCIDENT_COLS;
static const char SQL_INCIDENT_ONE[] = INCIDENT_COLS "WHERE i.id = $1";

static enum err emit(struct duty_sink *sink, long long id, long long org, const char *suffix,
                     const struct incident_deadline *d, const char *title, const char *fulfils,
                     const char *source)
{
    enum duty_kind kind = !strcmp(suffix, "cac")       ? DUTY_INCIDENT_CAC_REPORT
                          : !strcmp(suffix, "summary") ? DUTY_INCIDENT_SUMMARY
                                                       : DUTY_INCIDENT_REPORT;
    struct duty_item it = {.kind = kind, .org_id = org};
    it.title = title;
    it.fulfils = fulfils;
    it.source = source;
    it.rule = incident_ruleset_default()->version;
    it.due = d->due;
    if (d->done_at) {
        it.done = 1;
        it.done_on = d->done_on;
    }
    duty_item_name(&it, "incident", id, suffix);
    return duty_emit(sink, &it);
}

static enum err incident_row(struct duty_sink *sink, struct db_stmt *s)
{
    struct incident_deadlines dl;
    incident_deadlines_of_row(s, &dl);
    long long id = db_int(s, IC_ID), org = db_int(s, IC_ORG);
    const char *name = db_text(s, IC_TITLE);
    char title[256], fulfils[1024];
    enum err rc;

    snprintf(title, sizeof title, "网络安全事件报告（%s）",
             incident_recipient_name(dl.report.recipient));
    snprintf(fulfils, sizeof fulfils, "发现后立即（%d分钟内）向%s报告事件“%s”", dl.report.minutes,
             dl.report.recipient_name, name);
    if ((rc = emit(sink, id, org, "report", &dl.report, title, fulfils,
                   "工网安函〔2025〕331号 §七")))
        return rc;
    if (dl.cac.required) {
        snprintf(title, sizeof title, "网络安全事件报告（%s）",
                 incident_recipient_name(RECIPIENT_CAC));
        snprintf(fulfils, sizeof fulfils, "发现后%d小时内向%s报告事件“%s”", dl.cac.minutes / 60,
                 dl.cac.recipient_name, name);
        if ((rc = emit(sink, id, org, "cac", &dl.cac, title, fulfils,
                       "国家网络安全事件报告管理办法（2025-11-01 施行）")))
            return rc;
    }
    /* R6: a year without a holiday notice gives no date; the incident shows the error. */
    if (dl.summary.has_due) {
        snprintf(fulfils, sizeof fulfils, "应急响应结束后%d个工作日内将事件“%s”的总结报告报%s",
                 incident_ruleset_default()->summary_workdays, name, dl.summary.recipient_name);
        if ((rc = emit(sink, id, org, "summary", &dl.summary, "网络安全事件总结报告", fulfils,
                       "工网安函〔2025〕331号 §七")))
            return rc;
    }
    return ERR_OK;
}

static enum err incidents(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    (void)today;
    struct db_stmt *s;
    enum err rc = db_prepare(db, id ? SQL_INCIDENT_ONE : SQL_INCIDENT_ALL, &s);
    if (rc)
        return rc;
    if (id)
        db_bind_int(s, 1, id);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        if ((rc = incident_row(sink, s)))
            break;
    db_done(s);
    return rc;
}

#define DRILL_ITEM_COLS                                                                            \
    "SELECT t.id, t.drill_id, t.org_id, t.description, t.due_date, t.status, t.done_on "           \
    "FROM drill_items t"
static const char SQL_DRILL_ALL[] = DRILL_ITEM_COLS;
static const char SQL_DRILL_ONE[] = DRILL_ITEM_COLS " WHERE t.drill_id = $1";

/* 331号 §七: 演练发现的问题逐项整改 */
static enum err drill_row(struct duty_sink *sink, struct db_stmt *s)
{
    struct duty_item it = {.kind = DUTY_DRILL_RECTIFICATION, .org_id = db_int(s, 2)};
    if (date_parse(db_text(s, 4), &it.due))
        return ERR_OK;
    char fulfils[2200], suffix[40];
    snprintf(fulfils, sizeof fulfils, "完成演练发现问题的整改：%s", db_text(s, 3));
    it.title = "演练问题整改";
    it.fulfils = fulfils;
    it.source = "331号 §七";
    it.rule = incident_ruleset_default()->version;
    if (!strcmp(db_text(s, 5), "done") && !date_parse(db_text(s, 6), &it.done_on))
        it.done = 1;
    snprintf(suffix, sizeof suffix, "item:%lld", db_int(s, 0));
    duty_item_name(&it, "drill", db_int(s, 1), suffix);
    return duty_emit(sink, &it);
}

static enum err drills(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    (void)today;
    struct db_stmt *s;
    enum err rc = db_prepare(db, id ? SQL_DRILL_ONE : SQL_DRILL_ALL, &s);
    if (rc)
        return rc;
    if (id)
        db_bind_int(s, 1, id);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        if ((rc = drill_row(sink, s)))
            break;
    db_done(s);
    return rc;
}

const struct duty_producer incident_duty_producers[] = {
    {"incident", incidents, NULL},
    {"drill", drills, NULL},
    {NULL, NULL, NULL},
};
