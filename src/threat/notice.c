/* Threat notices (R8 通报 → 处置反馈 → 核验关闭): the status rules (pure), issuing with the
 * same-indicator fan-out, the recipients' transitions with their audit records, and the duties
 * of subject "notice". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/upload.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "duty/duty.h"
#include "ingest.h"
#include "json.h"
#include "notice.h"
#include "rules.h"
#include "store/store.h"
#include "timeutil.h"

/* ---- statuses and transitions ---- */

static const struct {
    const char *code, *name;
} STATUSES[NOTICE__STATUS_COUNT] = {
    [NOTICE_ISSUED] = {"issued", "已通报待确认"},
    [NOTICE_ACKNOWLEDGED] = {"acknowledged", "已确认处置中"},
    [NOTICE_FEEDBACK_SUBMITTED] = {"feedback_submitted", "已反馈待核验"},
    [NOTICE_CLOSED] = {"closed", "已核验关闭"},
};

/* 第十条(三)(四): 通报 → 企业处置并反馈 → 主管部门检查整改情况，闭环处置 */
static const struct {
    const char *name;
    enum notice_status from, to;
} ACTIONS[] = {
    [NOTICE_ACKNOWLEDGE] = {"确认接收", NOTICE_ISSUED, NOTICE_ACKNOWLEDGED},
    [NOTICE_FEEDBACK] = {"提交处置反馈", NOTICE_ACKNOWLEDGED, NOTICE_FEEDBACK_SUBMITTED},
    [NOTICE_CLOSE] = {"核验关闭", NOTICE_FEEDBACK_SUBMITTED, NOTICE_CLOSED},
    [NOTICE_REOPEN] = {"退回重新处置", NOTICE_FEEDBACK_SUBMITTED, NOTICE_ACKNOWLEDGED},
};

const char *notice_status_code(enum notice_status s)
{
    return s < NOTICE__STATUS_COUNT ? STATUSES[s].code : "";
}

const char *notice_status_name(enum notice_status s)
{
    return s < NOTICE__STATUS_COUNT ? STATUSES[s].name : "";
}

int notice_status_parse(const char *code)
{
    for (int i = 0; code && i < NOTICE__STATUS_COUNT; i++)
        if (!strcmp(STATUSES[i].code, code))
            return i;
    return -1;
}

const char *notice_action_name(enum notice_action a)
{
    return a <= NOTICE_REOPEN ? ACTIONS[a].name : "";
}

enum err notice_transition(enum notice_status from, enum notice_action a, enum notice_status *to)
{
    if (a > NOTICE_REOPEN || from >= NOTICE__STATUS_COUNT)
        return errf(ERR_INTERNAL, NULL, "unknown notice action %d from %d", (int)a, (int)from);
    if (ACTIONS[a].from != from)
        return errf(ERR_CONFLICT, "status", "当前状态为“%s”，不能%s", STATUSES[from].name,
                    ACTIONS[a].name);
    *to = ACTIONS[a].to;
    return ERR_OK;
}

int notice_overdue(enum notice_status s, struct date deadline, struct date today)
{
    return s != NOTICE_CLOSED && date_cmp(deadline, today) < 0;
}

/* ---- helpers ---- */

static void id_text(long long id, char out[24])
{
    snprintf(out, 24, "%lld", id);
}

static enum err step_once(struct db_stmt *s)
{
    int row;
    enum err rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static const char *category_name(const char *code)
{
    const struct category_map *m = threat_category_table();
    for (size_t i = 0; m && code && i < m->n_categories; i++)
        if (!strcmp(m->categories[i].code, code))
            return m->categories[i].name;
    return code ? code : "";
}

/* The length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static int utf8_prefix(const char *s, int max)
{
    int n = (int)strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* ---- issuing ---- */

/* A threat of the notice and the organisation it belongs to. */
struct pick {
    long long threat_id, org_id;
    int selected;
};

struct picks {
    struct pick *v;
    size_t n, cap;
};

static void picks_add(struct picks *p, long long threat_id, long long org_id, int selected)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].threat_id == threat_id)
            return;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = (struct pick){threat_id, org_id, selected};
}

static int by_org(const void *a, const void *b)
{
    const struct pick *x = a, *y = b;
    if (x->org_id != y->org_id)
        return x->org_id < y->org_id ? -1 : 1;
    if (x->selected != y->selected)
        return y->selected - x->selected;
    return x->threat_id < y->threat_id ? -1 : x->threat_id > y->threat_id;
}

static const char *const SQL_THREAT_SCOPED[3] =
    SCOPED("SELECT t.org_id, t.indicator, t.signature FROM threats t WHERE t.id = $2 AND ",
           "t.org_id", "");

/* The chosen threats, each in the issuer's scope; their indicators (non-empty, distinct) go into
 * indicators; *title gets a default title from the first. */
static enum err chosen(struct db *db, const struct caller *c, json_t *ids, struct picks *p,
                       json_t *indicators, char *title, size_t title_size)
{
    json_t *v;
    size_t i;
    if (!json_is_array(ids) || !json_array_size(ids))
        return errf(ERR_VALIDATION, "threat_ids", "请至少选择一项威胁");
    json_array_foreach (ids, i, v) {
        long long id = json_is_string(v) ? id_parse(json_string_value(v)) : -1;
        if (id <= 0)
            return errf(ERR_VALIDATION, "threat_ids", "第 %zu 项不是威胁编号", i + 1);
        struct db_stmt *s;
        enum err rc = db_prepare(db, scope_sql(c, SQL_THREAT_SCOPED), &s);
        if (rc)
            return rc;
        scope_bind(s, c);
        db_bind_int(s, 2, id);
        int row, found = 0;
        if (!(rc = db_step(s, &row)) && row) {
            found = 1;
            picks_add(p, id, db_int(s, 0), 1);
            const char *ind = db_text(s, 1);
            int seen = !*ind;
            json_t *e;
            size_t k;
            json_array_foreach (indicators, k, e)
                seen |= !strcmp(json_string_value(e), ind);
            if (!seen)
                json_array_append_new(indicators, json_string(ind));
            const char *about = *ind ? ind : db_text(s, 2);
            if (!*title)
                snprintf(title, title_size, "威胁通报：%.*s", utf8_prefix(about, 180), about);
        }
        db_done(s);
        if (rc)
            return rc;
        if (!found)
            return errf(ERR_NOT_FOUND, "threat_ids", "第 %zu 项威胁不存在", i + 1);
    }
    return ERR_OK;
}

static const char *const SQL_SAME_INDICATOR[3] =
    SCOPED("SELECT t.id, t.org_id FROM threats t WHERE t.indicator = $2 AND ", "t.org_id",
           " ORDER BY t.org_id, t.id");

/* 一处发现、全网处置: every threat in the issuer's scope with one of the indicators. */
static enum err fan_out(struct db *db, const struct caller *c, json_t *indicators, struct picks *p)
{
    json_t *v;
    size_t i;
    if (!json_array_size(indicators))
        return errf(ERR_VALIDATION, "same_indicator", "所选威胁没有对端地址，无法按相同指标下发");
    json_array_foreach (indicators, i, v) {
        struct db_stmt *s;
        enum err rc = db_prepare(db, scope_sql(c, SQL_SAME_INDICATOR), &s);
        if (rc)
            return rc;
        scope_bind(s, c);
        db_bind_text(s, 2, json_string_value(v));
        int row;
        while (!(rc = db_step(s, &row)) && row && p->n <= NOTICE_MAX_FANOUT)
            picks_add(p, db_int(s, 0), db_int(s, 1), 0);
        db_done(s);
        if (rc)
            return rc;
        if (p->n > NOTICE_MAX_FANOUT)
            return errf(ERR_VALIDATION, "same_indicator",
                        "相同指标的威胁超过 %d 项，请分批下发通报", NOTICE_MAX_FANOUT);
    }
    return ERR_OK;
}

static const char SQL_NOTICE_INSERT[] =
    "INSERT INTO notices (issuer_org_id, issuer_side, title, description, deadline, "
    "same_indicator, indicators, issued_by, issued_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

static enum err insert_notice(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                              const char *side, json_t *in, const char *title, json_t *indicators,
                              const char *now, long long *id)
{
    struct db_stmt *s;
    char *ind = json_dump(indicators);
    enum err rc = db_prepare(db, SQL_NOTICE_INSERT, &s);
    if (!rc) {
        db_bind_int(s, 1, c->org_id);
        db_bind_text(s, 2, side);
        db_bind_text(s, 3, title);
        db_bind_text(s, 4, json_str(in, "description"));
        db_bind_text(s, 5, json_str(in, "deadline"));
        db_bind_int(s, 6, json_is_true(json_object_get(in, "same_indicator")));
        db_bind_text(s, 7, ind);
        db_bind_text(s, 8, ax->actor_name);
        db_bind_text(s, 9, now);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            *id = db_int(s, 0);
        db_done(s);
    }
    free(ind);
    return rc;
}

static const char SQL_RECIPIENT_INSERT[] =
    "INSERT INTO notice_recipients (notice_id, org_id, reason, status, updated_at) "
    "VALUES ($1, $2, $3, 'issued', $4) RETURNING id";
static const char SQL_NOTICE_THREAT_INSERT[] =
    "INSERT INTO notice_threats (notice_id, threat_id, recipient_id, selected) "
    "VALUES ($1, $2, $3, $4)";

/* One recipient per organisation of the picks (sorted by organisation), with its threats. */
static enum err insert_recipients(struct db *db, const struct audit_ctx *ax, long long id,
                                  const struct picks *p, const char *now)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < p->n;) {
        size_t end = i;
        while (end < p->n && p->v[end].org_id == p->v[i].org_id)
            end++;
        struct db_stmt *s;
        long long rid = 0;
        if ((rc = db_prepare(db, SQL_RECIPIENT_INSERT, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, p->v[i].org_id);
        /* sorted with the chosen threats first */
        db_bind_text(s, 3, p->v[i].selected ? "selected" : "same_indicator");
        db_bind_text(s, 4, now);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            rid = db_int(s, 0);
        db_done(s);
        for (size_t k = i; !rc && k < end; k++) {
            if ((rc = db_prepare(db, SQL_NOTICE_THREAT_INSERT, &s)))
                break;
            db_bind_int(s, 1, id);
            db_bind_int(s, 2, p->v[k].threat_id);
            db_bind_int(s, 3, rid);
            db_bind_int(s, 4, p->v[k].selected);
            rc = step_once(s);
        }
        if (!rc) {
            char ridb[24];
            id_text(rid, ridb);
            json_t *after = json_pack(
                "{s:I,s:s,s:s,s:I}", "notice_id", (json_int_t)id, "status", "issued", "reason",
                p->v[i].selected ? "selected" : "same_indicator", "threats", (json_int_t)(end - i));
            rc = audit_append(db, ax, "notice.deliver", "notice_recipient", ridb, p->v[i].org_id,
                              NULL, after);
            json_decref(after);
        }
        i = end;
    }
    return rc;
}

enum err notice_issue(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                      const char *side, json_t *in, long long *id)
{
    struct date deadline;
    const char *d = json_str(in, "deadline");
    if (!d || date_parse(d, &deadline))
        return errf(ERR_VALIDATION, "deadline", "处置期限应为 YYYY-MM-DD 格式的日期");
    if (date_cmp(deadline, date_today_shanghai()) < 0)
        return errf(ERR_VALIDATION, "deadline", "处置期限不能早于今天");
    struct picks p = {NULL, 0, 0};
    json_t *indicators = json_array(), *after = NULL;
    char title[256] = "", now[40], idb[24];
    const char *given = json_str(in, "title");
    if (given && *given)
        snprintf(title, sizeof title, "%s", given);
    time_now_iso(now);
    enum err rc =
        chosen(db, c, json_object_get(in, "threat_ids"), &p, indicators, title, sizeof title);
    if (!rc && json_is_true(json_object_get(in, "same_indicator")))
        rc = fan_out(db, c, indicators, &p);
    if (rc)
        goto out;
    qsort(p.v, p.n, sizeof *p.v, by_org);
    if ((rc = insert_notice(db, ax, c, side, in, title, indicators, now, id)) ||
        (rc = insert_recipients(db, ax, *id, &p, now)) ||
        (rc = notice_json(db, c, *id, date_today_shanghai(), &after)))
        goto out;
    id_text(*id, idb);
    if (!(rc = audit_append(db, ax, "notice.issue", "notice", idb, c->org_id, NULL, after)))
        rc = duty_refresh(db, "notice", *id);
out:
    json_decref(after);
    json_decref(indicators);
    free(p.v);
    return rc;
}

/* ---- the preview of the fan-out ---- */

static const char *const SQL_PREVIEW_THREAT[3] =
    SCOPED("SELECT t.indicator FROM threats t WHERE t.id = $2 AND ", "t.org_id", "");
static const char *const SQL_PREVIEW[3] = SCOPED(
    "SELECT t.org_id, o.name, COUNT(*), SUM(t.event_count), MIN(t.first_seen), MAX(t.last_seen) "
    "FROM threats t JOIN orgs o ON o.id = t.org_id WHERE ",
    "t.org_id",
    " AND (t.id = $3 OR (t.indicator = $2 AND t.indicator <> '')) "
    "GROUP BY t.org_id, o.name ORDER BY t.org_id");

enum err notice_same_indicator(struct db *db, const struct caller *c, long long threat_id,
                               json_t **items)
{
    struct db_stmt *s;
    char *indicator = NULL;
    int row;
    enum err rc = db_prepare(db, scope_sql(c, SQL_PREVIEW_THREAT), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    db_bind_int(s, 2, threat_id);
    if (!(rc = db_step(s, &row)) && row)
        indicator = xstrdup(db_text(s, 0));
    db_done(s);
    if (!rc && !indicator)
        rc = errf(ERR_NOT_FOUND, NULL, "威胁不存在");
    if (rc || (rc = db_prepare(db, scope_sql(c, SQL_PREVIEW), &s)))
        goto out;
    scope_bind(s, c);
    db_bind_text(s, 2, indicator);
    db_bind_int(s, 3, threat_id);
    *items = json_array();
    while (!(rc = db_step(s, &row)) && row) {
        char org[24];
        id_text(db_int(s, 0), org);
        json_array_append_new(*items, json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "org_id", org,
                                                "org_name", db_text(s, 1), "indicator", indicator,
                                                "threats", (json_int_t)db_int(s, 2), "event_count",
                                                (json_int_t)db_int(s, 3), "first_seen",
                                                db_text(s, 4), "last_seen", db_text(s, 5)));
    }
    db_done(s);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
out:
    free(indicator);
    return rc;
}

/* ---- reading ---- */

json_t *notice_recipient_row(struct db_stmt *s, struct date today)
{
    char id[24], notice[24], org[24], issuer[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), notice);
    id_text(db_int(s, 2), org);
    id_text(db_int(s, 15), issuer);
    int st = notice_status_parse(db_text(s, 5));
    enum notice_status status = st < 0 ? NOTICE_ISSUED : (enum notice_status)st;
    struct date deadline, closed;
    int has_deadline = !date_parse(db_text(s, 13), &deadline);
    int overdue = has_deadline && notice_overdue(status, deadline, today);
    int late = has_deadline && status == NOTICE_CLOSED && db_text(s, 10) &&
               !date_parse(db_text(s, 10), &closed) && date_cmp(closed, deadline) > 0;
    long days = has_deadline ? date_to_days(deadline) - date_to_days(today) : 0;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:i,s:i,s:o,s:o,s:o,s:o,"
                     "s:o,s:b,s:s}",
                     "id", id, "notice_id", notice, "notice_title", db_text(s, 14), "issuer_org_id",
                     issuer, "issuer_org_name", db_text(s, 16), "org_id", org, "org_name",
                     db_text(s, 3), "reason", db_text(s, 4), "status", notice_status_code(status),
                     "status_name", notice_status_name(status), "overdue", overdue, "overdue_name",
                     overdue ? "逾期未整改" : "", "days_left", (int)days, "rounds",
                     (int)db_int(s, 6), "acknowledged_at", json_str_or_null(db_text(s, 7)),
                     "acknowledged_by", json_str_or_null(db_text(s, 8)), "closed_at",
                     json_str_or_null(db_text(s, 9)), "closed_on", json_str_or_null(db_text(s, 10)),
                     "closed_by", json_str_or_null(db_text(s, 11)), "closed_late", late, "deadline",
                     db_text(s, 13));
}

static const char SQL_RECIPIENT_ONE[] = NOTICE_RECIPIENT_COLS "WHERE r.id = $1";

static enum err recipient_base(struct db *db, long long id, struct date today, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RECIPIENT_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = notice_recipient_row(s, today);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "通报接收单位不存在");
    return rc;
}

static const char SQL_FEEDBACK[] =
    "SELECT id, round, measures, result, submitted_by, submitted_at, verdict, verdict_note, "
    "verdict_by, verdict_at FROM notice_feedback WHERE recipient_id = $1 ORDER BY round";
static const char SQL_EVIDENCE[] =
    "SELECT e.feedback_id, e.sm3, f.name, f.size, f.media_type, e.org_id FROM notice_evidence e "
    "JOIN notice_feedback fb ON fb.id = e.feedback_id "
    "JOIN files f ON f.sm3 = e.sm3 AND f.org_id = e.org_id "
    "WHERE fb.recipient_id = $1 ORDER BY e.feedback_id, e.seq";

/* The feedback rounds of a recipient, each with its evidence files. */
static enum err feedback_json(struct db *db, long long rid, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_FEEDBACK, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, rid);
    json_t *rounds = json_array(), *ids = json_object();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char fid[24];
        id_text(db_int(s, 0), fid);
        json_t *f = json_pack(
            "{s:i,s:s,s:s,s:[],s:s,s:s,s:o,s:o,s:o,s:o}", "round", (int)db_int(s, 1), "measures",
            db_text(s, 2), "result", db_text(s, 3), "evidence", "submitted_by", db_text(s, 4),
            "submitted_at", db_text(s, 5), "verdict", json_str_or_null(db_text(s, 6)),
            "verdict_note", json_str_or_null(db_text(s, 7)), "verdict_by",
            json_str_or_null(db_text(s, 8)), "verdict_at", json_str_or_null(db_text(s, 9)));
        json_array_append_new(rounds, f);
        json_object_set(ids, fid, f);
    }
    db_done(s);
    if (!rc && !(rc = db_prepare(db, SQL_EVIDENCE, &s))) {
        db_bind_int(s, 1, rid);
        while (!(rc = db_step(s, &row)) && row) {
            char fid[24], org[24];
            id_text(db_int(s, 0), fid);
            id_text(db_int(s, 5), org);
            json_t *f = json_object_get(ids, fid);
            if (f)
                json_array_append_new(json_object_get(f, "evidence"),
                                      json_pack("{s:s,s:s,s:I,s:s,s:s}", "id", db_text(s, 1),
                                                "name", db_text(s, 2), "size",
                                                (json_int_t)db_int(s, 3), "media_type",
                                                db_text(s, 4), "org_id", org));
        }
        db_done(s);
    }
    json_decref(ids);
    if (rc) {
        json_decref(rounds);
        return rc;
    }
    *out = rounds;
    return ERR_OK;
}

static const char SQL_RECIPIENT_THREATS[] =
    "SELECT t.id, t.unit_id, t.signature_id, t.signature, t.indicator, t.category, t.severity, "
    "t.event_count, t.first_seen, t.last_seen, nt.selected FROM notice_threats nt "
    "JOIN threats t ON t.id = nt.threat_id WHERE nt.recipient_id = $1 "
    "ORDER BY nt.selected DESC, t.id";

static enum err threats_json(struct db *db, long long rid, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RECIPIENT_THREATS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, rid);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24], unit[24];
        id_text(db_int(s, 0), id);
        id_text(db_int(s, 1), unit);
        json_array_append_new(
            items, json_pack("{s:s,s:o,s:I,s:s,s:s,s:s,s:s,s:i,s:I,s:s,s:s,s:b}", "id", id,
                             "unit_id", db_int(s, 1) ? json_string(unit) : json_null(),
                             "signature_id", (json_int_t)db_int(s, 2), "signature", db_text(s, 3),
                             "indicator", db_text(s, 4), "category", db_text(s, 5), "category_name",
                             category_name(db_text(s, 5)), "severity", (int)db_int(s, 6),
                             "event_count", (json_int_t)db_int(s, 7), "first_seen", db_text(s, 8),
                             "last_seen", db_text(s, 9), "selected", (int)db_int(s, 10)));
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

enum err notice_recipient_json(struct db *db, long long id, struct date today, json_t **out)
{
    json_t *r, *feedback, *threats;
    enum err rc = recipient_base(db, id, today, &r);
    if (rc)
        return rc;
    if ((rc = feedback_json(db, id, &feedback))) {
        json_decref(r);
        return rc;
    }
    json_object_set_new(r, "feedback", feedback);
    if ((rc = threats_json(db, id, &threats))) {
        json_decref(r);
        return rc;
    }
    json_object_set_new(r, "threats", threats);
    *out = r;
    return ERR_OK;
}

#define NOTICE_ONE(P)                                                                              \
    "SELECT n.id, n.issuer_org_id, o.name, n.issuer_side, n.title, n.description, n.deadline, "    \
    "n.same_indicator, n.indicators, n.issued_by, n.issued_at FROM notices n "                     \
    "JOIN orgs o ON o.id = n.issuer_org_id WHERE n.id = $2 AND " NOTICE_VIS(P)
static const char *const SQL_NOTICE_ONE[3] = {
    NOTICE_ONE(SCOPE_PRED_ALL),
    NOTICE_ONE(SCOPE_PRED_TREE),
    NOTICE_ONE(SCOPE_PRED_JURIS),
};
static const char *const SQL_NOTICE_RECIPIENTS[3] =
    SCOPED("SELECT r.id FROM notice_recipients r WHERE r.notice_id = $2 AND ", "r.org_id",
           " ORDER BY r.id");

static json_t *notice_row(struct db_stmt *s)
{
    char id[24], issuer[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), issuer);
    json_t *indicators = json_loads(db_text(s, 8), 0, NULL);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:s,s:s}", "id", id, "issuer_org_id",
                     issuer, "issuer_org_name", db_text(s, 2), "issuer_side", db_text(s, 3),
                     "title", db_text(s, 4), "description", db_text(s, 5), "deadline",
                     db_text(s, 6), "same_indicator", (int)db_int(s, 7), "indicators",
                     indicators ? indicators : json_array(), "issued_by", db_text(s, 9),
                     "issued_at", db_text(s, 10));
}

/* The ids of the notice's recipients that c sees. */
static enum err visible_recipients(struct db *db, const struct caller *c, long long id,
                                   long long **ids, size_t *n)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, scope_sql(c, SQL_NOTICE_RECIPIENTS), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    db_bind_int(s, 2, id);
    size_t cap = 0;
    int row;
    *n = 0;
    *ids = NULL;
    while (!(rc = db_step(s, &row)) && row) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *ids = xrealloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = db_int(s, 0);
    }
    db_done(s);
    return rc;
}

enum err notice_json(struct db *db, const struct caller *c, long long id, struct date today,
                     json_t **out)
{
    struct db_stmt *s;
    json_t *n = NULL;
    enum err rc = db_prepare(db, scope_sql(c, SQL_NOTICE_ONE), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    db_bind_int(s, 2, id);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        n = notice_row(s);
    db_done(s);
    if (!rc && !n)
        rc = errf(ERR_NOT_FOUND, NULL, "通报不存在");
    if (rc)
        return rc;
    long long *rids;
    size_t n_rids;
    if ((rc = visible_recipients(db, c, id, &rids, &n_rids))) {
        json_decref(n);
        return rc;
    }
    json_t *recipients = json_array();
    long long closed = 0, overdue = 0;
    for (size_t i = 0; !rc && i < n_rids; i++) {
        json_t *r;
        if ((rc = notice_recipient_json(db, rids[i], today, &r)))
            break;
        closed += !strcmp(json_str(r, "status"), "closed");
        overdue += json_is_true(json_object_get(r, "overdue"));
        json_array_append_new(recipients, r);
    }
    free(rids);
    json_object_set_new(n, "recipients", recipients);
    json_object_set_new(n, "summary",
                        json_pack("{s:I,s:I,s:I}", "recipients", (json_int_t)n_rids, "closed",
                                  (json_int_t)closed, "overdue", (json_int_t)overdue));
    if (rc) {
        json_decref(n);
        return rc;
    }
    *out = n;
    return ERR_OK;
}

static const char SQL_RECIPIENT_GET[] =
    "SELECT r.id, r.notice_id, r.org_id, n.issuer_org_id, r.status, r.rounds "
    "FROM notice_recipients r JOIN notices n ON n.id = r.notice_id "
    "WHERE r.id = $1 AND r.notice_id = $2";

enum err notice_recipient_get(struct db *db, long long notice_id, long long id,
                              struct notice_recipient *out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RECIPIENT_GET, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, notice_id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        int st = notice_status_parse(db_text(s, 4));
        *out = (struct notice_recipient){
            .id = db_int(s, 0),
            .notice_id = db_int(s, 1),
            .org_id = db_int(s, 2),
            .issuer_org_id = db_int(s, 3),
            .status = st < 0 ? NOTICE_ISSUED : (enum notice_status)st,
            .rounds = (int)db_int(s, 5),
        };
        found = 1;
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "通报接收单位不存在");
    return rc;
}

/* ---- transitions ---- */

/* Runs s (an UPDATE guarded by the expected status) and checks that it changed the row: a
 * concurrent transition that got there first leaves it unchanged (ERR_CONFLICT). */
static enum err guarded(struct db_stmt *s)
{
    int row;
    enum err rc = db_step(s, &row);
    long long changed = rc ? 0 : db_changes(s);
    db_done(s);
    if (!rc && changed != 1)
        rc = errf(ERR_CONFLICT, "status", "通报状态已被他人更新，请刷新后重试");
    return rc;
}

/* The audit record of a transition (before/after: the recipient without its threats) and the
 * refresh of the notice's duties. extra (borrowed, may be NULL) is merged into after. */
static enum err finish(struct db *db, const struct audit_ctx *ax, const struct notice_recipient *r,
                       const char *action, json_t *before, json_t *extra)
{
    json_t *after;
    char idb[24];
    enum err rc = recipient_base(db, r->id, date_today_shanghai(), &after);
    if (rc)
        return rc;
    if (extra)
        json_object_update(after, extra);
    id_text(r->id, idb);
    rc = audit_append(db, ax, action, "notice_recipient", idb, r->org_id, before, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "notice", r->notice_id);
}

/* Checks the transition and takes the recipient's state before it. */
static enum err begin(struct db *db, const struct notice_recipient *r, enum notice_action a,
                      json_t **before)
{
    enum notice_status to;
    enum err rc = notice_transition(r->status, a, &to);
    return rc ? rc : recipient_base(db, r->id, date_today_shanghai(), before);
}

static const char SQL_ACKNOWLEDGE[] =
    "UPDATE notice_recipients SET status = 'acknowledged', acknowledged_at = $2, "
    "acknowledged_by = $3, updated_at = $2 WHERE id = $1 AND status = 'issued'";

enum err notice_acknowledge(struct db *db, const struct audit_ctx *ax,
                            const struct notice_recipient *r)
{
    json_t *before;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = begin(db, r, NOTICE_ACKNOWLEDGE, &before);
    if (rc)
        return rc;
    if (!(rc = db_prepare(db, SQL_ACKNOWLEDGE, &s))) {
        db_bind_int(s, 1, r->id);
        db_bind_text(s, 2, now);
        db_bind_text(s, 3, ax->actor_name);
        if (!(rc = guarded(s)))
            rc = finish(db, ax, r, "notice.acknowledge", before, NULL);
    }
    json_decref(before);
    return rc;
}

static const char SQL_FEEDBACK_STATUS[] =
    "UPDATE notice_recipients SET status = 'feedback_submitted', rounds = rounds + 1, "
    "updated_at = $2 WHERE id = $1 AND status = 'acknowledged'";
static const char SQL_FEEDBACK_INSERT[] =
    "INSERT INTO notice_feedback (recipient_id, round, measures, result, submitted_by, "
    "submitted_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_EVIDENCE_INSERT[] =
    "INSERT INTO notice_evidence (feedback_id, seq, sm3, org_id) VALUES ($1, $2, $3, $4)";

/* The evidence files of a round: the recipient organisation gets its own row of each content, so
 * that whoever sees the recipient (the issuer included) can download it. */
static enum err add_evidence(struct db *db, const struct audit_ctx *ax, long long feedback_id,
                             long long org, const struct file_meta *files, size_t n)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        struct file_meta m = files[i];
        json_t *row;
        int created;
        struct db_stmt *s;
        m.org_id = org;
        if ((rc = file_record(db, ax, &m, &row, &created)))
            break;
        json_decref(row);
        if ((rc = db_prepare(db, SQL_EVIDENCE_INSERT, &s)))
            break;
        db_bind_int(s, 1, feedback_id);
        db_bind_int(s, 2, (long long)i + 1);
        db_bind_text(s, 3, m.sm3);
        db_bind_int(s, 4, org);
        rc = step_once(s);
    }
    return rc;
}

enum err notice_feedback(struct db *db, const struct audit_ctx *ax,
                         const struct notice_recipient *r, const char *measures, const char *result,
                         const struct file_meta *files, size_t n_files)
{
    json_t *before, *extra = NULL;
    struct db_stmt *s;
    char now[40];
    long long feedback_id = 0;
    int round = r->rounds + 1, row;
    time_now_iso(now);
    enum err rc = begin(db, r, NOTICE_FEEDBACK, &before);
    if (rc)
        return rc;
    if ((rc = db_prepare(db, SQL_FEEDBACK_STATUS, &s)))
        goto out;
    db_bind_int(s, 1, r->id);
    db_bind_text(s, 2, now);
    if ((rc = guarded(s)) || (rc = db_prepare(db, SQL_FEEDBACK_INSERT, &s)))
        goto out;
    db_bind_int(s, 1, r->id);
    db_bind_int(s, 2, round);
    db_bind_text(s, 3, measures);
    db_bind_text(s, 4, result);
    db_bind_text(s, 5, ax->actor_name);
    db_bind_text(s, 6, now);
    if (!(rc = db_step(s, &row)) && row)
        feedback_id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = add_evidence(db, ax, feedback_id, r->org_id, files, n_files)))
        goto out;
    json_t *evidence = json_array();
    for (size_t i = 0; i < n_files; i++)
        json_array_append_new(evidence, json_string(files[i].sm3));
    extra = json_pack("{s:{s:i,s:s,s:s,s:o}}", "feedback", "round", round, "measures", measures,
                      "result", result, "evidence", evidence);
    rc = finish(db, ax, r, "notice.feedback", before, extra);
out:
    json_decref(extra);
    json_decref(before);
    return rc;
}

static const char SQL_CLOSE[] =
    "UPDATE notice_recipients SET status = 'closed', closed_at = $2, closed_on = $3, "
    "closed_by = $4, updated_at = $2 WHERE id = $1 AND status = 'feedback_submitted'";
static const char SQL_REOPEN[] =
    "UPDATE notice_recipients SET status = 'acknowledged', updated_at = $2 "
    "WHERE id = $1 AND status = 'feedback_submitted'";
static const char SQL_VERDICT[] =
    "UPDATE notice_feedback SET verdict = $3, verdict_note = $4, verdict_by = $5, verdict_at = $6 "
    "WHERE recipient_id = $1 AND round = $2 AND verdict IS NULL";

/* The issuer's verdict on the pending round: closed (with an optional note) or reopened (with
 * the reason). */
static enum err verdict(struct db *db, const struct audit_ctx *ax, const struct notice_recipient *r,
                        enum notice_action a, const char *note)
{
    json_t *before, *extra;
    struct db_stmt *s;
    char now[40], today[11];
    time_now_iso(now);
    date_format(date_today_shanghai(), today);
    enum err rc = begin(db, r, a, &before);
    if (rc)
        return rc;
    if ((rc = db_prepare(db, a == NOTICE_CLOSE ? SQL_CLOSE : SQL_REOPEN, &s)))
        goto out;
    db_bind_int(s, 1, r->id);
    db_bind_text(s, 2, now);
    if (a == NOTICE_CLOSE) {
        db_bind_text(s, 3, today);
        db_bind_text(s, 4, ax->actor_name);
    }
    if ((rc = guarded(s)) || (rc = db_prepare(db, SQL_VERDICT, &s)))
        goto out;
    const char *v = a == NOTICE_CLOSE ? "closed" : "reopened";
    db_bind_int(s, 1, r->id);
    db_bind_int(s, 2, r->rounds);
    db_bind_text(s, 3, v);
    db_bind_text(s, 4, note);
    db_bind_text(s, 5, ax->actor_name);
    db_bind_text(s, 6, now);
    if ((rc = step_once(s)))
        goto out;
    extra = json_pack("{s:{s:i,s:s,s:o}}", "verdict", "round", r->rounds, "verdict", v, "note",
                      json_str_or_null(note));
    rc = finish(db, ax, r, a == NOTICE_CLOSE ? "notice.close" : "notice.reopen", before, extra);
    json_decref(extra);
out:
    json_decref(before);
    return rc;
}

enum err notice_close(struct db *db, const struct audit_ctx *ax, const struct notice_recipient *r,
                      const char *note)
{
    return verdict(db, ax, r, NOTICE_CLOSE, note);
}

enum err notice_reopen(struct db *db, const struct audit_ctx *ax, const struct notice_recipient *r,
                       const char *reason)
{
    if (!reason || !*reason)
        return errf(ERR_VALIDATION, "reason", "退回须说明理由");
    return verdict(db, ax, r, NOTICE_REOPEN, reason);
}

/* ---- duties ---- */

static const char SQL_DUTIES[] =
    "SELECT r.id, r.notice_id, r.org_id, n.deadline FROM notice_recipients r "
    "JOIN notices n ON n.id = r.notice_id WHERE r.status <> 'closed' "
    "AND (CAST($1 AS BIGINT) IS NULL OR r.notice_id = $1) ORDER BY r.id";

/* 331号 §六 (一处发现、全网处置) and 实施细则 第十条(四)(五): the recipient disposes of the threat
 * and feeds back by the deadline; not closed by then it is 逾期未整改. */
enum err notice_produce(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    (void)today;
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DUTIES, &s);
    if (rc)
        return rc;
    if (id)
        db_bind_int(s, 1, id);
    else
        db_bind_null(s, 1);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        struct duty_item it = {
            .kind = DUTY_NOTICE,
            .title = "威胁通报处置",
            .fulfils = "按通报要求处置威胁并反馈处置情况，经通报方核验关闭",
            .rule = "R8 (331号 §六；实施细则第十条)",
            .source = "331号 §六；实施细则第十条",
            .org_id = db_int(s, 2),
        };
        char suffix[48];
        if (date_parse(db_text(s, 3), &it.due))
            continue;
        snprintf(suffix, sizeof suffix, "recipient:%lld", db_int(s, 0));
        duty_item_name(&it, "notice", db_int(s, 1), suffix);
        if ((rc = duty_emit(sink, &it)))
            break;
    }
    db_done(s);
    return rc;
}

const struct duty_producer threat_duty_producers[] = {
    {"notice", notice_produce, NULL},
    {NULL, NULL, NULL},
};
