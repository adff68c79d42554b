/* Organisations' SQL and rules: kinds, validation, the closure tree, jurisdictions. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "duty/duty.h"
#include "json.h"
#include "org.h"
#include "rules.h"
#include "store/store.h"
#include "timeutil.h"

static const struct org_kind kinds[] = {
    {"telecom_group", "基础电信企业集团公司", 0},
    {"telecom_provincial", "基础电信企业省级公司", 0},
    {"telecom_specialized", "基础电信企业专业公司", 0},
    {"vas", "增值电信企业", 0},
    {"dns", "域名服务机构", 0},
    {"iiot_connected", "联网工业企业", 0},
    {"iiot_platform", "工业互联网平台企业", 0},
    {"iiot_identifier", "标识解析企业", 0},
    {"platform", "互联网平台企业", 0},
    {"regulator_ministry", "部网络安全管理局", 1},
    {"regulator_ca", "省通信管理局", 1},
    {"regulator_miit", "省工业和信息化主管部门", 1},
    {"regulator_city", "地市主管部门", 1},
};

const struct org_kind *org_kinds(size_t *n)
{
    *n = sizeof kinds / sizeof kinds[0];
    return kinds;
}

const struct org_kind *org_kind_find(const char *code)
{
    for (size_t i = 0; code && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].code, code))
            return &kinds[i];
    return NULL;
}

static const char SQL_KIND[] = "SELECT kind FROM orgs WHERE id = $1";

enum err org_kind_of(struct db *db, long long id, char kind[32])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_KIND, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    kind[0] = '\0';
    if (!(rc = db_step(s, &row)) && row)
        snprintf(kind, 32, "%s", db_text(s, 0));
    db_done(s);
    if (!rc && !kind[0])
        rc = errf(ERR_NOT_FOUND, NULL, "组织机构不存在");
    return rc;
}

static const char *province_label(const char *code)
{
    if (!strcmp(code, "00"))
        return "全国";
    if (!strcmp(code, "*"))
        return "全部";
    const char *n = province_name(code);
    return n ? n : code;
}

static const char SQL_GET[] =
    "SELECT o.id, o.name, o.kind, o.uscc, o.province, CAST(o.parent_id AS TEXT), p.name, "
    "o.created_at, o.updated_at FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.id = $1";
static const char SQL_JURIS[] =
    "SELECT province, kind FROM jurisdictions WHERE regulator_id = $1 ORDER BY province, kind";

json_t *org_row_json(struct db_stmt *s);
json_t *org_row_json(struct db_stmt *s)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    const struct org_kind *k = org_kind_find(db_text(s, 2));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:[]}", "id", id, "name",
                     db_text(s, 1), "kind", db_text(s, 2), "kind_name", k ? k->name : "", "uscc",
                     db_text(s, 3), "province", db_text(s, 4), "province_name",
                     province_label(db_text(s, 4)), "parent_id", json_str_or_null(db_text(s, 5)),
                     "parent_name", json_str_or_null(db_text(s, 6)), "created_at", db_text(s, 7),
                     "updated_at", db_text(s, 8), "jurisdiction");
}

/* Fills the "jurisdiction" array of a regulator's JSON. */
enum err org_add_jurisdiction(struct db *db, long long id, json_t *org);
enum err org_add_jurisdiction(struct db *db, long long id, json_t *org)
{
    const struct org_kind *k = org_kind_find(json_str(org, "kind"));
    if (!k || !k->regulator)
        return ERR_OK;
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_JURIS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    json_t *arr = json_object_get(org, "jurisdiction");
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(
            arr, json_pack("{s:s,s:s}", "province", db_text(s, 0), "kind", db_text(s, 1)));
    db_done(s);
    return rc;
}

enum err org_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_GET, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = org_row_json(s);
    db_done(s);
    if (!rc && !*out)
        return errf(ERR_NOT_FOUND, NULL, "组织机构不存在");
    if (!rc && (rc = org_add_jurisdiction(db, id, *out))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static enum err check_province(const char *p, const char *field, int allow_star)
{
    if (!p)
        return ERR_OK;
    if ((allow_star && !strcmp(p, "*")) || !strcmp(p, "00") || province_name(p))
        return ERR_OK;
    return errf(ERR_VALIDATION, field, "省份代码不合法（GB/T 2260 两位代码）：%s", p);
}

static enum err check_uscc(const char *uscc)
{
    if (uscc && !uscc_valid(uscc))
        return errf(ERR_VALIDATION, "uscc",
                    "统一社会信用代码不合法（GB 32100 校验位不符或含非法字符）");
    return ERR_OK;
}

static enum err check_jurisdiction(json_t *j, const struct org_kind *kind)
{
    if (!j || json_is_null(j))
        return ERR_OK;
    if (!kind->regulator && json_array_size(j))
        return errf(ERR_VALIDATION, "jurisdiction", "只有监管机构才有管辖范围");
    size_t i;
    json_t *e;
    json_array_foreach (j, i, e) {
        const char *p = json_str(e, "province"), *k = json_str(e, "kind");
        if (!json_is_object(e) || json_object_size(e) != 2 || !p || !k)
            return errf(ERR_VALIDATION, "jurisdiction", "管辖范围第 %zu 项应为 {province, kind}",
                        i + 1);
        if (check_province(p, "jurisdiction", 1))
            return errf(ERR_VALIDATION, "jurisdiction", "管辖范围第 %zu 项的省份代码不合法", i + 1);
        const struct org_kind *ok = org_kind_find(k);
        if (strcmp(k, "*") && (!ok || ok->regulator))
            return errf(ERR_VALIDATION, "jurisdiction", "管辖范围第 %zu 项的机构类型不合法", i + 1);
    }
    return ERR_OK;
}

static const char SQL_DEL_JURIS[] = "DELETE FROM jurisdictions WHERE regulator_id = $1";
static const char SQL_ADD_JURIS[] =
    "INSERT INTO jurisdictions (regulator_id, province, kind) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";

static enum err write_jurisdiction(struct db *db, long long id, json_t *j)
{
    struct db_stmt *s;
    int row;
    enum err rc = db_prepare(db, SQL_DEL_JURIS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_step(s, &row);
    db_done(s);
    size_t i;
    json_t *e;
    json_array_foreach (j, i, e) {
        if (rc || (rc = db_prepare(db, SQL_ADD_JURIS, &s)))
            return rc;
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, json_str(e, "province"));
        db_bind_text(s, 3, json_str(e, "kind"));
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

/* regulator_scope (migration 0006) mirrors the jurisdictions: rebuilt for an organisation as a
 * regulator (what it sees) and as a target (who sees it) whenever either side changes. */
static const char *const SQL_SCOPE_AS_REGULATOR[] = {
    "DELETE FROM regulator_scope WHERE regulator_id = $1",
    "INSERT INTO regulator_scope (regulator_id, org_id) SELECT DISTINCT sj.regulator_id, so.id "
    "FROM jurisdictions sj JOIN orgs so ON (sj.province = so.province OR sj.province = '*') "
    "AND (sj.kind = so.kind OR sj.kind = '*') WHERE sj.regulator_id = $1 ON CONFLICT DO NOTHING",
    "INSERT INTO regulator_scope (regulator_id, org_id) VALUES ($1, $1) ON CONFLICT DO NOTHING",
};
static const char *const SQL_SCOPE_AS_TARGET[] = {
    "DELETE FROM regulator_scope WHERE org_id = $1 AND regulator_id <> $1",
    "INSERT INTO regulator_scope (regulator_id, org_id) SELECT DISTINCT sj.regulator_id, so.id "
    "FROM jurisdictions sj JOIN orgs so ON (sj.province = so.province OR sj.province = '*') "
    "AND (sj.kind = so.kind OR sj.kind = '*') WHERE so.id = $1 ON CONFLICT DO NOTHING",
};

static enum err scope_refresh(struct db *db, long long id, int regulator)
{
    enum err rc = ERR_OK;
    const char *const *sql = regulator ? SQL_SCOPE_AS_REGULATOR : SQL_SCOPE_AS_TARGET;
    size_t n = regulator ? 3 : 2;
    for (size_t i = 0; !rc && i < n; i++) {
        struct db_stmt *s;
        if ((rc = db_prepare(db, sql[i], &s)))
            break;
        db_bind_int(s, 1, id);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

static const char SQL_USCC_TAKEN[] = "SELECT COUNT(*) FROM orgs WHERE uscc = $1 AND id <> $2";

static enum err uscc_free(struct db *db, const char *uscc, long long self)
{
    struct db_stmt *s;
    long long n;
    enum err rc = db_prepare(db, SQL_USCC_TAKEN, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, uscc);
    db_bind_int(s, 2, self);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    return n ? errf(ERR_CONFLICT, "uscc", "该统一社会信用代码已登记") : ERR_OK;
}

static const char SQL_INSERT[] =
    "INSERT INTO orgs (name, kind, uscc, province, parent_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
static const char SQL_TREE_SELF[] =
    "INSERT INTO org_tree (ancestor, descendant, depth) VALUES ($1, $1, 0)";
static const char SQL_TREE_UP[] =
    "INSERT INTO org_tree (ancestor, descendant, depth) "
    "SELECT ancestor, $1, depth + 1 FROM org_tree WHERE descendant = $2";

static enum err run_ids(struct db *db, const char *sql, long long a, long long b)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, a);
    if (b)
        db_bind_int(s, 2, b);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

enum err org_create(struct db *db, const struct audit_ctx *ax, json_t *in, long long *id)
{
    const char *name = json_str(in, "name"), *kind_code = json_str(in, "kind"),
               *uscc = json_str(in, "uscc"), *province = json_str(in, "province");
    long long parent = json_str(in, "parent_id") ? id_parse(json_str(in, "parent_id")) : 0;
    const struct org_kind *kind = org_kind_find(kind_code);
    enum err rc;
    if (!name || !*name)
        return errf(ERR_VALIDATION, "name", "名称不能为空");
    if (!kind)
        return errf(ERR_VALIDATION, "kind", "未知的机构类型：%s", kind_code ? kind_code : "");
    if ((rc = check_uscc(uscc)) || (rc = check_province(province, "province", 0)) ||
        (rc = check_jurisdiction(json_object_get(in, "jurisdiction"), kind)))
        return rc;
    if (!uscc)
        return errf(ERR_VALIDATION, "uscc", "统一社会信用代码不能为空");
    if (!province)
        return errf(ERR_VALIDATION, "province", "省份不能为空");
    if (parent) {
        char pk[32];
        if (org_kind_of(db, parent, pk))
            return errf(ERR_NOT_FOUND, "parent_id", "上级机构不存在");
        if (org_kind_find(pk)->regulator != kind->regulator)
            return errf(ERR_VALIDATION, "parent_id", "监管机构与运行单位不能互为上下级");
    }
    if ((rc = uscc_free(db, uscc, 0)))
        return rc;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_INSERT, &s)))
        return rc;
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, kind->code);
    db_bind_text(s, 3, uscc);
    db_bind_text(s, 4, province);
    if (parent)
        db_bind_int(s, 5, parent);
    else
        db_bind_null(s, 5);
    db_bind_text(s, 6, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = run_ids(db, SQL_TREE_SELF, *id, 0)) ||
        (parent && (rc = run_ids(db, SQL_TREE_UP, *id, parent))))
        return rc;
    json_t *j = json_object_get(in, "jurisdiction");
    if (kind->regulator && json_is_array(j) && (rc = write_jurisdiction(db, *id, j)))
        return rc;
    if ((rc = scope_refresh(db, *id, kind->regulator)))
        return rc;
    json_t *after;
    if ((rc = org_json(db, *id, &after)))
        return rc;
    rc = audit_append(db, ax, "org.create", "org", json_str(after, "id"), *id, NULL, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "org", *id);
}

static const char SQL_UPDATE[] =
    "UPDATE orgs SET name = COALESCE($2, name), uscc = COALESCE($3, uscc), "
    "province = COALESCE($4, province), updated_at = $5 WHERE id = $1";

enum err org_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before = NULL, *after = NULL;
    enum err rc = org_json(db, id, &before);
    if (rc)
        return rc;
    const struct org_kind *kind = org_kind_find(json_str(before, "kind"));
    const char *name = json_str(in, "name"), *uscc = json_str(in, "uscc"),
               *province = json_str(in, "province");
    json_t *j = json_object_get(in, "jurisdiction");
    if ((name && !*name && (rc = errf(ERR_VALIDATION, "name", "名称不能为空"))) ||
        (rc = check_uscc(uscc)) || (rc = check_province(province, "province", 0)) ||
        (rc = check_jurisdiction(j, kind)) || (uscc && (rc = uscc_free(db, uscc, id))))
        goto out;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, name);
    db_bind_text(s, 3, uscc);
    db_bind_text(s, 4, province);
    db_bind_text(s, 5, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (json_is_array(j) && (rc = write_jurisdiction(db, id, j))) ||
        (province && (rc = scope_refresh(db, id, 0))) ||
        (kind->regulator && json_is_array(j) && (rc = scope_refresh(db, id, 1))) ||
        (rc = org_json(db, id, &after)))
        goto out;
    rc = audit_append(db, ax, "org.update", "org", json_str(after, "id"), id, before, after);
out:
    json_decref(before);
    json_decref(after);
    return rc;
}

static const char SQL_IN_TREE[] =
    "SELECT COUNT(*) FROM org_tree WHERE ancestor = $1 AND descendant = $2";

enum err org_in_tree(struct db *db, long long ancestor, long long org_id, int *inside)
{
    struct db_stmt *s;
    long long n;
    enum err rc = db_prepare(db, SQL_IN_TREE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, ancestor);
    db_bind_int(s, 2, org_id);
    rc = db_scalar_int(s, 0, &n);
    *inside = n > 0;
    return rc;
}
