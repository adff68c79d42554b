/* HTTP: inspections (R10). A regulator runs its campaigns (checklist, inspectors, the draw,
 * scoring, notices); the organisations in scope see the campaign, file their self-inspection
 * and answer their notices. A record is visible to whoever sees its organisation or the
 * campaign's regulator; everything else answers 404. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "crypto.h"
#include "duty/duty.h"
#include "http/export.h"
#include "http/http.h"
#include "inspect.h"
#include "store/store.h"
#include "xlsx.h"

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

static int visible(struct request *r, long long org)
{
    return org > 0 && scope_check_org(r, org) == ERR_OK;
}

/* Operators of the organisation's tree (and the system administrator) answer for it. */
static enum err org_writer(struct request *r, long long org)
{
    if ((r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role)) &&
        scope_mode(&r->caller) != SCOPE_JURIS && visible(r, org))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有被检查单位的人员可以填报");
}

/* ---- campaigns ---- */

/* A campaign concerns two sides: the regulator that runs it and its targets. The one scope rule
 * (auth.h) applies to both columns, in each of the three modes: a campaign is visible to whoever
 * sees its regulator or one of its targets. */
#define CAMPAIGN_VIS(P)                                                                            \
    "(" P("c.regulator_org_id") " OR EXISTS (SELECT 1 FROM inspect_targets vt WHERE "              \
                                "vt.campaign_id = c.id AND " P("vt.org_id") "))"
#define CAMPAIGN_SCOPED(head, tail)                                                                \
    {                                                                                              \
        head CAMPAIGN_VIS(SCOPE_PRED_ALL) tail, head CAMPAIGN_VIS(SCOPE_PRED_TREE) tail,           \
            head CAMPAIGN_VIS(SCOPE_PRED_JURIS) tail                                               \
    }
static const char *const SQL_CAMPAIGNS[3] =
    CAMPAIGN_SCOPED(INSPECT_CAMPAIGN_COLS, " ORDER BY c.id DESC LIMIT $2 OFFSET $3");
static const char *const SQL_CAMPAIGNS_COUNT[3] =
    CAMPAIGN_SCOPED("SELECT COUNT(*) FROM inspect_campaigns c WHERE ", "");
static const char *const SQL_TARGET_VISIBLE[3] =
    SCOPED("SELECT COUNT(*) FROM inspect_targets t WHERE t.campaign_id = $2 AND ", "t.org_id", "");

static enum err campaigns_h(struct request *r)
{
    long long limit, offset, total;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_CAMPAIGNS_COUNT), &s)))
        return rc;
    scope_bind(s, &r->caller);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_CAMPAIGNS), &s)))
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, limit);
    db_bind_int(s, 3, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, inspect_campaign_row(s));
    db_done(s);
    return reply_items(r, rc, items, total);
}

/* The campaign of the route: visible on the regulator's side (it sees the regulator) or on a
 * target's side (it sees one of the targets). */
static enum err campaign_visible(struct request *r, int param, long long *id, long long *regulator,
                                 int *regulator_side)
{
    long long n = 0;
    struct db_stmt *s;
    enum err rc = req_param_id(r, param, id);
    if (rc || (rc = inspect_campaign_regulator(r->db, *id, regulator)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "检查工作不存在") : rc;
    *regulator_side = visible(r, *regulator);
    if (*regulator_side)
        return ERR_OK;
    if ((rc = db_prepare(r->db, scope_sql(&r->caller, SQL_TARGET_VISIBLE), &s)))
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, *id);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    return n ? ERR_OK : errf(ERR_NOT_FOUND, NULL, "检查工作不存在");
}

static enum err owner_of(struct request *r, long long regulator)
{
    if (role_is_regulator(r->caller.role) && r->caller.org_id == regulator)
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有组织本次检查的主管部门可以执行此操作");
}

/* The campaign of the route, for its own regulator only. */
static enum err campaign_owned(struct request *r, long long *id)
{
    long long regulator;
    int side;
    enum err rc = campaign_visible(r, 0, id, &regulator, &side);
    return rc ? rc : owner_of(r, regulator);
}

static enum err campaign_get_h(struct request *r)
{
    long long id, regulator;
    int side;
    json_t *c;
    enum err rc = campaign_visible(r, 0, &id, &regulator, &side);
    if (rc || (rc = inspect_campaign_json(r->db, id, side, &c)))
        return rc;
    reply_json(r, 200, c);
    return ERR_OK;
}

static const struct jfield CAMPAIGN[] = {
    {"title", JT_STRING, 1, 200, 0, 0, "检查工作名称"},
    {"focus", JT_STRING, 1, 8000, 0, 0, "检查重点"},
    {"scope", JT_OBJECT, 1, 0, 0, 0, "检查范围"},
    {"self_due", JT_DATE, 1, 10, 0, 0, "自查报告报送期限"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err campaign_create_h(struct request *r)
{
    json_t *in, *c;
    long long id;
    enum err rc;
    if (!role_is_regulator(r->caller.role) || !r->caller.org_id)
        return errf(ERR_FORBIDDEN, NULL, "只有主管部门可以组织网络安全检查");
    if ((rc = req_json(r, CAMPAIGN, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_campaign_create(r->db, &ax, &r->caller, in, &id)) ||
        (rc = inspect_campaign_json(r->db, id, 1, &c)))
        return rc;
    reply_json(r, 201, c);
    return ERR_OK;
}

/* The file name kept with the checklist: printable characters, at most 200 bytes. */
static void file_label(char *out, size_t size, const char *name)
{
    size_t n = 0;
    for (const char *p = name ? name : ""; *p && n + 1 < size && n < 200; p++)
        if ((unsigned char)*p >= 0x20 && *p != 0x7f)
            out[n++] = *p;
    out[n] = '\0';
}

/* PUT the checklist: the body is the CSV or XLSX file. All or nothing; every bad row named. */
static enum err checklist_h(struct request *r)
{
    long long id;
    enum err rc = campaign_owned(r, &id);
    if (rc)
        return rc;
    if (!r->body.len)
        return errf(ERR_VALIDATION, "file", "请上传 CSV 或 XLSX 格式的检查项清单");
    char name[256], sm3[65];
    file_label(name, sizeof name, opt(r, "filename") ? opt(r, "filename") : "检查项清单");
    struct tab t;
    struct checklist_item *items;
    size_t n;
    json_t *errors = json_array(), *c;
    if ((rc = tab_read_auto(&r->arena, r->body.buf, r->body.len, name, NULL, &t)) ||
        (rc = inspect_checklist_read(&r->arena, &t, &items, &n, errors))) {
        if (json_array_size(errors))
            r->error_extra = json_pack("{s:o}", "rows", errors);
        else
            json_decref(errors);
        return rc;
    }
    json_decref(errors);
    if ((rc = crypto_sm3_hex(r->body.buf, r->body.len, sm3)) || (rc = db_begin(r->db)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_checklist_store(r->db, &ax, id, items, n, name, sm3)) ||
        (rc = inspect_campaign_json(r->db, id, 1, &c))) {
        db_rollback(r->db);
        return rc;
    }
    if ((rc = db_commit(r->db))) {
        json_decref(c);
        return rc;
    }
    reply_json(r, 200, c);
    return ERR_OK;
}

static enum err items_h(struct request *r)
{
    long long id, regulator;
    int side;
    json_t *items;
    enum err rc = campaign_visible(r, 0, &id, &regulator, &side);
    if (rc || (rc = inspect_items_json(r->db, id, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

/* ---- the draw ---- */

static const struct jfield DRAW[] = {
    {"n", JT_INT, 1, 0, 1, 100000, "抽取数量"},
    {"team_size", JT_INT, 0, 0, 1, 1000, "每组检查人员数"},
    {"seed", JT_STRING, 0, 64, 0, 0, "随机种子"},
    {"inspector_ids", JT_ARRAY, 0, 10000, 0, 0, "检查人员"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err draw_h(struct request *r)
{
    long long id, draw_id;
    json_t *in, *d;
    enum err rc = campaign_owned(r, &id);
    if (rc || (rc = req_json(r, DRAW, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_draw_run(r->db, &ax, id, in, &draw_id)) ||
        (rc = inspect_draw_record(r->db, id, &d)))
        return rc;
    reply_json(r, 201, d);
    return ERR_OK;
}

/* The draw record: the regulator's side only (it lists the whole pool). */
static enum err draw_get_h(struct request *r)
{
    long long id, regulator;
    int side;
    json_t *d;
    enum err rc = campaign_visible(r, 0, &id, &regulator, &side);
    if (rc)
        return rc;
    if (!side)
        return errf(ERR_NOT_FOUND, NULL, "抽取记录不存在");
    if ((rc = inspect_draw_record(r->db, id, &d)))
        return rc;
    reply_json(r, 200, d);
    return ERR_OK;
}

static enum err draw_verify_h(struct request *r)
{
    long long draw_id, campaign, regulator;
    json_t *out;
    enum err rc = req_param_id(r, 0, &draw_id);
    if (rc || (rc = inspect_draw_campaign(r->db, draw_id, &campaign)) ||
        (rc = inspect_campaign_regulator(r->db, campaign, &regulator)) ||
        (rc = scope_check_org(r, regulator)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "抽取记录不存在") : rc;
    if ((rc = inspect_draw_check(r->db, draw_id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static const struct jfield REPLAY[] = {
    {"seed", JT_STRING, 1, 64, 0, 0, "随机种子"},
    {"pool", JT_ARRAY, 1, 100000, 0, 0, "检查对象库"},
    {"inspectors", JT_ARRAY, 1, 10000, 0, 0, "检查人员库"},
    {"n", JT_INT, 1, 0, 1, 100000, "抽取数量"},
    {"team_size", JT_INT, 0, 0, 1, 10000, "每组检查人员数"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* Runs the draw on given snapshots: anyone can check a published draw. Nothing is written. */
static enum err replay_h(struct request *r)
{
    json_t *in, *result;
    enum err rc = req_json(r, REPLAY, &in);
    if (rc || (rc = inspect_draw_json(json_str(in, "seed"), json_object_get(in, "pool"),
                                      json_object_get(in, "inspectors"), json_int(in, "n", 0),
                                      json_int(in, "team_size", 2), &result)))
        return rc;
    reply_json(r, 200,
               json_pack("{s:s,s:s,s:o}", "algorithm", INSPECT_DRAW_ALGORITHM, "seed",
                         json_str(in, "seed"), "result", result));
    return ERR_OK;
}

/* ---- inspectors ---- */

#define INSPECTOR_FILTERS " AND (CAST($2 AS BIGINT) IS NOT NULL OR i.active = 1)"
static const char *const SQL_INSPECTORS[3] =
    SCOPED(INSPECT_INSPECTOR_COLS, "i.regulator_org_id",
           INSPECTOR_FILTERS " ORDER BY i.id LIMIT $3 OFFSET $4");
static const char *const SQL_INSPECTORS_COUNT[3] = SCOPED(
    "SELECT COUNT(*) FROM inspect_inspectors i WHERE ", "i.regulator_org_id", INSPECTOR_FILTERS);

static void bind_inspectors(struct request *r, struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    const char *all = opt(r, "all");
    if (all && (!strcmp(all, "true") || !strcmp(all, "1")))
        db_bind_int(s, 2, 1);
    else
        db_bind_null(s, 2);
}

static json_t *inspector_item(struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    return inspect_inspector_row(s);
}

static enum err inspectors_h(struct request *r)
{
    const struct scoped_list q = {SQL_INSPECTORS_COUNT, SQL_INSPECTORS, 1,
                                  bind_inspectors,      inspector_item, NULL};
    return req_scoped_list(r, &q);
}

static const struct jfield INSPECTOR[] = {
    {"name", JT_STRING, 1, 100, 0, 0, "姓名"},
    {"org_id", JT_ID, 0, 20, 0, 0, "所在单位"},
    {"expertise", JT_STRING, 0, 500, 0, 0, "专业领域"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err inspector_add_h(struct request *r)
{
    json_t *in, *out;
    long long id;
    enum err rc;
    if (!role_is_regulator(r->caller.role) || !r->caller.org_id)
        return errf(ERR_FORBIDDEN, NULL, "只有主管部门可以维护检查人员名录");
    if ((rc = req_json(r, INSPECTOR, &in)))
        return rc;
    const char *org = json_str(in, "org_id");
    if (org && !visible(r, id_parse(org)))
        return errf(ERR_NOT_FOUND, "org_id", "所在单位不存在");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_inspector_add(r->db, &ax, r->caller.org_id, in, &id)) ||
        (rc = inspect_inspector_json(r->db, id, &out)))
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

static const struct jfield INSPECTOR_PATCH[] = {
    {"name", JT_STRING, 2, 100, 0, 0, "姓名"},
    {"expertise", JT_STRING, 0, 500, 0, 0, "专业领域"},
    {"active", JT_BOOL, 0, 0, 0, 0, "在册"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err inspector_patch_h(struct request *r)
{
    long long id, regulator;
    json_t *in, *out;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = inspect_inspector_regulator(r->db, id, &regulator)) ||
        (rc = scope_check_org(r, regulator)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "检查人员不存在") : rc;
    if ((rc = owner_of(r, regulator)) || (rc = req_json(r, INSPECTOR_PATCH, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_inspector_update(r->db, &ax, id, in)) ||
        (rc = inspect_inspector_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

/* ---- self-inspections ---- */

#define TARGET_FILTERS                                                                             \
    " AND (CAST($2 AS BIGINT) IS NULL OR t.campaign_id = $2)"                                      \
    " AND (CAST($3 AS TEXT) IS NULL OR ($3 = 'submitted' AND t.submitted_at IS NOT NULL) OR "      \
    "($3 = 'pending' AND t.submitted_at IS NULL))"
static const char *const SQL_TARGETS[3] =
    SCOPED(INSPECT_TARGET_COLS, "t.org_id",
           TARGET_FILTERS " ORDER BY t.campaign_id DESC, t.org_id LIMIT $4 OFFSET $5");
static const char *const SQL_TARGETS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM inspect_targets t WHERE ", "t.org_id", TARGET_FILTERS);

static void bind_targets(struct request *r, struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    bind_opt_id(s, 2, opt(r, "campaign_id"));
    db_bind_text(s, 3, opt(r, "status"));
}

static json_t *target_item(struct db_stmt *s, const void *day)
{
    return inspect_target_row(s, *(const struct date *)day);
}

static enum err targets_h(struct request *r)
{
    const char *status = opt(r, "status");
    if (status && strcmp(status, "submitted") && strcmp(status, "pending"))
        return errf(ERR_VALIDATION, "status", "状态应为 submitted 或 pending");
    struct date t = today();
    const struct scoped_list q = {SQL_TARGETS_COUNT, SQL_TARGETS, 2, bind_targets, target_item, &t};
    return req_scoped_list(r, &q);
}

/* A record of an organisation within a campaign: visible to who sees either. */
static enum err pair_visible(struct request *r, long long org, long long campaign, const char *what)
{
    long long regulator;
    enum err rc = inspect_campaign_regulator(r->db, campaign, &regulator);
    if (rc)
        return rc;
    return visible(r, org) || visible(r, regulator) ? ERR_OK
                                                    : errf(ERR_NOT_FOUND, NULL, "%s", what);
}

static enum err visible_target(struct request *r, long long *id, long long *org)
{
    long long campaign;
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = inspect_target_org(r->db, *id, org, &campaign)) ||
        (rc = pair_visible(r, *org, campaign, "自查记录不存在")))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "自查记录不存在") : rc;
    return ERR_OK;
}

static enum err reply_target(struct request *r, long long id, int status)
{
    json_t *t;
    enum err rc = inspect_target_json(r->db, id, 1, today(), &t);
    if (!rc)
        reply_json(r, status, t);
    return rc;
}

static enum err target_get_h(struct request *r)
{
    long long id, org;
    enum err rc = visible_target(r, &id, &org);
    return rc ? rc : reply_target(r, id, 200);
}

static const struct jfield FINDINGS[] = {
    {"items", JT_ARRAY, 1, 2000, 0, 0, "自查结果"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err findings_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = visible_target(r, &id, &org);
    if (rc || (rc = org_writer(r, org)) || (rc = req_json(r, FINDINGS, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_findings_put(r->db, &ax, id, json_object_get(in, "items"))))
        return rc;
    return reply_target(r, id, 200);
}

static const struct jfield SUBMIT[] = {
    {"summary", JT_STRING, 1, 60000, 0, 0, "自查工作总结报告"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err target_submit_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = visible_target(r, &id, &org);
    if (rc || (rc = org_writer(r, org)) || (rc = req_json(r, SUBMIT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_target_submit(r->db, &ax, id, json_str(in, "summary"))))
        return rc;
    return reply_target(r, id, 200);
}

/* ---- spot checks ---- */

#define SPOT_FILTERS " AND (CAST($2 AS BIGINT) IS NULL OR s.campaign_id = $2)"
static const char *const SQL_SPOTS[3] =
    SCOPED(INSPECT_SPOT_COLS, "s.org_id",
           SPOT_FILTERS " ORDER BY s.campaign_id DESC, s.seq LIMIT $3 OFFSET $4");
static const char *const SQL_SPOTS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM inspect_spot_checks s WHERE ", "s.org_id", SPOT_FILTERS);

static void bind_spots(struct request *r, struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    bind_opt_id(s, 2, opt(r, "campaign_id"));
}

static json_t *spot_item(struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    return inspect_spot_row(s);
}

static enum err spots_h(struct request *r)
{
    const struct scoped_list q = {SQL_SPOTS_COUNT, SQL_SPOTS, 1, bind_spots, spot_item, NULL};
    return req_scoped_list(r, &q);
}

static enum err visible_spot(struct request *r, long long *id, long long *campaign)
{
    long long org;
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = inspect_spot_org(r->db, *id, &org, campaign)) ||
        (rc = pair_visible(r, org, *campaign, "抽查记录不存在")))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "抽查记录不存在") : rc;
    return ERR_OK;
}

static enum err owned_spot(struct request *r, long long *id)
{
    long long campaign, regulator;
    enum err rc = visible_spot(r, id, &campaign);
    if (rc || (rc = inspect_campaign_regulator(r->db, campaign, &regulator)))
        return rc;
    return owner_of(r, regulator);
}

static enum err reply_spot(struct request *r, long long id, int status)
{
    json_t *s;
    enum err rc = inspect_spot_json(r->db, id, 1, &s);
    if (!rc)
        reply_json(r, status, s);
    return rc;
}

static enum err spot_get_h(struct request *r)
{
    long long id, campaign;
    enum err rc = visible_spot(r, &id, &campaign);
    return rc ? rc : reply_spot(r, id, 200);
}

static const struct jfield SCORES[] = {
    {"items", JT_ARRAY, 1, 2000, 0, 0, "评分"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err scores_h(struct request *r)
{
    long long id;
    json_t *in;
    enum err rc = owned_spot(r, &id);
    if (rc || (rc = req_json(r, SCORES, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_scores_put(r->db, &ax, id, json_object_get(in, "items"))))
        return rc;
    return reply_spot(r, id, 200);
}

static const struct jfield COMPLETE[] = {
    {"summary", JT_STRING, 0, 60000, 0, 0, "检查结论"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err complete_h(struct request *r)
{
    long long id;
    json_t *in = NULL;
    enum err rc = owned_spot(r, &id);
    if (rc || (r->body.len && (rc = req_json(r, COMPLETE, &in))))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_spot_complete(r->db, &ax, id, in ? json_str(in, "summary") : NULL)))
        return rc;
    return reply_spot(r, id, 200);
}

/* ---- notices ---- */

static const struct jfield NOTICE[] = {
    {"number", JT_STRING, 0, 64, 0, 0, "文号"},
    {"problems", JT_ARRAY, 1, 100, 0, 0, "问题"},
    {"requirements", JT_STRING, 0, 8000, 0, 0, "整改要求"},
    {"due_date", JT_DATE, 1, 10, 0, 0, "整改期限"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err notice_issue_h(struct request *r)
{
    long long spot, id;
    json_t *in, *n;
    enum err rc = owned_spot(r, &spot);
    if (rc || (rc = req_json(r, NOTICE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_notice_issue(r->db, &ax, spot, in, &id)) ||
        (rc = inspect_notice_json(r->db, id, today(), &n)))
        return rc;
    reply_json(r, 201, n);
    return ERR_OK;
}

#define NOTICE_FILTERS                                                                             \
    " AND (CAST($2 AS BIGINT) IS NULL OR n.campaign_id = $2)"                                      \
    " AND (CAST($3 AS TEXT) IS NULL OR ($3 = 'closed' AND n.status = 'closed') OR "                \
    "($3 = 'open' AND n.status = 'issued') OR "                                                    \
    "($3 = 'overdue' AND n.status = 'issued' AND n.due_date < $4))"                                \
    " AND (CAST($5 AS BIGINT) IS NULL OR n.org_id = $5)"
static const char *const SQL_NOTICES[3] = SCOPED(
    INSPECT_NOTICE_COLS, "n.org_id", NOTICE_FILTERS " ORDER BY n.id DESC LIMIT $6 OFFSET $7");
static const char *const SQL_NOTICES_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM inspect_notices n WHERE ", "n.org_id", NOTICE_FILTERS);

static void bind_notices(struct request *r, struct db_stmt *s, const void *day)
{
    char t[11];
    date_format(*(const struct date *)day, t);
    bind_opt_id(s, 2, opt(r, "campaign_id"));
    db_bind_text(s, 3, opt(r, "status"));
    db_bind_text(s, 4, t);
    bind_opt_id(s, 5, opt(r, "org_id"));
}

static json_t *notice_item(struct db_stmt *s, const void *day)
{
    return inspect_notice_row(s, *(const struct date *)day);
}

static enum err notices_h(struct request *r)
{
    const char *status = opt(r, "status");
    if (status && strcmp(status, "open") && strcmp(status, "overdue") && strcmp(status, "closed"))
        return errf(ERR_VALIDATION, "status", "状态应为 open、overdue 或 closed");
    struct date d = today();
    const struct scoped_list q = {SQL_NOTICES_COUNT, SQL_NOTICES, 4, bind_notices, notice_item, &d};
    return req_scoped_list(r, &q);
}

static enum err visible_notice(struct request *r, long long *id, long long *org)
{
    long long regulator;
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = inspect_notice_org(r->db, *id, org, &regulator)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "整改通知书不存在") : rc;
    if (!visible(r, *org) && !visible(r, regulator))
        return errf(ERR_NOT_FOUND, NULL, "整改通知书不存在");
    return ERR_OK;
}

static enum err reply_notice(struct request *r, long long id)
{
    json_t *n;
    enum err rc = inspect_notice_json(r->db, id, today(), &n);
    if (!rc)
        reply_json(r, 200, n);
    return rc;
}

static enum err notice_get_h(struct request *r)
{
    long long id, org;
    enum err rc = visible_notice(r, &id, &org);
    return rc ? rc : reply_notice(r, id);
}

static const struct jfield REPORT[] = {
    {"rectification", JT_STRING, 1, 60000, 0, 0, "整改情况"},
    {"accountability", JT_STRING, 1, 60000, 0, 0, "问责情况"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err notice_report_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = visible_notice(r, &id, &org);
    if (rc || (rc = org_writer(r, org)) || (rc = req_json(r, REPORT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = inspect_notice_report(r->db, &ax, id, in)))
        return rc;
    return reply_notice(r, id);
}

/* A campaign's 范围 as the console words it: its kinds, then its provinces ("A、B · 福建省"). */
static void campaign_export_prepare(json_t *c)
{
    json_t *scope = json_object_get(c, "scope");
    struct sbuf text;
    sbuf_init(&text, 0);
    const char *const parts[] = {"kinds", "provinces"};
    for (int p = 0; p < 2; p++) {
        json_t *v;
        size_t i;
        if (p)
            sbuf_adds(&text, " · ");
        json_array_foreach (json_object_get(scope, parts[p]), i, v)
            sbuf_addf(&text, "%s%s", i ? "、" : "", json_str(v, "name") ? json_str(v, "name") : "");
    }
    json_object_set_new(c, "scope_text", json_string(text.buf));
    sbuf_release(&text);
}

/* 导出 XLSX of the 检查 tabs, in the columns of their tables; 已填 and 得分 as their parts. */
static const struct export_col campaign_cols[] = {
    {"title", "检查工作", NULL},
    {"regulator_name", "组织单位", NULL},
    {"scope_text", "范围", NULL},
    {"self_due", "自查报告期限", NULL},
    {"checklist.item_count", "检查项", NULL},
    {"draw.n", "抽查（家）", NULL},
    {NULL, NULL, NULL},
};

static const struct export_col target_cols[] = {
    {"campaign_title", "检查工作", NULL},
    {"org_name", "单位", NULL},
    {"self_due", "报送期限", NULL},
    {"findings_count", "已填", NULL},
    {"item_count", "检查项", NULL},
    {"status_name", "状态", NULL},
    {NULL, NULL, NULL},
};

static const struct export_col spot_cols[] = {
    {"seq", "序号", NULL},
    {"org_name", "被检查单位", NULL},
    {"campaign_title", "检查工作", NULL},
    {"team", "检查组", NULL},
    {"score", "得分", NULL},
    {"max_score", "满分", NULL},
    {"percent", "得分率（%）", NULL},
    {"status_name", "状态", NULL},
    {NULL, NULL, NULL},
};

static const struct export_col inspect_notice_cols[] = {
    {"number", "通知书", NULL},    {"org_name", "单位", NULL}, {"due_date", "整改期限", NULL},
    {"status_name", "状态", NULL}, {NULL, NULL, NULL},
};

const struct list_export inspect_exports[] = {
    {"/api/v1/inspect/campaigns", "检查工作", campaign_cols, NULL, campaign_export_prepare},
    {"/api/v1/inspect/self-inspections", "单位自查", target_cols, NULL, NULL},
    {"/api/v1/inspect/spot-checks", "双随机抽查", spot_cols, NULL, NULL},
    {"/api/v1/inspect/notices", "整改通知书", inspect_notice_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route inspect_routes[] = {
    {"GET", "/api/v1/inspect/campaigns", campaigns_h, 0},
    {"POST", "/api/v1/inspect/campaigns", campaign_create_h, 0},
    {"GET", "/api/v1/inspect/campaigns/:id", campaign_get_h, 0},
    {"PUT", "/api/v1/inspect/campaigns/:id/checklist", checklist_h, R_OWN_TX | R_UPLOAD},
    {"GET", "/api/v1/inspect/campaigns/:id/items", items_h, 0},
    {"GET", "/api/v1/inspect/campaigns/:id/draw", draw_get_h, 0},
    {"POST", "/api/v1/inspect/campaigns/:id/draw", draw_h, 0},
    {"GET", "/api/v1/inspect/draws/:id/verify", draw_verify_h, 0},
    {"POST", "/api/v1/inspect/draws/replay", replay_h, 0},
    {"GET", "/api/v1/inspect/inspectors", inspectors_h, 0},
    {"POST", "/api/v1/inspect/inspectors", inspector_add_h, 0},
    {"PATCH", "/api/v1/inspect/inspectors/:id", inspector_patch_h, 0},
    {"GET", "/api/v1/inspect/self-inspections", targets_h, 0},
    {"GET", "/api/v1/inspect/self-inspections/:id", target_get_h, 0},
    {"PUT", "/api/v1/inspect/self-inspections/:id/findings", findings_h, 0},
    {"POST", "/api/v1/inspect/self-inspections/:id/submit", target_submit_h, 0},
    {"GET", "/api/v1/inspect/spot-checks", spots_h, 0},
    {"GET", "/api/v1/inspect/spot-checks/:id", spot_get_h, 0},
    {"PUT", "/api/v1/inspect/spot-checks/:id/scores", scores_h, 0},
    {"POST", "/api/v1/inspect/spot-checks/:id/complete", complete_h, 0},
    {"POST", "/api/v1/inspect/spot-checks/:id/notices", notice_issue_h, 0},
    {"GET", "/api/v1/inspect/notices", notices_h, 0},
    {"GET", "/api/v1/inspect/notices/:id", notice_get_h, 0},
    {"POST", "/api/v1/inspect/notices/:id/report", notice_report_h, 0},
    {NULL, NULL, NULL, 0},
};

const struct duty_producer inspect_duty_producers[] = {
    {"inspection", inspect_produce, NULL},
    {NULL, NULL, NULL},
};
