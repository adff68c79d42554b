/* HTTP: organisations in the caller's scope, and the reference lists the console needs. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "http/export.h"
#include "http/http.h"
#include "org.h"
#include "rules.h"
#include "store/store.h"

json_t *org_row_json(struct db_stmt *s);
enum err org_add_jurisdiction(struct db *db, long long id, json_t *org);

#define ORG_COLS                                                                                   \
    "SELECT o.id, o.name, o.kind, o.uscc, o.province, CAST(o.parent_id AS TEXT), p.name, "         \
    "o.created_at, o.updated_at FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE "
#define ORG_FILTERS                                                                                \
    " AND (CAST($2 AS TEXT) IS NULL OR o.name LIKE $2 ESCAPE '\\' OR o.uscc = $3)"                 \
    " AND (CAST($4 AS TEXT) IS NULL OR o.kind = $4) AND (CAST($5 AS TEXT) IS NULL OR o.province "  \
    "= $5)"                                                                                        \
    " AND (CAST($6 AS BIGINT) IS NULL OR o.parent_id = $6)"

static const char *const SQL_LIST[3] =
    SCOPED(ORG_COLS, "o.id", ORG_FILTERS " ORDER BY o.id LIMIT $7 OFFSET $8");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM orgs o WHERE ", "o.id", ORG_FILTERS);

static void bind_filters(struct request *r, struct db_stmt *s)
{
    scope_bind(s, &r->caller);
    const char *q = req_query(r, "q"), *kind = req_query(r, "kind"),
               *prov = req_query(r, "province"), *parent = req_query(r, "parent_id");
    db_bind_text(s, 2, req_like(r, "q"));
    db_bind_text(s, 3, q && *q ? q : NULL);
    db_bind_text(s, 4, kind && *kind ? kind : NULL);
    db_bind_text(s, 5, prov && *prov ? prov : NULL);
    if (parent && *parent)
        db_bind_int(s, 6, id_parse(parent) >= 0 ? id_parse(parent) : -1);
    else
        db_bind_null(s, 6);
}

static enum err list(struct request *r)
{
    long long limit, offset, total;
    enum err rc = req_page(r, &limit, &offset);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_COUNT), &s)))
        return rc;
    bind_filters(r, s);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST), &s)))
        return rc;
    bind_filters(r, s);
    db_bind_int(s, 7, limit);
    db_bind_int(s, 8, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, org_row_json(s));
    db_done(s);
    size_t i;
    json_t *o;
    json_array_foreach (items, i, o) {
        if (!rc)
            rc = org_add_jurisdiction(r->db, id_parse(json_str(o, "id")), o);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static enum err get(struct request *r)
{
    long long id;
    json_t *out;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = scope_check_org(r, id)) || (rc = org_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static const struct jfield NEW_ORG[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "名称"},
    {"kind", JT_STRING, 1, 32, 0, 0, "机构类型"},
    {"uscc", JT_STRING, 1, 18, 0, 0, "统一社会信用代码"},
    {"province", JT_STRING, 1, 2, 0, 0, "省份"},
    {"parent_id", JT_ID, 0, 20, 0, 0, "上级机构"},
    {"jurisdiction", JT_ARRAY, 0, 200, 0, 0, "管辖范围"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err create(struct request *r)
{
    json_t *in, *out;
    enum err rc = req_json(r, NEW_ORG, &in);
    if (rc)
        return rc;
    const char *parent = json_str(in, "parent_id");
    if (r->caller.role == ROLE_OPERATOR_ADMIN) {
        /* An operator administrator adds subsidiaries under its own tree, operators only. */
        const struct org_kind *k = org_kind_find(json_str(in, "kind"));
        if (!parent)
            return errf(ERR_VALIDATION, "parent_id", "须指定上级机构（本单位或其下属单位）");
        if (scope_check_org(r, id_parse(parent)))
            return errf(ERR_NOT_FOUND, "parent_id", "上级机构不存在");
        if (k && k->regulator)
            return errf(ERR_FORBIDDEN, "kind", "运行单位管理员不能创建监管机构");
    } else if (r->caller.role != ROLE_SYSADMIN) {
        return errf(ERR_FORBIDDEN, NULL, "无权创建组织机构");
    }
    long long id;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = org_create(r->db, &ax, in, &id)) || (rc = org_json(r->db, id, &out)))
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

static const struct jfield PATCH_ORG[] = {
    {"name", JT_STRING, 2, 200, 0, 0, "名称"},
    {"uscc", JT_STRING, 2, 18, 0, 0, "统一社会信用代码"},
    {"province", JT_STRING, 2, 2, 0, 0, "省份"},
    {"jurisdiction", JT_ARRAY, 0, 200, 0, 0, "管辖范围"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err update(struct request *r)
{
    long long id;
    json_t *in, *out;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = scope_check_org(r, id)))
        return rc;
    if (r->caller.role != ROLE_SYSADMIN && r->caller.role != ROLE_OPERATOR_ADMIN)
        return errf(ERR_FORBIDDEN, NULL, "无权修改组织机构");
    if ((rc = req_json(r, PATCH_ORG, &in)))
        return rc;
    if (r->caller.role != ROLE_SYSADMIN && json_has(in, "jurisdiction"))
        return errf(ERR_FORBIDDEN, "jurisdiction", "只有系统管理员可以设置管辖范围");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = org_update(r->db, &ax, id, in)) || (rc = org_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static enum err meta(struct request *r)
{
    json_t *kinds = json_array(), *roles = json_array(), *provinces = json_array();
    size_t n;
    const struct org_kind *k = org_kinds(&n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(kinds, json_pack("{s:s,s:s,s:b}", "code", k[i].code, "name",
                                               k[i].name, "regulator", k[i].regulator));
    for (int i = 1; i < ROLE__COUNT; i++)
        json_array_append_new(roles, json_pack("{s:s,s:s}", "code", role_code((enum role)i), "name",
                                               role_name((enum role)i)));
    const struct province *p = province_list(&n);
    json_array_append_new(provinces, json_pack("{s:s,s:s}", "code", "00", "name", "全国"));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(provinces,
                              json_pack("{s:s,s:s}", "code", p[i].code, "name", p[i].name));
    reply_json(
        r, 200,
        json_pack("{s:o,s:o,s:o}", "org_kinds", kinds, "roles", roles, "provinces", provinces));
    return ERR_OK;
}

/* 管辖范围 as the console words it: "福建省 · 基础电信企业省级公司", "*" being 全部省份 / 全部类型.
 */
static void org_export_prepare(json_t *org)
{
    json_t *rows = json_object_get(org, "jurisdiction"), *j;
    size_t i;
    struct sbuf text;
    sbuf_init(&text, 0);
    json_array_foreach (rows, i, j) {
        const char *p = json_str(j, "province"), *k = json_str(j, "kind");
        const struct org_kind *kind = k ? org_kind_find(k) : NULL;
        const char *pn = p && !strcmp(p, "*") ? "全部省份" : p ? province_name(p) : NULL;
        sbuf_addf(&text, "%s%s · %s", i ? "、" : "",
                  pn  ? pn
                  : p ? p
                      : "",
                  k && !strcmp(k, "*") ? "全部类型"
                  : kind               ? kind->name
                  : k                  ? k
                                       : "");
    }
    json_object_set_new(org, "jurisdiction_text", json_string(text.buf));
    sbuf_release(&text);
}

static const struct export_col org_cols[] = {
    {"name", "名称", NULL},
    {"kind_name", "单位类型", NULL},
    {"uscc", "统一社会信用代码", NULL},
    {"province_name", "省份", NULL},
    {"parent_name", "上级单位", NULL},
    {"jurisdiction_text", "管辖范围", NULL},
    {NULL, NULL, NULL},
};

const struct list_export org_exports[] = {
    {"/api/v1/orgs", "组织机构", org_cols, NULL, org_export_prepare},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route org_routes[] = {
    {"GET", "/api/v1/orgs", list, 0},    {"POST", "/api/v1/orgs", create, 0},
    {"GET", "/api/v1/orgs/:id", get, 0}, {"PATCH", "/api/v1/orgs/:id", update, 0},
    {"GET", "/api/v1/meta", meta, 0},    {NULL, NULL, NULL, 0},
};
