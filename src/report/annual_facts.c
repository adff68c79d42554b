/* 年度安全防护工作报告: the facts of annex 5 for an organisation and a year, read from the data
 * in a handful of aggregate queries (one pass over the organisation's units for filing and
 * 符合性评测, one query per count for the rest). The queries read the other modules' tables
 * directly, as the duty producers do; what those modules compute (the exposure verdict and
 * inventory counts, incident counts) comes through their headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annual.h"
#include "arena.h"
#include "auth/auth.h"
#include "duty/rules.h"
#include "exposure/exposure.h"
#include "incident/incident.h"
#include "json.h"
#include "org/org.h"
#include "sbuf.h"
#include "store/store.h"

static const char *const FILING_NAMES[][2] = {
    {"draft", "未备案"}, {"submitted", "待审核"},          {"returned", "退回补正"},
    {"filed", "已备案"}, {"change_pending", "待变更备案"}, {"retired", "已注销"}};
static const char *const GRADE_NAMES[][2] = {
    {"especially_major", "特别重大"}, {"major", "重大"}, {"large", "较大"}, {"general", "一般"}};
static const char *const RISK_LEVELS[] = {"", "很低", "低", "中", "高", "很高"};

static const char *lookup(const char *const table[][2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return code ? code : "";
}
#define LOOKUP(t, c) lookup(t, sizeof t / sizeof t[0], c)

/* The date of an ISO date or time (its first ten characters). */
static int date_of(const char *iso, struct date *out)
{
    char buf[11];
    if (!iso || strlen(iso) < 10)
        return -1;
    memcpy(buf, iso, 10);
    buf[10] = '\0';
    if (date_parse(buf, out)) {
        err_clear();
        return -1;
    }
    return 0;
}

static void chinese_date(struct date d, char out[32])
{
    snprintf(out, 32, "%d年%d月%d日", d.y, d.m, d.d);
}

/* The bounds of a year as text: from "Y-01-01", to "Y-12-31", next "Y+1-01-01". */
struct year_bounds {
    char from[11], to[11], next[11];
};

static void year_bounds(int year, struct year_bounds *b)
{
    date_format((struct date){year, 1, 1}, b->from);
    date_format((struct date){year, 12, 31}, b->to);
    date_format((struct date){year + 1, 1, 1}, b->next);
}

/* ---- facts: units, filing and 符合性评测 ----------------------------------------------------- */

/* Per unit: its level, filing state and latest filing, the last 符合性评测 that ended before the
 * year and how many ended during it. Units created after the year are not counted. */
static const char SQL_UNITS[] =
    "SELECT u.id, u.name, u.level, u.status, u.filing_status, u.filing_number, u.filed_at, "
    "u.change_since, u.correction_due, u.reassess_since, f.kind, f.status, f.submitted_at, "
    "f.reasons, "
    "(SELECT MAX(a.ended_on) FROM assessments a WHERE a.unit_id = u.id AND a.ended_on < $2), "
    "(SELECT COUNT(*) FROM assessments a WHERE a.unit_id = u.id AND a.ended_on >= $2 "
    "AND a.ended_on <= $3) "
    "FROM units u LEFT JOIN filings f ON f.id = "
    "(SELECT MAX(g.id) FROM filings g WHERE g.unit_id = u.id) "
    "WHERE u.org_id = $1 AND u.status <> 'retired' AND u.created_at < $4 ORDER BY u.id";

enum ucol {
    U_ID,
    U_NAME,
    U_LEVEL,
    U_STATUS,
    U_FS,
    U_NUMBER,
    U_FILED_AT,
    U_CHANGE,
    U_CORRECTION,
    U_REASSESS,
    U_F_KIND,
    U_F_STATUS,
    U_F_AT,
    U_F_REASONS,
    U_LAST_ASSESS,
    U_DONE
};

struct level_row {
    long long units, online, filed, not_filed, change_pending; /* filing */
    long long due, done, missed;                               /* 符合性评测 */
};

struct unit_pass {
    struct level_row lv[6]; /* 0: not graded */
    long long total, online, planned, filed, up_to_date, pending_change, not_filed;
    long long why[5]; /* not filed: 0 not graded, 1 not submitted, 2 under review, 3 returned */
    json_t *pending;  /* units not filed or with a change pending */
};

/* "；"-joined reasons of a returned filing ([{field, reason}]). */
static void return_reasons(struct sbuf *sb, const char *json)
{
    json_t *arr = json ? json_loads(json, 0, NULL) : NULL, *e;
    size_t i;
    json_array_foreach (arr, i, e) {
        const char *reason = json_str(e, "reason");
        if (reason && *reason)
            sbuf_addf(sb, "%s%s", i ? "；" : "", reason);
    }
    json_decref(arr);
}

static void due_suffix(struct sbuf *sb, const char *iso)
{
    struct date d;
    char text[32];
    if (!date_of(iso, &d)) {
        chinese_date(d, text);
        sbuf_addf(sb, "（补正期限%s）", text);
    }
}

/* Why a unit is not filed, or what of its filing is pending; *why gets the category of a unit
 * not filed (see unit_pass.why). */
static void filing_reason(struct db_stmt *s, int filed, struct sbuf *sb, int *why)
{
    const char *fs = db_text(s, U_FS), *fkind = db_text(s, U_F_KIND);
    const char *fstatus = db_text(s, U_F_STATUS);
    struct date d;
    char text[32];
    if (!strcmp(db_text(s, U_STATUS), "planned"))
        sbuf_adds(sb, "规划建设中，尚未上线；");
    if (!strcmp(fs, "submitted")) {
        *why = 2;
        if (!date_of(db_text(s, U_F_AT), &d)) {
            chinese_date(d, text);
            sbuf_addf(sb, "已于%s提交", text);
        } else {
            sbuf_adds(sb, "已提交");
        }
        sbuf_adds(sb,
                  filed ? "变更备案，原备案有效，待电信主管部门审核" : "备案，待电信主管部门审核");
    } else if (!strcmp(fs, "returned") ||
               (!strcmp(fs, "change_pending") && fstatus && !strcmp(fstatus, "returned"))) {
        *why = 3;
        sbuf_adds(sb,
                  fkind && strcmp(fkind, "initial") ? "变更备案被退回补正：" : "备案被退回补正：");
        size_t before = sb->len;
        return_reasons(sb, db_text(s, U_F_REASONS));
        if (sb->len == before)
            sbuf_adds(sb, "未说明原因");
        due_suffix(sb, db_text(s, U_CORRECTION));
    } else if (!strcmp(fs, "change_pending")) {
        if (!date_of(db_text(s, U_CHANGE), &d)) {
            chinese_date(d, text);
            sbuf_addf(sb, "备案信息自%s起发生变更，尚未提交变更备案", text);
        } else {
            sbuf_adds(sb, "备案信息发生变更，尚未提交变更备案");
        }
    } else if (db_null(s, U_LEVEL)) {
        *why = 0;
        sbuf_adds(sb, "尚未定级");
    } else {
        *why = 1;
        sbuf_addf(sb, "已定级为第%lld级，尚未提交备案", db_int(s, U_LEVEL));
    }
}

/* 符合性评测 of one unit in the year (seed 000 §三): due when its next one, counted from the last
 * that ended before the year (or from filing for the first) or within 90 days of a level change,
 * falls in or before the year; done when one ended during the year. */
static void assessment_of(struct db_stmt *s, int level, struct date year_end, struct level_row *lv)
{
    const struct duty_ruleset *rs = duty_ruleset_default();
    int done = db_int(s, U_DONE) > 0, due = 0;
    struct date filed, last, when, since;
    if (level >= 2 && duty_assessment_years(rs, level) &&
        !date_of(db_text(s, U_FILED_AT), &filed)) {
        int has_last = !date_of(db_text(s, U_LAST_ASSESS), &last);
        if (!duty_assessment_due(rs, level, has_last ? &last : NULL, filed, &when)) {
            if (!date_of(db_text(s, U_REASSESS), &since) &&
                date_cmp(date_add_days(since, rs->reassess_days), when) < 0)
                when = date_add_days(since, rs->reassess_days);
            due = date_cmp(when, year_end) <= 0;
        } else {
            err_clear();
        }
    }
    lv->due += due;
    lv->done += done;
    lv->missed += due && !done;
}

static enum err unit_rows(struct db *db, long long org_id, const struct year_bounds *b, int year,
                          struct unit_pass *p)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNITS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, b->from);
    db_bind_text(s, 3, b->to);
    db_bind_text(s, 4, b->next);
    struct date year_end = {year, 12, 31};
    struct sbuf reason;
    sbuf_init(&reason, 1 << 16);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        long long level = db_null(s, U_LEVEL) ? 0 : db_int(s, U_LEVEL);
        if (level < 0 || level > 5)
            level = 0;
        const char *fs = db_text(s, U_FS);
        /* Filed: approved at least once (it has a number), whatever is pending since. */
        int filed = !strcmp(fs, "filed") || !strcmp(fs, "change_pending") ||
                    (!strcmp(fs, "submitted") && !db_null(s, U_NUMBER));
        int up_to_date = !strcmp(fs, "filed"), online = !strcmp(db_text(s, U_STATUS), "online");
        struct level_row *lv = &p->lv[level];
        p->total++;
        p->online += online;
        p->planned += !strcmp(db_text(s, U_STATUS), "planned");
        lv->units++;
        lv->online += online;
        lv->filed += filed;
        lv->not_filed += !filed;
        lv->change_pending += filed && !up_to_date;
        p->filed += filed;
        p->up_to_date += up_to_date;
        p->pending_change += filed && !up_to_date;
        p->not_filed += !filed;
        assessment_of(s, (int)level, year_end, lv);
        if (up_to_date)
            continue;
        int why = 4;
        sbuf_reset(&reason);
        filing_reason(s, filed, &reason, &why);
        if (!filed)
            p->why[why]++;
        const char *status =
            !strcmp(fs, "submitted") && filed ? "变更备案待审核" : LOOKUP(FILING_NAMES, fs);
        json_array_append_new(
            p->pending,
            json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:b,s:s}", "id", db_text(s, U_ID), "name",
                      db_text(s, U_NAME), "level", level ? json_integer(level) : json_null(),
                      "status", db_text(s, U_STATUS), "filing_status", fs, "filing_status_name",
                      status, "filed", filed, "reason", reason.buf));
    }
    db_done(s);
    sbuf_release(&reason);
    return rc;
}

static const char SQL_LAST_FILING[] =
    "SELECT MAX(submitted_at) FROM filings WHERE org_id = $1 AND submitted_at >= $2 "
    "AND submitted_at < $3";
static const char SQL_ASSESS_YEAR[] =
    "SELECT COUNT(*), COUNT(DISTINCT a.unit_id), "
    "SUM(CASE WHEN a.assessor_kind = 'third_party' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN a.submitted_at IS NOT NULL THEN 1 ELSE 0 END) FROM assessments a "
    "WHERE a.org_id = $1 AND a.ended_on >= $2 AND a.ended_on <= $3";

static enum err one_row(struct db *db, const char *sql, long long org_id, const char *a,
                        const char *b, long long *out, int n)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, a);
    db_bind_text(s, 3, b);
    int row;
    memset(out, 0, (size_t)n * sizeof *out);
    if (!(rc = db_step(s, &row)) && row)
        for (int i = 0; i < n; i++)
            out[i] = db_int(s, i);
    db_done(s);
    return rc;
}

static json_t *level_name_json(int level)
{
    char name[16];
    if (!level)
        return json_string("未定级");
    snprintf(name, sizeof name, "第%d级", level);
    return json_string(name);
}

static enum err facts_units(struct db *db, long long org_id, int year, const struct year_bounds *b,
                            json_t *facts)
{
    struct unit_pass p;
    memset(&p, 0, sizeof p);
    p.pending = json_array();
    enum err rc = unit_rows(db, org_id, b, year, &p);
    struct db_stmt *s;
    json_t *last_month = json_null();
    if (!rc && !(rc = db_prepare(db, SQL_LAST_FILING, &s))) {
        db_bind_int(s, 1, org_id);
        db_bind_text(s, 2, b->from);
        db_bind_text(s, 3, b->next);
        int row;
        struct date d;
        if (!(rc = db_step(s, &row)) && row && !date_of(db_text(s, 0), &d))
            last_month = json_integer(d.m);
        db_done(s);
    }
    long long held[4];
    if (!rc)
        rc = one_row(db, SQL_ASSESS_YEAR, org_id, b->from, b->to, held, 4);
    if (rc) {
        json_decref(p.pending);
        json_decref(last_month);
        return rc;
    }
    const struct duty_ruleset *rs = duty_ruleset_default();
    json_t *filing_levels = json_array(), *assess_levels = json_array();
    long long due = 0, done = 0, missed = 0;
    for (int level = 5; level >= 0; level--) {
        const struct level_row *lv = &p.lv[level];
        json_array_append_new(
            filing_levels,
            json_pack("{s:i,s:o,s:I,s:I,s:I,s:I,s:I}", "level", level, "name",
                      level_name_json(level), "units", (json_int_t)lv->units, "online",
                      (json_int_t)lv->online, "filed", (json_int_t)lv->filed, "not_filed",
                      (json_int_t)lv->not_filed, "change_pending", (json_int_t)lv->change_pending));
        if (!level)
            continue;
        json_array_append_new(assess_levels,
                              json_pack("{s:i,s:o,s:i,s:I,s:I,s:I,s:I}", "level", level, "name",
                                        level_name_json(level), "cycle_years",
                                        duty_assessment_years(rs, level), "units",
                                        (json_int_t)lv->units, "due", (json_int_t)lv->due, "done",
                                        (json_int_t)lv->done, "missed", (json_int_t)lv->missed));
        due += lv->due;
        done += lv->done;
        missed += lv->missed;
    }
    long long l3 = p.lv[3].units + p.lv[4].units + p.lv[5].units;
    json_object_set_new(
        facts, "units",
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:{s:I,s:I,s:I,s:I},"
                  "s:o,s:o}",
                  "total", (json_int_t)p.total, "online", (json_int_t)p.online, "planned",
                  (json_int_t)p.planned, "level3_plus", (json_int_t)l3, "level2",
                  (json_int_t)p.lv[2].units, "level1", (json_int_t)p.lv[1].units, "ungraded",
                  (json_int_t)p.lv[0].units, "filed", (json_int_t)p.filed, "up_to_date",
                  (json_int_t)p.up_to_date, "change_pending", (json_int_t)p.pending_change,
                  "not_filed", (json_int_t)p.not_filed, "graded",
                  (json_int_t)(p.total - p.lv[0].units), "last_filing_month", last_month,
                  "not_filed_by_reason", "not_graded", (json_int_t)p.why[0], "not_submitted",
                  (json_int_t)p.why[1], "under_review", (json_int_t)p.why[2], "returned",
                  (json_int_t)p.why[3], "by_level", filing_levels, "pending", p.pending));
    json_object_set_new(facts, "assessments",
                        json_pack("{s:{s:i,s:i},s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "cycle",
                                  "level3_plus_years", rs->assess_years_l3, "level2_years",
                                  rs->assess_years_l2, "held", (json_int_t)held[0],
                                  "units_assessed", (json_int_t)held[1], "third_party",
                                  (json_int_t)held[2], "submitted", (json_int_t)held[3], "due",
                                  (json_int_t)due, "done", (json_int_t)done, "missed",
                                  (json_int_t)missed, "by_level", assess_levels));
    return ERR_OK;
}

/* ---- facts: 风险评估 ------------------------------------------------------------------------- */

static const char SQL_RISK_YEAR[] =
    "SELECT COUNT(*), COUNT(DISTINCT ra.unit_id), "
    "SUM(CASE WHEN ra.pre_launch = 1 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN ra.submitted_at IS NOT NULL THEN 1 ELSE 0 END) FROM risk_assessments ra "
    "WHERE ra.org_id = $1 AND ra.ended_on >= $2 AND ra.ended_on <= $3";
static const char SQL_RISK_OPEN[] =
    "SELECT COUNT(*) FROM risk_assessments ra WHERE ra.org_id = $1 AND ra.started_on <= $3 "
    "AND (ra.ended_on IS NULL OR ra.ended_on > $3) AND CAST($2 AS TEXT) IS NOT NULL";
static const char SQL_RISK_LEVELS[] =
    "SELECT r.level, COUNT(*), SUM(CASE WHEN t.risk_id IS NULL THEN 0 ELSE 1 END), "
    "SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) FROM risks r "
    "JOIN risk_assessments ra ON ra.id = r.risk_assessment_id "
    "LEFT JOIN risk_treatments t ON t.risk_id = r.id "
    "WHERE ra.org_id = $1 AND ra.ended_on >= $2 AND ra.ended_on <= $3 GROUP BY r.level";
static const char SQL_RISK_ITEMS[] =
    "SELECT ra.id, u.name, ra.started_on, ra.ended_on, ra.pre_launch, ra.submitted_at, "
    "(SELECT COUNT(*) FROM risks r WHERE r.risk_assessment_id = ra.id), "
    "(SELECT COUNT(*) FROM risks r WHERE r.risk_assessment_id = ra.id AND r.level >= 4) "
    "FROM risk_assessments ra JOIN units u ON u.id = ra.unit_id "
    "WHERE ra.org_id = $1 AND ra.ended_on >= $2 AND ra.ended_on <= $3 "
    "ORDER BY ra.ended_on, ra.id";

static enum err facts_risk(struct db *db, long long org_id, const struct year_bounds *b,
                           json_t *facts)
{
    long long held[4], open[1];
    long long by[6][3] = {{0}};
    struct db_stmt *s;
    int row;
    enum err rc = one_row(db, SQL_RISK_YEAR, org_id, b->from, b->to, held, 4);
    if (rc || (rc = one_row(db, SQL_RISK_OPEN, org_id, b->from, b->to, open, 1)) ||
        (rc = db_prepare(db, SQL_RISK_LEVELS, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, b->from);
    db_bind_text(s, 3, b->to);
    while (!(rc = db_step(s, &row)) && row) {
        long long level = db_int(s, 0);
        if (level >= 1 && level <= 5)
            for (int i = 0; i < 3; i++)
                by[level][i] = db_int(s, 1 + i);
    }
    db_done(s);
    if (rc || (rc = db_prepare(db, SQL_RISK_ITEMS, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, b->from);
    db_bind_text(s, 3, b->to);
    json_t *items = json_array(), *levels = json_array();
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:s,s:b,s:o,s:I,s:I}", "id", db_text(s, 0), "unit_name",
                             db_text(s, 1), "started_on", db_text(s, 2), "ended_on", db_text(s, 3),
                             "pre_launch", (int)db_int(s, 4), "submitted_at",
                             json_str_or_null(db_text(s, 5)), "risks", (json_int_t)db_int(s, 6),
                             "high", (json_int_t)db_int(s, 7)));
    db_done(s);
    long long total = 0, high = 0, treated = 0, done = 0;
    for (int level = 5; level >= 1; level--) {
        json_array_append_new(
            levels, json_pack("{s:i,s:s,s:I,s:I,s:I}", "level", level, "name", RISK_LEVELS[level],
                              "risks", (json_int_t)by[level][0], "treated",
                              (json_int_t)by[level][1], "done", (json_int_t)by[level][2]));
        total += by[level][0];
        high += level >= 4 ? by[level][0] : 0;
        treated += by[level][1];
        done += by[level][2];
    }
    json_object_set_new(
        facts, "risk",
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "held", (json_int_t)held[0],
                  "units", (json_int_t)held[1], "pre_launch", (json_int_t)held[2], "submitted",
                  (json_int_t)held[3], "in_progress", (json_int_t)open[0], "risks",
                  (json_int_t)total, "high", (json_int_t)high, "treated", (json_int_t)treated,
                  "treatments_done", (json_int_t)done, "by_level", levels, "items", items));
    if (rc) {
        json_object_del(facts, "risk");
        return rc;
    }
    return ERR_OK;
}

/* ---- facts: the exposure surface -------------------------------------------------------- */

static enum err facts_exposure(struct db *db, long long org_id, json_t *facts)
{
    /* The report's own organisation, already checked by the caller: no scope to apply. */
    struct caller all = {.role = ROLE_SYSADMIN};
    json_t *sum;
    enum err rc = exposure_summary(db, &all, org_id, &sum);
    if (rc)
        return rc;
    json_t *inv = json_object_get(sum, "inventories"), *list = json_array();
    json_t *exits = json_object_get(sum, "office_exits"), *entries, *e;
    static const char *const codes[] = {"office", "vpn", "zero_trust"};
    long long addresses = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *o = json_object_get(inv, codes[i]);
        addresses += json_int(o, "addresses", 0);
        json_array_append_new(list,
                              json_pack("{s:s,s:s,s:I,s:I}", "code", codes[i], "name",
                                        json_str(o, "name") ? json_str(o, "name") : "", "entries",
                                        (json_int_t)json_int(o, "entries", 0), "addresses",
                                        (json_int_t)json_int(o, "addresses", 0)));
    }
    /* Every office exit, with its 报备 when there is one. */
    json_t *items = json_array();
    entries = json_object_get(exits, "entries");
    size_t i;
    json_array_foreach (entries, i, e) {
        json_t *item = json_pack(
            "{s:I,s:s,s:s,s:b,s:b,s:n,s:n,s:n}", "seq", (json_int_t)json_int(e, "seq", 0),
            "asset_name", json_str(e, "asset_name"), "ip", json_str(e, "ip"), "reported",
            json_is_true(json_object_get(e, "reported")), "excess",
            json_is_true(json_object_get(e, "excess")), "reason", "reported_to", "reported_on");
        json_array_append_new(items, item);
        if (!json_is_true(json_object_get(e, "reported")))
            continue;
        json_t *entry, *x;
        if ((rc = exposure_entry_json(db, &all, id_parse(json_str(e, "id")), &entry)))
            break;
        x = json_object_get(entry, "exception");
        static const char *const keys[] = {"reason", "reported_to", "reported_on"};
        for (size_t k = 0; k < 3; k++)
            json_object_set_new(item, keys[k], json_str_or_null(json_str(x, keys[k])));
        json_decref(entry);
    }
    json_t *dup = json_object_get(sum, "duplicates");
    json_object_set_new(facts, "exposure",
                        json_pack("{s:I,s:I,s:o,s:{s:b,s:I,s:I,s:I,s:I,s:b,s:o},s:{s:I,s:I},s:s}",
                                  "entries", (json_int_t)json_int(sum, "entries", 0), "addresses",
                                  (json_int_t)addresses, "inventories", list, "office_exits",
                                  "applies", json_is_true(json_object_get(exits, "applies")),
                                  "limit", (json_int_t)json_int(exits, "limit", 0), "exits",
                                  (json_int_t)json_int(exits, "exits", 0), "reported",
                                  (json_int_t)json_int(exits, "reported", 0), "excess",
                                  (json_int_t)json_int(exits, "excess", 0), "violation",
                                  json_is_true(json_object_get(exits, "violation")), "items", items,
                                  "duplicates", "same_org",
                                  (json_int_t)json_int(dup, "same_org", 0), "other_org",
                                  (json_int_t)json_int(dup, "other_org", 0), "ruleset",
                                  json_str(json_object_get(sum, "ruleset"), "version")
                                      ? json_str(json_object_get(sum, "ruleset"), "version")
                                      : ""));
    json_decref(sum);
    return rc;
}

/* ---- facts: plans, drills, incidents ------------------------------------------------------ */

static const char SQL_GRADES[] =
    "SELECT grade, COUNT(*) FROM incidents WHERE org_id = $1 AND detected_at >= $2 "
    "AND detected_at < $3 GROUP BY grade";
static const char SQL_PLANS[] =
    "SELECT p.title, (SELECT MAX(v.approved_on) FROM emergency_plan_versions v "
    "WHERE v.plan_id = p.id AND v.approved_on <= $3), "
    "(SELECT COUNT(*) FROM emergency_plan_versions v WHERE v.plan_id = p.id "
    "AND v.approved_on >= $2 AND v.approved_on <= $3) "
    "FROM emergency_plans p WHERE p.org_id = $1 ORDER BY p.id";
static const char SQL_DRILLS[] =
    "SELECT d.drill_date, d.scenario, d.participants, "
    "(SELECT COUNT(*) FROM drill_items i WHERE i.drill_id = d.id), "
    "(SELECT COUNT(*) FROM drill_items i WHERE i.drill_id = d.id AND i.status <> 'done') "
    "FROM drills d WHERE d.org_id = $1 AND d.drill_date >= $2 AND d.drill_date <= $3 "
    "ORDER BY d.drill_date, d.id";

static enum err bind_run(struct db *db, const char *sql, long long org_id, const char *a,
                         const char *b, struct db_stmt **s)
{
    enum err rc = db_prepare(db, sql, s);
    if (rc)
        return rc;
    db_bind_int(*s, 1, org_id);
    db_bind_text(*s, 2, a);
    db_bind_text(*s, 3, b);
    return ERR_OK;
}

/* "张三、李四" from a JSON array of strings. */
static json_t *participants_text(const char *json)
{
    json_t *arr = json ? json_loads(json, 0, NULL) : NULL, *e;
    struct sbuf sb;
    sbuf_init(&sb, 1 << 16);
    size_t i;
    json_array_foreach (arr, i, e)
        if (json_is_string(e))
            sbuf_addf(&sb, "%s%s", sb.len ? "、" : "", json_string_value(e));
    json_decref(arr);
    json_t *out = json_string(sb.buf);
    sbuf_release(&sb);
    return out;
}

static enum err facts_emergency(struct db *db, long long org_id, int year,
                                const struct year_bounds *b, struct date as_of, json_t *facts)
{
    struct incident_year_counts c;
    int major;
    struct db_stmt *s;
    int row;
    long long grades[4] = {0};
    enum err rc = incident_year_counts(db, org_id, year, &c);
    if (rc || (rc = incident_major_in_last_3_years(db, org_id, as_of, &major)) ||
        (rc = bind_run(db, SQL_GRADES, org_id, b->from, b->next, &s)))
        return rc;
    while (!(rc = db_step(s, &row)) && row)
        for (size_t i = 0; i < 4; i++)
            if (!strcmp(GRADE_NAMES[i][0], db_text(s, 0)))
                grades[i] = db_int(s, 1);
    db_done(s);
    json_t *by_grade = json_array(), *plans = json_array(), *drills = json_array();
    for (size_t i = 0; i < 4; i++)
        json_array_append_new(by_grade,
                              json_pack("{s:s,s:s,s:I}", "grade", GRADE_NAMES[i][0], "name",
                                        GRADE_NAMES[i][1], "count", (json_int_t)grades[i]));
    if (!rc && !(rc = bind_run(db, SQL_PLANS, org_id, b->from, b->to, &s))) {
        while (!(rc = db_step(s, &row)) && row)
            if (!db_null(s, 1))
                json_array_append_new(plans, json_pack("{s:s,s:s,s:b}", "title", db_text(s, 0),
                                                       "approved_on", db_text(s, 1), "revised",
                                                       db_int(s, 2) > 0));
        db_done(s);
    }
    if (!rc && !(rc = bind_run(db, SQL_DRILLS, org_id, b->from, b->to, &s))) {
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(drills, json_pack("{s:s,s:s,s:o,s:I,s:I}", "date", db_text(s, 0),
                                                    "scenario", db_text(s, 1), "participants",
                                                    participants_text(db_text(s, 2)), "items",
                                                    (json_int_t)db_int(s, 3), "items_open",
                                                    (json_int_t)db_int(s, 4)));
        db_done(s);
    }
    char from[11], to[11];
    date_format(date_add_days(date_add_months(as_of, -36), 1), from);
    date_format(as_of, to);
    json_object_set_new(
        facts, "emergency",
        json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:i,s:b,s:{s:s,s:s},s:o,s:o}", "plans", c.plans,
                  "plans_revised", c.plans_revised, "drills", c.drills, "drill_items",
                  c.drill_items, "drill_items_open", c.drill_items_open, "incidents", c.incidents,
                  "incidents_reported", c.incidents_reported, "by_grade", by_grade,
                  "major_in_last_3_years", major, "major_occurred", major > 0, "major_window",
                  "from", from, "to", to, "plan_list", plans, "drill_list", drills));
    return rc;
}

enum err annual_facts(struct db *db, long long org_id, int year, struct date today, json_t **out)
{
    json_t *org;
    struct year_bounds b;
    *out = NULL;
    if (year < 2000 || year > today.y)
        return errf(ERR_VALIDATION, "year", "年度应为 2000 至 %d 之间的年份", today.y);
    enum err rc = org_json(db, org_id, &org);
    if (rc)
        return rc;
    struct date as_of = year < today.y ? (struct date){year, 12, 31} : today;
    char as_of_text[11];
    date_format(as_of, as_of_text);
    year_bounds(year, &b);
    json_object_del(org, "jurisdiction");
    json_object_del(org, "uscc");
    json_object_del(org, "created_at");
    json_object_del(org, "updated_at");
    json_t *facts = json_pack("{s:o,s:i,s:s}", "org", org, "year", year, "as_of", as_of_text);
    if ((rc = facts_units(db, org_id, year, &b, facts)) ||
        (rc = facts_risk(db, org_id, &b, facts)) || (rc = facts_exposure(db, org_id, facts)) ||
        (rc = facts_emergency(db, org_id, year, &b, as_of, facts))) {
        json_decref(facts);
        return rc;
    }
    *out = facts;
    return ERR_OK;
}
