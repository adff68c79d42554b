/* HTTP: 风险评估 per unit (identification tables, R7 risks, treatment plan, files, submission),
 * the R7 matrix tables (system administrators add versions), and an R7 calculator. Operators
 * write for units of their tree; regulators read within their jurisdiction; outside scope is 404.
 */
#include <stdio.h>
#include <string.h>

#include "assess/upload.h"
#include "audit/audit.h"
#include "http/export.h"
#include "http/http.h"
#include "risk.h"
#include "store/store.h"
#include "unit/unit.h"

static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有运行单位人员可以维护风险评估");
}

static enum err visible_unit(struct request *r, long long *id)
{
    return req_scoped_id(r, 0, unit_org, "网络单元不存在", id, NULL);
}

static enum err visible_ra(struct request *r, long long *id)
{
    return req_scoped_id(r, 0, risk_assessment_org, "风险评估记录不存在", id, NULL);
}

static enum err writable_ra(struct request *r, long long *id)
{
    enum err rc = visible_ra(r, id);
    return rc ? rc : may_write(r);
}

static enum err reply_ra(struct request *r, long long id, int status)
{
    json_t *ra;
    enum err rc = risk_assessment_json(r->db, id, 1, &ra);
    if (!rc)
        reply_json(r, status, ra);
    return rc;
}

#define LIST_FILTERS                                                                               \
    " AND (CAST($2 AS BIGINT) IS NULL OR ra.unit_id = $2)"                                         \
    " AND (CAST($3 AS BIGINT) IS NULL OR ra.org_id = $3)"                                          \
    " AND (CAST($4 AS TEXT) IS NULL OR ($4 = 'submitted' AND ra.submitted_at IS NOT NULL)"         \
    " OR ($4 = 'ended' AND ra.submitted_at IS NULL AND ra.ended_on IS NOT NULL)"                   \
    " OR ($4 = 'in_progress' AND ra.ended_on IS NULL))"                                            \
    " AND (CAST($5 AS BIGINT) IS NULL OR ra.pre_launch = $5)"
static const char *const SQL_LIST[3] =
    SCOPED(RISK_ASSESSMENT_COLS "WHERE ", "ra.org_id",
           LIST_FILTERS " ORDER BY ra.started_on DESC, ra.id DESC LIMIT $6 OFFSET $7");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM risk_assessments ra WHERE ", "ra.org_id", LIST_FILTERS);

static void bind_id_query(struct request *r, struct db_stmt *s, int idx, const char *name)
{
    const char *v = req_query(r, name);
    if (v && *v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static enum err list(struct request *r, long long unit_id)
{
    long long limit, offset, total = 0;
    const char *status = req_query(r, "status"), *pre = req_query(r, "pre_launch");
    enum err rc = req_page(r, &limit, &offset);
    if (rc)
        return rc;
    if (status && *status && strcmp(status, "in_progress") && strcmp(status, "ended") &&
        strcmp(status, "submitted"))
        return errf(ERR_VALIDATION, "status", "状态应为 in_progress、ended 或 submitted");
    if (pre && *pre && strcmp(pre, "true") && strcmp(pre, "false"))
        return errf(ERR_VALIDATION, "pre_launch", "pre_launch 应为 true 或 false");
    json_t *items = json_array();
    for (int pass = 0; pass < 2 && !rc; pass++) {
        struct db_stmt *s;
        if ((rc = db_prepare(r->db, scope_sql(&r->caller, pass ? SQL_LIST : SQL_COUNT), &s)))
            break;
        scope_bind(s, &r->caller);
        if (unit_id > 0)
            db_bind_int(s, 2, unit_id);
        else
            bind_id_query(r, s, 2, "unit_id");
        bind_id_query(r, s, 3, "org_id");
        db_bind_text(s, 4, status && *status ? status : NULL);
        if (pre && *pre)
            db_bind_int(s, 5, !strcmp(pre, "true"));
        else
            db_bind_null(s, 5);
        if (!pass) {
            rc = db_scalar_int(s, 0, &total);
            continue;
        }
        db_bind_int(s, 6, limit);
        db_bind_int(s, 7, offset);
        int row;
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(items, risk_assessment_row_json(s));
        db_done(s);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static enum err list_h(struct request *r)
{
    return list(r, 0);
}

static enum err unit_list_h(struct request *r)
{
    long long unit;
    enum err rc = visible_unit(r, &unit);
    return rc ? rc : list(r, unit);
}

#define RA_FIELDS(req)                                                                             \
    {"scope", JT_STRING, 0, 8000, 0, 0, "评估范围"},                                               \
        {"method", JT_STRING, 0, 16, 0, 0, "风险计算方法"},                                        \
        {"pre_launch", JT_BOOL, 0, 0, 0, 0, "上线前评估"},                                         \
        {"business", JT_STRING, 0, 8000, 0, 0, "业务概述"},                                        \
        {"overview", JT_STRING, 0, 20000, 0, 0, "概述"},                                           \
        {"criteria", JT_STRING, 0, 20000, 0, 0, "评价准则"},                                       \
        {"conclusion", JT_STRING, 0, 20000, 0, 0, "评估总结"},                                     \
        {"started_on", JT_DATE, req, 10, 0, 0, "开始日期"},                                        \
    {                                                                                              \
        "ended_on", JT_DATE, 0, 10, 0, 0, "结束日期"                                           \
    }

static const struct jfield NEW_RA[] = {
    RA_FIELDS(1),
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_RA[] = {
    RA_FIELDS(2),
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err create_h(struct request *r)
{
    long long unit, id;
    json_t *in;
    enum err rc = visible_unit(r, &unit);
    if (rc || (rc = may_write(r)) || (rc = req_json(r, NEW_RA, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = risk_assessment_create(r->db, &ax, unit, in, &id)) ? rc : reply_ra(r, id, 201);
}

static enum err get_h(struct request *r)
{
    long long id;
    enum err rc = visible_ra(r, &id);
    return rc ? rc : reply_ra(r, id, 200);
}

static enum err patch_h(struct request *r)
{
    long long id;
    json_t *in;
    enum err rc = writable_ra(r, &id);
    if (rc || (rc = req_json(r, PATCH_RA, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = risk_assessment_update(r->db, &ax, id, in)) ? rc : reply_ra(r, id, 200);
}

static enum err delete_h(struct request *r)
{
    long long id;
    enum err rc = writable_ra(r, &id);
    if (rc)
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = risk_assessment_delete(r->db, &ax, id)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

/* The identification table named by the route's :kind (404 when it names none). */
static enum err child_kind(struct request *r, const struct risk_child_kind **k)
{
    *k = r->n_params > 1 ? risk_child_kind_find(r->params[1]) : NULL;
    return *k ? ERR_OK : errf(ERR_NOT_FOUND, NULL, "接口不存在");
}

static enum err child_list_h(struct request *r)
{
    long long ra;
    const struct risk_child_kind *k;
    json_t *items;
    enum err rc = visible_ra(r, &ra);
    if (rc || (rc = child_kind(r, &k)) || (rc = risk_child_list_json(r->db, k, ra, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static enum err child_add_h(struct request *r)
{
    long long ra, id;
    const struct risk_child_kind *k;
    struct jfield spec[16];
    json_t *in, *out;
    enum err rc = writable_ra(r, &ra);
    if (rc || (rc = child_kind(r, &k)) || (rc = req_json(r, risk_child_fields(k, 0, spec), &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = risk_child_add(r->db, &ax, k, ra, in, &id)) ||
        (rc = risk_child_json(r->db, k, ra, id, &out)))
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

static enum err child_patch_h(struct request *r)
{
    long long ra, id;
    const struct risk_child_kind *k;
    struct jfield spec[16];
    json_t *in, *out;
    enum err rc = writable_ra(r, &ra);
    if (rc || (rc = child_kind(r, &k)) || (rc = req_param_id(r, 2, &id)) ||
        (rc = risk_child_json(r->db, k, ra, id, &out)))
        return rc;
    json_decref(out);
    if ((rc = req_json(r, risk_child_fields(k, 1, spec), &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = risk_child_update(r->db, &ax, k, ra, id, in)) ||
        (rc = risk_child_json(r->db, k, ra, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static enum err child_delete_h(struct request *r)
{
    long long ra, id;
    const struct risk_child_kind *k;
    enum err rc = writable_ra(r, &ra);
    if (rc || (rc = child_kind(r, &k)) || (rc = req_param_id(r, 2, &id)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = risk_child_delete(r->db, &ax, k, ra, id)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

static enum err risks_h(struct request *r)
{
    long long ra;
    json_t *items;
    enum err rc = visible_ra(r, &ra);
    if (rc || (rc = risk_list_json(r->db, ra, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static const struct jfield TREATMENT[] = {
    {"action", JT_STRING, 1, 16, 0, 0, "处置方式"}, {"owner", JT_STRING, 1, 200, 0, 0, "责任人"},
    {"due_date", JT_DATE, 0, 10, 0, 0, "完成期限"}, {"status", JT_STRING, 0, 16, 0, 0, "处置状态"},
    {"note", JT_STRING, 0, 4000, 0, 0, "说明"},     {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err treatment_h(struct request *r)
{
    long long ra, risk;
    json_t *in;
    enum err rc = writable_ra(r, &ra);
    if (rc || (rc = req_param_id(r, 1, &risk)) || (rc = req_json(r, TREATMENT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = risk_treatment_set(r->db, &ax, ra, risk, in)) ||
        (rc = risk_list_json(r->db, ra, &in)))
        return rc;
    reply_list(r, in, (long long)json_array_size(in));
    return ERR_OK;
}

static const struct jfield LINK[] = {
    {"file_id", JT_STRING, 1, 64, 0, 0, "文件"},
    {"role", JT_STRING, 1, 16, 0, 0, "用途"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err file_add_h(struct request *r)
{
    long long id, org, link;
    json_t *in;
    struct file_meta m;
    enum err rc = writable_ra(r, &id);
    if (rc || (rc = req_json(r, LINK, &in)) || (rc = risk_assessment_check_open(r->db, id)) ||
        (rc = risk_assessment_org(r->db, id, &org)))
        return rc;
    if (file_find_visible(r, json_str(in, "file_id"), &m))
        return errf(ERR_VALIDATION, "file_id", "文件不存在");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = file_link_add(r->db, &ax, FILE_OF_RISK, id, org, &m, json_str(in, "role"), &link)))
        return rc;
    return reply_ra(r, id, 201);
}

static enum err file_delete_h(struct request *r)
{
    long long id, org, link;
    enum err rc = writable_ra(r, &id);
    if (rc || (rc = req_param_id(r, 1, &link)) || (rc = risk_assessment_check_open(r->db, id)) ||
        (rc = risk_assessment_org(r->db, id, &org)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = file_link_delete(r->db, &ax, FILE_OF_RISK, id, org, link)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

static const struct jfield SUBMIT[] = {
    {"submitted_to", JT_STRING, 1, 200, 0, 0, "报送对象"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err submit_h(struct request *r)
{
    long long id;
    json_t *in;
    enum err rc = writable_ra(r, &id);
    if (rc || (rc = req_json(r, SUBMIT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = risk_assessment_submit(r->db, &ax, id, json_str(in, "submitted_to"))))
        return rc;
    return reply_ra(r, id, 200);
}

static enum err matrices_h(struct request *r)
{
    json_t *out;
    enum err rc = risk_matrices_json(r->db, &out);
    if (!rc)
        reply_json(r, 200, out);
    return rc;
}

static const struct jfield MATRIX[] = {
    {"version", JT_STRING, 1, 64, 0, 0, "版本"},
    {"source", JT_STRING, 0, 500, 0, 0, "来源"},
    {"likelihood", JT_ARRAY, 1, 5, 0, 0, "可能性矩阵"},
    {"loss", JT_ARRAY, 1, 5, 0, 0, "损失矩阵"},
    {"risk", JT_ARRAY, 1, 5, 0, 0, "风险矩阵"},
    {"band_min", JT_ARRAY, 1, 5, 0, 0, "风险等级下限"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err matrix_put_h(struct request *r)
{
    json_t *in, *out;
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以更换风险矩阵");
    enum err rc = req_json(r, MATRIX, &in);
    struct audit_ctx ax = audit_ctx_of(r);
    if (rc || (rc = risk_matrix_add(r->db, &ax, in)) || (rc = risk_matrices_json(r->db, &out)))
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

/* R7 calculator: ?asset=&threat=&vuln=[&method=multiply|matrix] with the current table. */
static enum err compute_h(struct request *r)
{
    static const char *const names[] = {"asset", "threat", "vuln"};
    int v[3];
    for (int i = 0; i < 3; i++) {
        const char *q = req_query(r, names[i]);
        long long n = q ? id_parse(q) : -1;
        if (n < 1 || n > 5)
            return errf(ERR_VALIDATION, names[i], "%s 取值应为 1 至 5 的整数", names[i]);
        v[i] = (int)n;
    }
    const char *method = req_query(r, "method");
    if (method && strcmp(method, "multiply") && strcmp(method, "matrix"))
        return errf(ERR_VALIDATION, "method", "风险计算方法应为 multiply 或 matrix");
    struct risk_result res;
    struct risk_matrix m;
    char version[65];
    enum err rc;
    if (method && !strcmp(method, "matrix")) {
        if (!(rc = risk_matrix_current(r->db, &m, version)))
            rc = risk_calc_matrix(&m, v[0], v[1], v[2], &res);
    } else {
        rc = risk_calc_multiply(v[0], v[1], v[2], &res);
    }
    if (rc)
        return rc;
    reply_json(r, 200,
               json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:s,s:s,s:s}", "asset", v[0], "threat", v[1],
                         "vuln", v[2], "likelihood", res.likelihood, "loss", res.loss, "value",
                         res.value, "level", res.level, "level_name", res.level_name, "method",
                         res.method, "table_version", res.version));
    return ERR_OK;
}

/* The console's columns; 起止日期, 方法 (with its 上线前 tag) and 报送期限 (or 已报送) as their
 * parts. */
static const struct export_col risk_cols[] = {
    {"unit_name", "网络单元", NULL},    {"org_name", "所属单位", NULL},
    {"started_on", "开始日期", NULL},   {"ended_on", "结束日期", NULL},
    {"method_name", "方法", NULL},      {"pre_launch", "上线前评估", NULL},
    {"status_name", "状态", NULL},      {"submit_due", "报送期限", NULL},
    {"submitted_at", "报送时间", NULL}, {NULL, NULL, NULL},
};

const struct list_export risk_exports[] = {
    {"/api/v1/risk-assessments", "风险评估", risk_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route risk_routes[] = {
    {"GET", "/api/v1/risk-assessments", list_h, 0},
    {"GET", "/api/v1/units/:id/risk-assessments", unit_list_h, 0},
    {"POST", "/api/v1/units/:id/risk-assessments", create_h, 0},
    {"GET", "/api/v1/risk-assessments/:id", get_h, 0},
    {"PATCH", "/api/v1/risk-assessments/:id", patch_h, 0},
    {"DELETE", "/api/v1/risk-assessments/:id", delete_h, 0},
    {"GET", "/api/v1/risk-assessments/:id/risks", risks_h, 0},
    {"PUT", "/api/v1/risk-assessments/:id/risks/:rid/treatment", treatment_h, 0},
    {"POST", "/api/v1/risk-assessments/:id/files", file_add_h, 0},
    {"DELETE", "/api/v1/risk-assessments/:id/files/:link", file_delete_h, 0},
    {"POST", "/api/v1/risk-assessments/:id/submit", submit_h, 0},
    /* :kind is business | assets | threats | vulns | controls */
    {"GET", "/api/v1/risk-assessments/:id/:kind", child_list_h, 0},
    {"POST", "/api/v1/risk-assessments/:id/:kind", child_add_h, 0},
    {"PATCH", "/api/v1/risk-assessments/:id/:kind/:cid", child_patch_h, 0},
    {"DELETE", "/api/v1/risk-assessments/:id/:kind/:cid", child_delete_h, 0},
    {"GET", "/api/v1/risk-matrices", matrices_h, 0},
    {"PUT", "/api/v1/risk-matrices", matrix_put_h, 0},
    {"GET", "/api/v1/risk/compute", compute_h, 0},
    {NULL, NULL, NULL, 0},
};
