/* HTTP: 符合性评测 (per unit, item by item, files, submission), check-item lists (imported by a
 * system administrator), and file upload and download. Operators write for units of their tree;
 * regulators read within their jurisdiction; anything outside the scope is 404. */
#include <stdio.h>
#include <string.h>

#include "assess.h"
#include "audit/audit.h"
#include "http/export.h"
#include "http/http.h"
#include "rules.h"
#include "store/store.h"
#include "unit/unit.h"
#include "upload.h"
#include "xlsx.h"

/* Operators (within their tree) and system administrators write assessments and files. */
static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有运行单位人员可以维护评测记录");
}

static enum err visible_unit(struct request *r, long long *id)
{
    return req_scoped_id(r, 0, unit_org, "网络单元不存在", id, NULL);
}

static enum err visible_assessment(struct request *r, long long *id)
{
    return req_scoped_id(r, 0, assessment_org, "评测记录不存在", id, NULL);
}

static enum err writable_assessment(struct request *r, long long *id)
{
    enum err rc = visible_assessment(r, id);
    return rc ? rc : may_write(r);
}

static enum err reply_assessment(struct request *r, long long id, int status)
{
    json_t *a;
    enum err rc = assessment_json(r->db, id, 1, &a);
    if (!rc)
        reply_json(r, status, a);
    return rc;
}

#define LIST_FILTERS                                                                               \
    " AND (CAST($2 AS BIGINT) IS NULL OR a.unit_id = $2)"                                          \
    " AND (CAST($3 AS BIGINT) IS NULL OR a.org_id = $3)"                                           \
    " AND (CAST($4 AS TEXT) IS NULL OR ($4 = 'submitted' AND a.submitted_at IS NOT NULL)"          \
    " OR ($4 = 'ended' AND a.submitted_at IS NULL AND a.ended_on IS NOT NULL)"                     \
    " OR ($4 = 'in_progress' AND a.ended_on IS NULL))"
static const char *const SQL_LIST[3] =
    SCOPED(ASSESSMENT_COLS "WHERE ", "a.org_id",
           LIST_FILTERS " ORDER BY a.started_on DESC, a.id DESC LIMIT $5 OFFSET $6");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM assessments a WHERE ", "a.org_id", LIST_FILTERS);

static void bind_id_query(struct request *r, struct db_stmt *s, int idx, const char *name)
{
    const char *v = req_query(r, name);
    if (v && *v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static enum err check_status_filter(const char *status)
{
    if (status && *status && strcmp(status, "in_progress") && strcmp(status, "ended") &&
        strcmp(status, "submitted"))
        return errf(ERR_VALIDATION, "status", "状态应为 in_progress、ended 或 submitted");
    return ERR_OK;
}

/* Lists assessments in scope; unit_id > 0 restricts to one unit (from the path). */
static enum err list(struct request *r, long long unit_id)
{
    long long limit, offset, total = 0;
    const char *status = req_query(r, "status");
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = check_status_filter(status)))
        return rc;
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
        if (!pass) {
            rc = db_scalar_int(s, 0, &total);
            continue;
        }
        db_bind_int(s, 5, limit);
        db_bind_int(s, 6, offset);
        int row;
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(items, assessment_row_json(s));
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

#define ASSESSMENT_FIELDS(req)                                                                     \
    {"standards", JT_STRING, 0, 2000, 0, 0, "评测依据的标准"},                                     \
        {"assessor_kind", JT_STRING, req, 16, 0, 0, "评测方式"},                                   \
        {"assessor_name", JT_STRING, req, 200, 0, 0, "评测机构名称"},                              \
        {"assessor_qualification", JT_STRING, 0, 500, 0, 0, "评测机构资质"},                       \
        {"started_on", JT_DATE, req, 10, 0, 0, "开始日期"},                                        \
        {"ended_on", JT_DATE, 0, 10, 0, 0, "结束日期"}, {"score", JT_STRING, 0, 8, 0, 0, "得分"},  \
        {"items_passed", JT_INT, 0, 0, 0, 100000, "符合项数"},                                     \
        {"items_failed", JT_INT, 0, 0, 0, 100000, "不符合项数"},                                   \
        {"items_na", JT_INT, 0, 0, 0, 100000, "不适用项数"},                                       \
        {"problems", JT_STRING, 0, 20000, 0, 0, "发现的问题"},                                     \
    {                                                                                              \
        "checklist_id", JT_ID, 0, 20, 0, 0, "检查项清单"                                      \
    }

static const struct jfield NEW_ASSESSMENT[] = {
    ASSESSMENT_FIELDS(1),
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield PATCH_ASSESSMENT[] = {
    ASSESSMENT_FIELDS(2),
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err create_h(struct request *r)
{
    long long unit, id;
    json_t *in;
    enum err rc = visible_unit(r, &unit);
    if (rc || (rc = may_write(r)) || (rc = req_json(r, NEW_ASSESSMENT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = assessment_create(r->db, &ax, unit, in, &id)))
        return rc;
    return reply_assessment(r, id, 201);
}

static enum err get_h(struct request *r)
{
    long long id;
    enum err rc = visible_assessment(r, &id);
    return rc ? rc : reply_assessment(r, id, 200);
}

static enum err patch_h(struct request *r)
{
    long long id;
    json_t *in;
    enum err rc = writable_assessment(r, &id);
    if (rc || (rc = req_json(r, PATCH_ASSESSMENT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = assessment_update(r->db, &ax, id, in)) ? rc : reply_assessment(r, id, 200);
}

static enum err delete_h(struct request *r)
{
    long long id;
    enum err rc = writable_assessment(r, &id);
    if (rc)
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = assessment_delete(r->db, &ax, id)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

static enum err items_get_h(struct request *r)
{
    long long id;
    json_t *out;
    enum err rc = visible_assessment(r, &id);
    if (rc || (rc = assessment_items_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static const struct jfield ITEMS[] = {
    {"items", JT_ARRAY, 1, 5000, 0, 0, "检查结果"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err items_put_h(struct request *r)
{
    long long id;
    json_t *in, *out;
    enum err rc = writable_assessment(r, &id);
    if (rc || (rc = req_json(r, ITEMS, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = assessment_items_set(r->db, &ax, id, json_object_get(in, "items"))) ||
        (rc = assessment_items_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
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
    enum err rc = writable_assessment(r, &id);
    if (rc || (rc = req_json(r, LINK, &in)) || (rc = assessment_check_open(r->db, id)) ||
        (rc = assessment_org(r->db, id, &org)))
        return rc;
    if (file_find_visible(r, json_str(in, "file_id"), &m))
        return errf(ERR_VALIDATION, "file_id", "文件不存在");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = file_link_add(r->db, &ax, FILE_OF_ASSESSMENT, id, org, &m, json_str(in, "role"),
                            &link)))
        return rc;
    return reply_assessment(r, id, 201);
}

static enum err file_delete_h(struct request *r)
{
    long long id, org, link;
    enum err rc = writable_assessment(r, &id);
    if (rc || (rc = req_param_id(r, 1, &link)) || (rc = assessment_check_open(r->db, id)) ||
        (rc = assessment_org(r->db, id, &org)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = file_link_delete(r->db, &ax, FILE_OF_ASSESSMENT, id, org, link)))
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
    enum err rc = writable_assessment(r, &id);
    if (rc || (rc = req_json(r, SUBMIT, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = assessment_submit(r->db, &ax, id, json_str(in, "submitted_to"))))
        return rc;
    return reply_assessment(r, id, 200);
}

/* ---- check-item lists ---- */

#define CL_FILTERS                                                                                 \
    "WHERE (CAST($1 AS TEXT) IS NULL OR unit_type = $1) "                                          \
    "AND (CAST($2 AS BIGINT) IS NULL OR level = $2) "
static const char SQL_CL_LIST[] =
    CHECKLIST_COLS CL_FILTERS "ORDER BY unit_type, level, name, id DESC LIMIT $3 OFFSET $4";
static const char SQL_CL_COUNT[] = "SELECT COUNT(*) FROM checklists " CL_FILTERS;

static enum err checklists_h(struct request *r)
{
    long long limit, offset, total = 0;
    const char *type = req_query(r, "unit_type");
    enum err rc = req_page(r, &limit, &offset);
    json_t *items = json_array();
    for (int pass = 0; pass < 2 && !rc; pass++) {
        struct db_stmt *s;
        if ((rc = db_prepare(r->db, pass ? SQL_CL_LIST : SQL_CL_COUNT, &s)))
            break;
        db_bind_text(s, 1, type && *type ? type : NULL);
        bind_id_query(r, s, 2, "level");
        if (!pass) {
            rc = db_scalar_int(s, 0, &total);
            continue;
        }
        db_bind_int(s, 3, limit);
        db_bind_int(s, 4, offset);
        int row;
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(items, checklist_row_json(s));
        db_done(s);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static enum err checklist_get_h(struct request *r)
{
    long long id;
    json_t *c;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = checklist_json(r->db, id, 1, &c)))
        return rc;
    reply_json(r, 200, c);
    return ERR_OK;
}

/* A file whose rows are bad imports nothing: the reply lists every bad row, in the error
 * envelope with "rows": [{line, field, message}]. No transaction has been opened. */
static void reply_bad_rows(struct request *r, json_t *bad)
{
    char msg[480];
    size_t n = json_array_size(bad), i;
    int w = snprintf(msg, sizeof msg, "检查项清单有 %zu 行错误，未导入任何内容", n);
    json_t *e;
    json_array_foreach (bad, i, e) {
        const char *m = json_str(e, "message");
        if (w < 0 || (size_t)w + strlen(m) + 8 >= sizeof msg) {
            snprintf(msg + w, sizeof msg - (size_t)w, "；……");
            break;
        }
        w += snprintf(msg + w, sizeof msg - (size_t)w, "%s%s", i ? "；" : "：", m);
    }
    reply_json(r, 400,
               json_pack("{s:{s:s,s:s,s:s,s:[s],s:o}}", "error", "code", err_code(ERR_VALIDATION),
                         "message", msg, "field", "file", "fields", "file", "rows", bad));
}

static enum err checklist_import_h(struct request *r)
{
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以导入检查项清单");
    const char *level = req_query(r, "level"), *filename = req_query(r, "filename");
    char source[256] = "";
    struct checklist_meta m = {
        .name = req_query(r, "name"),
        .version = req_query(r, "version"),
        .unit_type = req_query(r, "unit_type"),
        .level = level ? (int)(id_parse(level) > 5 ? 0 : id_parse(level)) : 0,
        .source_name = source,
    };
    enum err rc = checklist_meta_check(&m);
    if (rc || (filename && *filename && (rc = assess_file_name(filename, "filename", source))))
        return rc;
    struct tab t;
    json_t *bad;
    size_t n;
    if ((rc = tab_read_auto(&r->arena, r->body.buf, r->body.len, *source ? source : NULL, NULL,
                            &t)) ||
        (rc = checklist_rows_check(&t, &bad, &n)))
        return rc;
    if (json_array_size(bad)) {
        reply_bad_rows(r, bad);
        return ERR_OK;
    }
    json_decref(bad);
    struct audit_ctx ax = audit_ctx_of(r);
    long long id;
    json_t *c;
    if ((rc = db_begin(r->db)))
        return rc;
    if ((rc = checklist_insert(r->db, &ax, &m, &t, &id)) ||
        (rc = checklist_json(r->db, id, 0, &c))) {
        db_rollback(r->db);
        return rc;
    }
    if ((rc = db_commit(r->db))) {
        json_decref(c);
        return rc;
    }
    reply_json(r, 201, c);
    return ERR_OK;
}

/* The console's columns; 起止日期, 评测机构（评测方式） and 报送期限 (or 已报送) as their parts. */
static const struct export_col assessment_cols[] = {
    {"unit_name", "网络单元", NULL},
    {"org_name", "所属单位", NULL},
    {"started_on", "开始日期", NULL},
    {"ended_on", "结束日期", NULL},
    {"assessor_name", "评测机构", NULL},
    {"assessor_kind_name", "评测方式", NULL},
    {"score", "得分", NULL},
    {"status_name", "状态", NULL},
    {"submit_due", "报送期限", NULL},
    {"submitted_at", "报送时间", NULL},
    {NULL, NULL, NULL},
};

/* 导入 (who · when · file) as its parts. */
static const struct export_col checklist_cols[] = {
    {"name", "名称", NULL},
    {"version", "版本", NULL},
    {"unit_type_name", "网络单元类型", NULL},
    {"level", "级别", "1=第1级|2=第2级|3=第3级|4=第4级|5=第5级"},
    {"item_count", "检查项", NULL},
    {"imported_by", "导入人", NULL},
    {"created_at", "导入时间", NULL},
    {"source_name", "来源文件", NULL},
    {NULL, NULL, NULL},
};

const struct list_export assess_exports[] = {
    {"/api/v1/assessments", "符合性评测", assessment_cols, NULL, NULL},
    {"/api/v1/checklists", "检查项清单", checklist_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route assess_routes[] = {
    {"GET", "/api/v1/assessments", list_h, 0},
    {"GET", "/api/v1/units/:id/assessments", unit_list_h, 0},
    {"POST", "/api/v1/units/:id/assessments", create_h, 0},
    {"GET", "/api/v1/assessments/:id", get_h, 0},
    {"PATCH", "/api/v1/assessments/:id", patch_h, 0},
    {"DELETE", "/api/v1/assessments/:id", delete_h, 0},
    {"GET", "/api/v1/assessments/:id/items", items_get_h, 0},
    {"PUT", "/api/v1/assessments/:id/items", items_put_h, 0},
    {"POST", "/api/v1/assessments/:id/files", file_add_h, 0},
    {"DELETE", "/api/v1/assessments/:id/files/:link", file_delete_h, 0},
    {"POST", "/api/v1/assessments/:id/submit", submit_h, 0},
    {"GET", "/api/v1/checklists", checklists_h, 0},
    {"POST", "/api/v1/checklists", checklist_import_h, R_OWN_TX | R_UPLOAD},
    {"GET", "/api/v1/checklists/:id", checklist_get_h, 0},
    {NULL, NULL, NULL, 0},
};

/* ---- files ---- */

/* PUT /api/v1/files?name=…[&org_id=…] with the raw bytes: checked, hashed and written to disk
 * before the transaction that records it, so a slow disk never holds the write lock. */
static enum err upload_h(struct request *r)
{
    enum err rc = may_write(r);
    if (rc)
        return rc;
    long long org = r->caller.org_id;
    const char *o = req_query(r, "org_id");
    if (o && *o) {
        org = id_parse(o);
        if (org <= 0 || scope_check_org(r, org))
            return errf(ERR_NOT_FOUND, "org_id", "所属单位不存在");
    } else if (!org) {
        return errf(ERR_VALIDATION, "org_id", "请指定文件所属单位（org_id）");
    }
    struct file_meta m;
    if ((rc = file_check_upload(r->body.buf, r->body.len, req_query(r, "name"),
                                req_header(r, "Content-Type"), &m)) ||
        (rc = file_store_blob(r->body.buf, r->body.len, m.sm3)))
        return rc;
    m.org_id = org;
    struct audit_ctx ax = audit_ctx_of(r);
    json_t *out;
    int created;
    if ((rc = db_begin(r->db)))
        return rc;
    if ((rc = file_record(r->db, &ax, &m, &out, &created))) {
        db_rollback(r->db);
        return rc;
    }
    if ((rc = db_commit(r->db))) {
        json_decref(out);
        return rc;
    }
    reply_json(r, created ? 201 : 200, out);
    return ERR_OK;
}

static enum err download_h(struct request *r)
{
    struct file_meta m;
    char *data, cd[1024];
    enum err rc = file_find_visible(r, r->n_params ? r->params[0] : NULL, &m);
    if (rc || (rc = file_load(&r->arena, m.sm3, m.size, &data)))
        return rc;
    assess_content_disposition(m.name, cd, sizeof cd);
    reply_header(r, "Content-Disposition", cd);
    r->raw = data;
    r->raw_len = (size_t)m.size;
    r->content_type = arena_strdup(&r->arena, m.media_type);
    r->status = 200;
    return ERR_OK;
}

const struct route upload_routes[] = {
    {"PUT", "/api/v1/files", upload_h, R_OWN_TX | R_UPLOAD},
    {"GET", "/api/v1/files/:id", download_h, 0},
    {NULL, NULL, NULL, 0},
};
