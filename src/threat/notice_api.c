/* HTTP: threat notices (通报 → 处置反馈 → 核验关闭) and sharing (STIX 2.1). A notice is visible to
 * whoever sees its issuer or one of its recipients, and shows the recipients the caller sees;
 * everything else answers 404. The issuing organisation's regulators or security team verify and
 * close; the recipient organisation's operators acknowledge and feed back. */
#include <stdio.h>
#include <string.h>

#include "assess/upload.h"
#include "audit/audit.h"
#include "duty/duty.h"
#include "http/export.h"
#include "http/http.h"
#include "notice.h"
#include "store/store.h"

enum { STIX_MAX_IDS = 500, STIX_DEFAULT_LIMIT = 1000, STIX_MAX_LIMIT = 2000 };

static struct date today(void)
{
    return date_today_shanghai();
}

static const char *opt(struct request *r, const char *name)
{
    const char *v = req_query(r, name);
    return v && *v ? v : NULL;
}

static void bind_opt_id(struct db_stmt *s, int idx, const char *v)
{
    if (v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static enum err reply_items(struct request *r, enum err rc, json_t *items, long long total)
{
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static void release_json(void *p)
{
    json_decref(p);
}

/* A body that may be empty (POST …/acknowledge, …/close): {} then. */
static enum err optional_json(struct request *r, const struct jfield *fields, json_t **out)
{
    if (r->body.len)
        return req_json(r, fields, out);
    *out = json_object();
    arena_on_release(&r->arena, release_json, *out);
    return ERR_OK;
}

/* ---- sharing ---- */

/* ids=1,2,3 → ids; ERR_VALIDATION (field "ids") for anything else. */
static enum err parse_ids(struct request *r, const char *text, long long **ids, size_t *n)
{
    *n = 0;
    *ids = arena_alloc(&r->arena, STIX_MAX_IDS * sizeof **ids);
    for (const char *p = text;;) {
        size_t len = strcspn(p, ",");
        char buf[24];
        long long id = -1;
        if (len && len < sizeof buf) {
            memcpy(buf, p, len);
            buf[len] = '\0';
            id = id_parse(buf);
        }
        if (id <= 0)
            return errf(ERR_VALIDATION, "ids", "ids 应为以逗号分隔的威胁编号");
        if (*n == STIX_MAX_IDS)
            return errf(ERR_VALIDATION, "ids", "一次最多导出 %d 项威胁", STIX_MAX_IDS);
        (*ids)[(*n)++] = id;
        if (!p[len])
            return ERR_OK;
        p += len + 1;
    }
}

static enum err stix_h(struct request *r)
{
    struct stix_query q = {.limit = STIX_DEFAULT_LIMIT};
    const char *ids = opt(r, "ids"), *org = opt(r, "org_id"), *limit = opt(r, "limit");
    long long *list = NULL, total;
    enum err rc = ERR_OK;
    q.indicator = opt(r, "indicator");
    q.category = opt(r, "category");
    if (ids && (org || q.indicator || q.category || limit))
        return errf(ERR_VALIDATION, "ids", "按编号导出时不能同时使用筛选条件");
    if (ids && (rc = parse_ids(r, ids, &list, &q.n_ids)))
        return rc;
    q.ids = list;
    if (org)
        q.org_id = id_parse(org) > 0 ? id_parse(org) : -1;
    if (limit) {
        q.limit = id_parse(limit);
        if (q.limit < 1 || q.limit > STIX_MAX_LIMIT)
            return errf(ERR_VALIDATION, "limit", "limit 应为 1 至 %d 之间的整数", STIX_MAX_LIMIT);
    }
    json_t *bundle;
    if ((rc = stix_bundle(r->db, &r->caller, &q, &bundle, &total)))
        return rc;
    char count[24];
    snprintf(count, sizeof count, "%lld", total);
    reply_header(r, "X-Total-Count", count);
    reply_json(r, 200, bundle);
    return ERR_OK;
}

static enum err same_indicator_h(struct request *r)
{
    long long id;
    json_t *items;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = notice_same_indicator(r->db, &r->caller, id, &items)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "威胁不存在") : rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

/* ---- notices ---- */

static const struct jfield ISSUE[] = {
    {"title", JT_STRING, 2, 200, 0, 0, "标题"},
    {"description", JT_STRING, 1, NOTICE_TEXT_MAX, 0, 0, "通报内容"},
    {"deadline", JT_DATE, 1, 10, 0, 0, "处置期限"},
    {"threat_ids", JT_ARRAY, 1, NOTICE_MAX_THREATS, 0, 0, "威胁"},
    {"same_indicator", JT_BOOL, 0, 0, 0, 0, "向相同指标的单位下发"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err issue_h(struct request *r)
{
    const char *side = role_is_regulator(r->caller.role)  ? "regulator"
                       : role_is_operator(r->caller.role) ? "operator"
                                                          : NULL;
    json_t *in, *out;
    long long id;
    if (!side || !r->caller.org_id)
        return errf(ERR_FORBIDDEN, NULL, "只有监管人员或运行单位网络安全人员可以下发威胁通报");
    enum err rc = req_json(r, ISSUE, &in);
    struct audit_ctx ax = audit_ctx_of(r);
    if (rc || (rc = notice_issue(r->db, &ax, &r->caller, side, in, &id)) ||
        (rc = notice_json(r->db, &r->caller, id, today(), &out)))
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

/* Per notice, over the recipients the caller sees: how many, closed, overdue. */
#define VISIBLE_COUNT(P, cond)                                                                     \
    "(SELECT COUNT(*) FROM notice_recipients x WHERE x.notice_id = n.id AND " P("x.org_id") cond ")"
#define LIST_COLS(P)                                                                               \
    "SELECT n.id, n.issuer_org_id, o.name, n.issuer_side, n.title, n.description, n.deadline, "    \
    "n.same_indicator, n.indicators, n.issued_by, n.issued_at, " VISIBLE_COUNT(                    \
        P, "") ", " VISIBLE_COUNT(P,                                                               \
                                  " AND x.status = 'closed'") ", " VISIBLE_COUNT(P,                \
                                                                                 " AND x.status "  \
                                                                                 "<> 'closed' "    \
                                                                                 "AND n.deadline " \
                                                                                 "< $5") " "
#define LIST_WHERE(P)                                                                              \
    "FROM notices n JOIN orgs o ON o.id = n.issuer_org_id WHERE " NOTICE_VIS(                      \
        P) " AND (CAST($2 AS BIGINT) IS NULL OR n.issuer_org_id = $2)"                             \
           " AND (CAST($3 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM notice_recipients fr WHERE " \
           "fr.notice_id = n.id AND fr.org_id = $3 AND " P(                                        \
               "fr.org_id") "))"                                                                   \
                            " AND (CAST($4 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM "             \
                            "notice_recipients sr WHERE "                                          \
                            "sr.notice_id = n.id AND " P(                                          \
                                "sr.org_id") " AND (sr.status = $4 OR ($4 = 'overdue' AND "        \
                                             "sr.status <> 'closed' AND n.deadline < $5))))"
#define LIST(P)  LIST_COLS(P) LIST_WHERE(P) " ORDER BY n.id DESC LIMIT $6 OFFSET $7"
#define COUNT(P) "SELECT COUNT(*) " LIST_WHERE(P)
static const char *const SQL_LIST[3] = {LIST(SCOPE_PRED_ALL), LIST(SCOPE_PRED_TREE),
                                        LIST(SCOPE_PRED_JURIS)};
static const char *const SQL_COUNT[3] = {COUNT(SCOPE_PRED_ALL), COUNT(SCOPE_PRED_TREE),
                                         COUNT(SCOPE_PRED_JURIS)};

static json_t *list_row(struct db_stmt *s)
{
    char id[24], issuer[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(issuer, sizeof issuer, "%lld", db_int(s, 1));
    json_t *indicators = json_loads(db_text(s, 8), 0, NULL);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o,s:s,s:s,s:{s:I,s:I,s:I}}", "id", id,
                     "issuer_org_id", issuer, "issuer_org_name", db_text(s, 2), "issuer_side",
                     db_text(s, 3), "title", db_text(s, 4), "description", db_text(s, 5),
                     "deadline", db_text(s, 6), "same_indicator", (int)db_int(s, 7), "indicators",
                     indicators ? indicators : json_array(), "issued_by", db_text(s, 9),
                     "issued_at", db_text(s, 10), "summary", "recipients",
                     (json_int_t)db_int(s, 11), "closed", (json_int_t)db_int(s, 12), "overdue",
                     (json_int_t)db_int(s, 13));
}

static enum err list_h(struct request *r)
{
    long long limit, offset, total = 0;
    const char *status = opt(r, "status");
    char t[11];
    date_format(today(), t);
    enum err rc = req_page(r, &limit, &offset);
    if (!rc && status && strcmp(status, "overdue") && notice_status_parse(status) < 0)
        rc = errf(ERR_VALIDATION, "status",
                  "状态应为 issued、acknowledged、feedback_submitted、closed 或 overdue");
    for (int pass = 0; !rc && pass < 2; pass++) {
        struct db_stmt *s;
        if ((rc = db_prepare(r->db, scope_sql(&r->caller, pass ? SQL_LIST : SQL_COUNT), &s)))
            break;
        scope_bind(s, &r->caller);
        bind_opt_id(s, 2, opt(r, "issuer_org_id"));
        bind_opt_id(s, 3, opt(r, "org_id"));
        db_bind_text(s, 4, status);
        db_bind_text(s, 5, t);
        if (!pass) {
            rc = db_scalar_int(s, 0, &total);
            continue;
        }
        db_bind_int(s, 6, limit);
        db_bind_int(s, 7, offset);
        json_t *items = json_array();
        int row;
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(items, list_row(s));
        db_done(s);
        rc = reply_items(r, rc, items, total);
    }
    return rc;
}

/* 第十条(五): the issuer's board of recipients not closed by the deadline, oldest first. Both
 * the issuer and the recipient must be in the caller's scope. */
#define BOARD_WHERE(P)                                                                             \
    "WHERE r.status <> 'closed' AND n.deadline < $2 AND " P("n.issuer_org_id") " AND " P("r.org_"  \
                                                                                         "id")
#define BOARD(P)                                                                                   \
    NOTICE_RECIPIENT_COLS BOARD_WHERE(P) " ORDER BY n.deadline, r.id LIMIT $3 OFFSET $4"
#define BOARD_COUNT(P)                                                                             \
    "SELECT COUNT(*) FROM notice_recipients r JOIN notices n ON n.id = r.notice_id " BOARD_WHERE(P)
static const char *const SQL_BOARD[3] = {BOARD(SCOPE_PRED_ALL), BOARD(SCOPE_PRED_TREE),
                                         BOARD(SCOPE_PRED_JURIS)};
static const char *const SQL_BOARD_COUNT[3] = {
    BOARD_COUNT(SCOPE_PRED_ALL), BOARD_COUNT(SCOPE_PRED_TREE), BOARD_COUNT(SCOPE_PRED_JURIS)};

static enum err overdue_h(struct request *r)
{
    long long limit, offset, total;
    struct date d = today();
    char t[11];
    date_format(d, t);
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_BOARD_COUNT), &s)))
        return rc;
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, t);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_BOARD), &s)))
        return rc;
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, t);
    db_bind_int(s, 3, limit);
    db_bind_int(s, 4, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, notice_recipient_row(s, d));
    db_done(s);
    return reply_items(r, rc, items, total);
}

static enum err get_h(struct request *r)
{
    long long id;
    json_t *out;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = notice_json(r->db, &r->caller, id, today(), &out)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "通报不存在") : rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

/* ---- recipients ---- */

/* The recipient of the route (/notices/:id/recipients/:rid), visible when the caller sees its
 * organisation (the issuer sees every recipient it notified). */
static enum err visible_recipient(struct request *r, struct notice_recipient *out)
{
    long long notice, id;
    enum err rc = req_param_id(r, 0, &notice);
    if (!rc)
        rc = req_param_id(r, 1, &id);
    if (!rc)
        rc = notice_recipient_get(r->db, notice, id, out);
    if (!rc)
        rc = scope_check_org(r, out->org_id);
    return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "通报接收单位不存在") : rc;
}

/* The recipient organisation's side: its operators (within their tree) or the system
 * administrator. */
static enum err recipient_side(struct request *r)
{
    if ((r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role)) &&
        scope_mode(&r->caller) != SCOPE_JURIS)
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有接收通报的单位可以确认和反馈处置情况");
}

/* The issuer's side: the regulators or security team of the issuing organisation. */
static enum err issuer_side(struct request *r, const struct notice_recipient *rcpt)
{
    if ((role_is_regulator(r->caller.role) || role_is_operator(r->caller.role)) &&
        r->caller.org_id == rcpt->issuer_org_id)
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有下发通报的单位可以核验关闭或退回");
}

static enum err reply_recipient(struct request *r, long long id)
{
    json_t *out;
    enum err rc = notice_recipient_json(r->db, id, today(), &out);
    if (!rc)
        reply_json(r, 200, out);
    return rc;
}

static enum err recipient_get_h(struct request *r)
{
    struct notice_recipient rcpt;
    enum err rc = visible_recipient(r, &rcpt);
    return rc ? rc : reply_recipient(r, rcpt.id);
}

static const struct jfield NONE[] = {
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err acknowledge_h(struct request *r)
{
    struct notice_recipient rcpt;
    json_t *in;
    enum err rc = visible_recipient(r, &rcpt);
    if (rc || (rc = recipient_side(r)) || (rc = optional_json(r, NONE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = notice_acknowledge(r->db, &ax, &rcpt)))
        return rc;
    return reply_recipient(r, rcpt.id);
}

static const struct jfield FEEDBACK[] = {
    {"measures", JT_STRING, 1, NOTICE_TEXT_MAX, 0, 0, "处置措施"},
    {"result", JT_STRING, 1, NOTICE_TEXT_MAX, 0, 0, "处置结果"},
    {"evidence_file_ids", JT_ARRAY, 0, NOTICE_MAX_EVIDENCE, 0, 0, "证明材料"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* The evidence files, each visible to the caller (an upload of its own, PUT /api/v1/files). */
static enum err evidence(struct request *r, json_t *ids, struct file_meta *files, size_t *n)
{
    json_t *v;
    size_t i;
    *n = 0;
    json_array_foreach (ids, i, v) {
        const char *sm3 = json_string_value(v);
        if (!sm3 || !file_id_valid(sm3))
            return errf(ERR_VALIDATION, "evidence_file_ids", "第 %zu 个证明材料不是文件编号",
                        i + 1);
        for (size_t k = 0; k < *n; k++)
            if (!strcmp(files[k].sm3, sm3))
                return errf(ERR_VALIDATION, "evidence_file_ids", "第 %zu 个证明材料重复", i + 1);
        if (file_find_visible(r, sm3, &files[*n]))
            return errf(ERR_NOT_FOUND, "evidence_file_ids", "第 %zu 个证明材料不存在", i + 1);
        (*n)++;
    }
    return ERR_OK;
}

static enum err feedback_h(struct request *r)
{
    struct notice_recipient rcpt;
    struct file_meta files[NOTICE_MAX_EVIDENCE];
    size_t n_files = 0;
    json_t *in;
    enum err rc = visible_recipient(r, &rcpt);
    if (rc || (rc = recipient_side(r)) || (rc = req_json(r, FEEDBACK, &in)) ||
        (rc = evidence(r, json_object_get(in, "evidence_file_ids"), files, &n_files)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = notice_feedback(r->db, &ax, &rcpt, json_str(in, "measures"), json_str(in, "result"),
                              files, n_files)))
        return rc;
    return reply_recipient(r, rcpt.id);
}

static const struct jfield CLOSE[] = {
    {"note", JT_STRING, 0, NOTICE_TEXT_MAX, 0, 0, "核验意见"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err close_h(struct request *r)
{
    struct notice_recipient rcpt;
    json_t *in;
    enum err rc = visible_recipient(r, &rcpt);
    if (rc || (rc = issuer_side(r, &rcpt)) || (rc = optional_json(r, CLOSE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = notice_close(r->db, &ax, &rcpt, json_str(in, "note"))))
        return rc;
    return reply_recipient(r, rcpt.id);
}

static const struct jfield REOPEN[] = {
    {"reason", JT_STRING, 1, NOTICE_TEXT_MAX, 0, 0, "退回理由"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err reopen_h(struct request *r)
{
    struct notice_recipient rcpt;
    json_t *in;
    enum err rc = visible_recipient(r, &rcpt);
    if (rc || (rc = issuer_side(r, &rcpt)) || (rc = req_json(r, REOPEN, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = notice_reopen(r->db, &ax, &rcpt, json_str(in, "reason"))))
        return rc;
    return reply_recipient(r, rcpt.id);
}

/* 导出 XLSX of the 处置通报 tab: its table, 关闭 / 接收 (and the overdue tag) as columns of their
 * own. */
static const struct export_col notice_cols[] = {
    {"title", "通报", NULL},
    {"issuer_org_name", "下发单位", NULL},
    {"indicators", "指标", NULL},
    {"deadline", "处置期限", NULL},
    {"summary.closed", "关闭", NULL},
    {"summary.recipients", "接收", NULL},
    {"summary.overdue", "逾期", NULL},
    {"issued_at", "下发时间", NULL},
    {NULL, NULL, NULL},
};

const struct list_export notice_exports[] = {
    {"/api/v1/notices", "威胁处置通报", notice_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* /api/v1/threats/stix must come before the threat module's /api/v1/threats/:id. */
const struct route notice_routes[] = {
    {"GET", "/api/v1/threats/stix", stix_h, 0},
    {"GET", "/api/v1/threats/:id/same-indicator", same_indicator_h, 0},
    {"GET", "/api/v1/notices", list_h, 0},
    {"POST", "/api/v1/notices", issue_h, 0},
    {"GET", "/api/v1/notices/overdue", overdue_h, 0},
    {"GET", "/api/v1/notices/:id", get_h, 0},
    {"GET", "/api/v1/notices/:id/recipients/:rid", recipient_get_h, 0},
    {"POST", "/api/v1/notices/:id/recipients/:rid/acknowledge", acknowledge_h, 0},
    {"POST", "/api/v1/notices/:id/recipients/:rid/feedback", feedback_h, 0},
    {"POST", "/api/v1/notices/:id/recipients/:rid/close", close_h, 0},
    {"POST", "/api/v1/notices/:id/recipients/:rid/reopen", reopen_h, 0},
    {NULL, NULL, NULL, 0},
};
