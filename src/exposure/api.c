/* HTTP: the exposure surface (R4). Operators write the inventories of their tree and record the
 * 报备 of office exits; regulators read their jurisdiction (violations, summary, duplicates,
 * reconciliation); anything outside the caller's scope is 404. Scans are imported by system
 * administrators, operators and regulators, and reach only the organisations in their scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "exposure.h"
#include "http/export.h"
#include "http/http.h"
#include "internal.h"
#include "org/org.h"
#include "store/store.h"

static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* Operators (within their tree) and system administrators write the inventories. */
static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有运行单位人员可以维护互联网暴露面信息");
}

/* An optional id from the query string: 0 when absent, -1 (after errf) when malformed. */
static long long query_id(struct request *r, const char *name)
{
    const char *v = req_query(r, name);
    if (!v || !*v)
        return 0;
    long long id = id_parse(v);
    if (id <= 0) {
        errf(ERR_VALIDATION, name, "%s 不是合法的编号", name);
        return -1;
    }
    return id;
}

/* Entries. -------------------------------------------------------------------------------- */

#define FILTERS                                                                                    \
    " AND (CAST($2 AS BIGINT) IS NULL OR e.org_id = $2) AND (CAST($3 AS TEXT) IS NULL OR "         \
    "e.inventory = $3) AND (CAST($4 AS TEXT) IS NULL OR e.asset_name LIKE $4 OR e.ip LIKE $4 OR "  \
    "e.owner LIKE $4)"
static const char *const SQL_LIST[3] =
    SCOPED(EXPOSURE_ENTRY_COLS "WHERE ", "e.org_id",
           FILTERS " ORDER BY e.org_id, e.inventory, e.id LIMIT $5 OFFSET $6");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM exposure_entries e WHERE ", "e.org_id", FILTERS);

static enum err bind_filters(struct request *r, struct db_stmt *s)
{
    long long org = query_id(r, "org_id");
    const char *inv = req_query(r, "inventory"), *q = req_query(r, "q");
    if (org < 0)
        return ERR_VALIDATION;
    if (inv && *inv && exposure_inventory_parse(inv) < 0)
        return errf(ERR_VALIDATION, "inventory", "清单应为 office、vpn 或 zero_trust");
    scope_bind(s, &r->caller);
    if (org)
        db_bind_int(s, 2, org);
    else
        db_bind_null(s, 2);
    db_bind_text(s, 3, inv && *inv ? inv : NULL);
    db_bind_text(s, 4, q && *q ? arena_printf(&r->arena, "%%%s%%", q) : NULL);
    return ERR_OK;
}

static enum err entries_list(struct request *r)
{
    long long limit, offset, total;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_COUNT), &s)))
        return rc;
    if ((rc = bind_filters(r, s))) {
        db_done(s);
        return rc;
    }
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST), &s)))
        return rc;
    bind_filters(r, s);
    db_bind_int(s, 5, limit);
    db_bind_int(s, 6, offset);
    json_t *items = json_array(), *cache = json_object(), *e;
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, exposure_row_json(s));
    db_done(s);
    size_t i;
    json_array_foreach (items, i, e) {
        if (rc || (rc = exposure_entry_enrich(r->db, &r->caller, e, cache)))
            break;
    }
    json_decref(cache);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

/* The entry of the route, if the caller may see it (404 otherwise). */
static enum err visible_entry(struct request *r, long long *id, long long *org)
{
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = exposure_entry_org(r->db, *id, org)) || (rc = scope_check_org(r, *org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "暴露面条目不存在") : rc;
    return ERR_OK;
}

static enum err writable_entry(struct request *r, long long *id, long long *org)
{
    enum err rc = visible_entry(r, id, org);
    return rc ? rc : may_write(r);
}

static enum err reply_entry(struct request *r, long long id, int status)
{
    json_t *e;
    enum err rc = exposure_entry_json(r->db, &r->caller, id, &e);
    if (!rc)
        reply_json(r, status, e);
    return rc;
}

static enum err entry_get(struct request *r)
{
    long long id, org;
    enum err rc = visible_entry(r, &id, &org);
    return rc ? rc : reply_entry(r, id, 200);
}

#define ENTRY_FIELDS(req)                                                                          \
    {"owner", JT_STRING, req, 200, 0, 0, "责任主体"},                                              \
        {"asset_name", JT_STRING, req, 200, 0, 0, "资产名称"},                                     \
        {"asset_type", JT_STRING, 0, 100, 0, 0, "资产类型"},                                       \
        {"ip", JT_STRING, req, 4000, 0, 0, "IP 地址"},                                             \
        {"software", JT_STRING, 0, 500, 0, 0, "软件类型、版本"},                                   \
        {"purpose", JT_STRING, 0, 2000, 0, 0, "用途描述"},                                         \
        {"reachable", JT_STRING, 0, 2000, 0, 0, "可访问的网络和系统"},                             \
    {                                                                                              \
        "other", JT_STRING, 0, 2000, 0, 0, "其他"                                                \
    }

static const struct jfield NEW_ENTRY[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "所属单位"},
    {"inventory", JT_STRING, 1, 16, 0, 0, "清单"},
    ENTRY_FIELDS(1),
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* The organisation an entry or an import is written for: visible, and not a regulator. */
static enum err target_org(struct request *r, long long org, const char *field)
{
    char kind[32];
    if (scope_check_org(r, org))
        return field ? errf(ERR_NOT_FOUND, field, "所属单位不存在")
                     : errf(ERR_NOT_FOUND, NULL, "单位不存在");
    enum err rc = org_kind_of(r->db, org, kind);
    if (rc)
        return rc;
    const struct org_kind *k = org_kind_find(kind);
    if (k && k->regulator)
        return errf(ERR_VALIDATION, field ? field : "org_id", "监管机构没有互联网暴露面清单");
    return ERR_OK;
}

static enum err entry_create_h(struct request *r)
{
    json_t *in;
    long long id;
    enum err rc = may_write(r);
    if (rc || (rc = req_json(r, NEW_ENTRY, &in)))
        return rc;
    int inv = exposure_inventory_parse(json_str(in, "inventory"));
    if (inv < 0)
        return errf(ERR_VALIDATION, "inventory", "清单应为 office、vpn 或 zero_trust");
    long long org = id_parse(json_str(in, "org_id"));
    if ((rc = target_org(r, org, "org_id")))
        return rc;
    json_object_del(in, "org_id");
    json_object_del(in, "inventory");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = exposure_entry_create(r->db, &ax, org, (enum exposure_inventory)inv, in, &id)))
        return rc;
    return reply_entry(r, id, 201);
}

static const struct jfield PATCH_ENTRY[] = {
    ENTRY_FIELDS(2),
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err entry_update_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_entry(r, &id, &org);
    if (rc || (rc = req_json(r, PATCH_ENTRY, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = exposure_entry_update(r->db, &ax, id, in)) ? rc : reply_entry(r, id, 200);
}

static enum err entry_delete_h(struct request *r)
{
    long long id, org;
    enum err rc = writable_entry(r, &id, &org);
    if (rc)
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = exposure_entry_delete(r->db, &ax, id)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

static const struct jfield EXCEPTION[] = {
    {"reason", JT_STRING, 1, 2000, 0, 0, "报备理由"},
    {"reported_to", JT_STRING, 0, 200, 0, 0, "报备对象"},
    {"reported_on", JT_DATE, 1, 10, 0, 0, "报备日期"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err exception_put_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = writable_entry(r, &id, &org);
    if (rc || (rc = req_json(r, EXCEPTION, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = exposure_exception_set(r->db, &ax, id, in)) ? rc : reply_entry(r, id, 200);
}

static enum err exception_delete_h(struct request *r)
{
    long long id, org;
    enum err rc = writable_entry(r, &id, &org);
    if (rc)
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    return (rc = exposure_exception_delete(r->db, &ax, id)) ? rc : reply_entry(r, id, 200);
}

/* Dashboards. ----------------------------------------------------------------------------- */

static enum err violations_h(struct request *r)
{
    json_t *items;
    enum err rc = exposure_violations(r->db, &r->caller, &items);
    if (rc)
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

/* ?org_id= narrows to one visible organisation (404 outside the scope). */
static enum err org_filter(struct request *r, long long *org)
{
    *org = query_id(r, "org_id");
    if (*org < 0)
        return ERR_VALIDATION;
    if (*org && scope_check_org(r, *org))
        return errf(ERR_NOT_FOUND, NULL, "单位不存在");
    return ERR_OK;
}

static enum err summary_h(struct request *r)
{
    long long org;
    json_t *out;
    enum err rc = org_filter(r, &org);
    if (rc || (rc = exposure_summary(r->db, &r->caller, org, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static enum err duplicates_h(struct request *r)
{
    long long org;
    json_t *items;
    enum err rc = org_filter(r, &org);
    if (rc || (rc = exposure_duplicates(r->db, &r->caller, org, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static enum err rulesets_h(struct request *r)
{
    json_t *out;
    enum err rc = exposure_rulesets_json(r->db, &out);
    if (!rc)
        reply_json(r, 200, out);
    return rc;
}

static const struct jfield RULESET[] = {
    {"version", JT_STRING, 1, 64, 0, 0, "版本"},
    {"max_office_exits", JT_INT, 1, 0, 0, 100, "办公网互联网出入口上限"},
    {"source", JT_STRING, 1, 500, 0, 0, "依据"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err ruleset_put_h(struct request *r)
{
    json_t *in, *out;
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以更改出入口规则");
    enum err rc = req_json(r, RULESET, &in);
    struct audit_ctx ax = audit_ctx_of(r);
    if (rc || (rc = exposure_ruleset_add(r->db, &ax, in)) ||
        (rc = exposure_rulesets_json(r->db, &out)))
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

/* Per organisation: import, export, reconciliation. -------------------------------------- */

static enum err visible_org(struct request *r, long long *org)
{
    enum err rc = req_param_id(r, 0, org);
    if (rc || (rc = scope_check_org(r, *org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "单位不存在") : rc;
    return ERR_OK;
}

/* The body is the CSV or XLSX file itself. All or nothing. */
static enum err import_h(struct request *r)
{
    long long org;
    enum err rc = visible_org(r, &org);
    if (rc)
        return rc;
    int inv = exposure_inventory_parse(r->n_params > 1 ? r->params[1] : NULL);
    if (inv < 0)
        return errf(ERR_NOT_FOUND, NULL, "清单不存在（应为 office、vpn 或 zero_trust）");
    if ((rc = may_write(r)) || (rc = target_org(r, org, NULL)))
        return rc;
    if (!r->body.len)
        return errf(ERR_VALIDATION, "file", "请上传 CSV 或 XLSX 文件");
    struct audit_ctx ax = audit_ctx_of(r);
    struct exposure_import_result res;
    rc = exposure_import(r->db, &ax, org, (enum exposure_inventory)inv, r->body.buf, r->body.len,
                         &res);
    if (rc) {
        r->error_extra =
            json_pack("{s:o,s:I}", "rows", res.errors, "row_count", (json_int_t)res.rows);
        return rc;
    }
    json_decref(res.errors);
    reply_json(r, 201,
               json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "inventory", exposure_inventory_code(inv),
                         "rows", (json_int_t)res.rows, "created", (json_int_t)res.created,
                         "first_id", (json_int_t)res.first_id, "last_id", (json_int_t)res.last_id,
                         "duplicates", (json_int_t)res.duplicates));
    return ERR_OK;
}

static const char SQL_ORG_NAME[] = "SELECT name FROM orgs WHERE id = $1";

static enum err reply_workbook(struct request *r, long long org, const char *name)
{
    char *bytes;
    size_t len;
    enum err rc = exposure_export_xlsx(r->db, org, &bytes, &len);
    if (rc)
        return rc;
    reply_file(r, XLSX_TYPE, name, bytes, len);
    free(bytes);
    return ERR_OK;
}

static enum err export_h(struct request *r)
{
    long long org;
    struct db_stmt *s;
    enum err rc = visible_org(r, &org);
    if (rc || (rc = db_prepare(r->db, SQL_ORG_NAME, &s)))
        return rc;
    db_bind_int(s, 1, org);
    int row;
    const char *name = "";
    if (!(rc = db_step(s, &row)) && row)
        name = arena_printf(&r->arena, "%s互联网暴露面信息.xlsx", db_text(s, 0));
    db_done(s);
    return rc ? rc : reply_workbook(r, org, name);
}

static enum err template_h(struct request *r)
{
    return reply_workbook(r, 0, "互联网暴露面信息（模板）.xlsx");
}

static enum err reconcile_h(struct request *r)
{
    long long org, scan;
    json_t *out;
    enum err rc = visible_org(r, &org);
    if (rc)
        return rc;
    if ((scan = query_id(r, "scan_id")) < 0)
        return ERR_VALIDATION;
    if ((rc = exposure_reconcile(r->db, org, scan, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static enum err diff_h(struct request *r)
{
    long long org, from, to;
    json_t *out;
    enum err rc = visible_org(r, &org);
    if (rc)
        return rc;
    if ((from = query_id(r, "from")) < 0 || (to = query_id(r, "to")) < 0)
        return ERR_VALIDATION;
    if ((rc = exposure_scan_diff(r->db, org, from, to, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

/* Scans. ---------------------------------------------------------------------------------- */

/* The nmap XML is the body. */
static enum err scan_post_h(struct request *r)
{
    enum role role = r->caller.role;
    if (role != ROLE_SYSADMIN && !role_is_operator(role) && !role_is_regulator(role))
        return errf(ERR_FORBIDDEN, NULL, "只有运行单位、监管人员或系统管理员可以导入扫描结果");
    if (role != ROLE_SYSADMIN && !r->caller.org_id)
        return errf(ERR_FORBIDDEN, NULL, "账号未关联单位");
    if (!r->body.len)
        return errf(ERR_VALIDATION, "file", "请上传 nmap XML 扫描结果（nmap -oX）");
    struct audit_ctx ax = audit_ctx_of(r);
    json_t *out;
    enum err rc = exposure_scan_import(r->db, &ax, &r->caller, r->body.buf, r->body.len, &out);
    if (rc)
        return rc;
    reply_json(r, 201, out);
    return ERR_OK;
}

/* A scan imported by the system is visible to callers who see everything; another one to those
 * who see the organisation it was imported for. */
static enum err visible_scan(struct request *r, long long *id)
{
    long long org;
    enum err rc = req_param_id(r, 0, id);
    if (!rc && !(rc = exposure_scan_scope(r->db, *id, &org)))
        rc = org                                   ? scope_check_org(r, org)
             : scope_mode(&r->caller) == SCOPE_ALL ? ERR_OK
                                                   : errf(ERR_NOT_FOUND, NULL, NULL);
    return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "扫描记录不存在") : rc;
}

static enum err scan_get_h(struct request *r)
{
    long long id;
    json_t *out;
    enum err rc = visible_scan(r, &id);
    if (rc || (rc = exposure_scan_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

#define SCAN_COLS                                                                                  \
    "SELECT s.id, s.scanned_at, s.started_at, s.finished_at, s.scanner, s.scanner_version, "       \
    "s.hosts, s.hosts_up, s.ports, s.open_ports, s.scope_mode, s.scope_org, s.imported_by, "       \
    "s.imported_at FROM exposure_scans s WHERE "
static const char *const SQL_SCANS[3] =
    SCOPED(SCAN_COLS, "s.scope_org", " ORDER BY s.scanned_at DESC, s.id DESC LIMIT $2 OFFSET $3");
static const char *const SQL_SCANS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM exposure_scans s WHERE ", "s.scope_org", "");

static enum err scans_list_h(struct request *r)
{
    long long limit, offset, total;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_SCANS_COUNT), &s)))
        return rc;
    scope_bind(s, &r->caller);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_SCANS), &s)))
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, limit);
    db_bind_int(s, 3, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24], org[24];
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:o,s:o,s:s,s:s,s:I,s:I,s:I,s:I,s:s,s:o,s:s,s:s}", "id",
                      exposure_id_text(db_int(s, 0), id), "scanned_at", db_text(s, 1), "started_at",
                      json_str_or_null(db_text(s, 2)), "finished_at",
                      json_str_or_null(db_text(s, 3)), "scanner", db_text(s, 4), "version",
                      db_text(s, 5), "hosts", (json_int_t)db_int(s, 6), "hosts_up",
                      (json_int_t)db_int(s, 7), "ports", (json_int_t)db_int(s, 8), "open_ports",
                      (json_int_t)db_int(s, 9), "scope_mode", db_text(s, 10), "scope_org_id",
                      db_int(s, 11) ? json_string(exposure_id_text(db_int(s, 11), org))
                                    : json_null(),
                      "imported_by", db_text(s, 12), "imported_at", db_text(s, 13)));
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

/* 导出 XLSX of the entries page: its table, with the organisation and the inventory the page
 * picks in its filters; 报备 by its date (the table's 已报备 tag). */
static const struct export_col entry_cols[] = {
    {"org_name", "单位", NULL},
    {"inventory_name", "清单", NULL},
    {"seq", "序号", NULL},
    {"owner", "责任主体", NULL},
    {"asset_name", "资产名称", NULL},
    {"asset_type", "资产类型", NULL},
    {"ip", "IP 地址", NULL},
    {"software", "软件类型、版本", NULL},
    {"purpose", "用途描述", NULL},
    {"reachable", "可访问的网络和系统", NULL},
    {"other", "其他", NULL},
    {"exception.reported_on", "报备日期", NULL},
    {"warnings[].message", "提示", NULL},
    {"duplicates#", "重复地址数", NULL},
    {NULL, NULL, NULL},
};

const struct list_export exposure_exports[] = {
    {"/api/v1/exposure/entries", "暴露面条目", entry_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route exposure_routes[] = {
    {"GET", "/api/v1/exposure/entries", entries_list, 0},
    {"POST", "/api/v1/exposure/entries", entry_create_h, 0},
    {"GET", "/api/v1/exposure/entries/:id", entry_get, 0},
    {"PATCH", "/api/v1/exposure/entries/:id", entry_update_h, 0},
    {"DELETE", "/api/v1/exposure/entries/:id", entry_delete_h, 0},
    {"PUT", "/api/v1/exposure/entries/:id/exception", exception_put_h, 0},
    {"DELETE", "/api/v1/exposure/entries/:id/exception", exception_delete_h, 0},
    {"GET", "/api/v1/exposure/violations", violations_h, 0},
    {"GET", "/api/v1/exposure/summary", summary_h, 0},
    {"GET", "/api/v1/exposure/duplicates", duplicates_h, 0},
    {"GET", "/api/v1/exposure/rulesets", rulesets_h, 0},
    {"PUT", "/api/v1/exposure/rulesets", ruleset_put_h, 0},
    {"GET", "/api/v1/exposure/template.xlsx", template_h, 0},
    {"POST", "/api/v1/orgs/:id/exposure/:inventory/import", import_h, R_UPLOAD},
    {"GET", "/api/v1/orgs/:id/exposure.xlsx", export_h, 0},
    {"GET", "/api/v1/orgs/:id/exposure/reconciliation", reconcile_h, 0},
    {"GET", "/api/v1/orgs/:id/exposure/scan-diff", diff_h, 0},
    {"POST", "/api/v1/scans", scan_post_h, R_UPLOAD},
    {"GET", "/api/v1/scans", scans_list_h, 0},
    {"GET", "/api/v1/scans/:id", scan_get_h, 0},
    {NULL, NULL, NULL, 0},
};
