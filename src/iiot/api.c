/* HTTP: industrial internet enterprises (R9). Enterprises (operators of the organisation's tree)
 * keep their profile, self-grade and register; the competent regulator verifies or returns
 * registrations from its inbox, keeps the key-enterprise list and the 总结会商 records; the
 * system administrator replaces the scoring table. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "duty/duty.h"
#include "http/export.h"
#include "http/http.h"
#include "iiot.h"
#include "org/org.h"
#include "store/store.h"

static struct date today(void)
{
    return date_today_shanghai();
}

static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有企业人员可以维护工业互联网企业信息");
}

static enum err regulator_only(struct request *r)
{
    if (role_is_regulator(r->caller.role) && r->caller.org_id)
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有主管部门可以执行此操作");
}

static void bind_opt_id(struct db_stmt *s, int idx, const char *v)
{
    if (v && *v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static const char *opt(struct request *r, const char *name)
{
    const char *v = req_query(r, name);
    return v && *v ? v : NULL;
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

/* ---- scoring tables ---- */

static enum err table_get_h(struct request *r)
{
    struct iiot_table t;
    int is_default, current_default;
    const char *version = opt(r, "version");
    enum err rc = version ? iiot_table_get(r->db, version, &t, &is_default)
                          : iiot_table_current(r->db, &t, &is_default);
    if (rc)
        return rc;
    struct iiot_table cur;
    int in_force = 1;
    if (version && !(rc = iiot_table_current(r->db, &cur, &current_default))) {
        in_force = !strcmp(cur.version, t.version);
        iiot_table_release(&cur);
    }
    if (!rc)
        reply_json(r, 200, iiot_table_out(&t, is_default, in_force));
    iiot_table_release(&t);
    return rc;
}

static const struct jfield TABLE[] = {
    {"version", JT_STRING, 1, 64, 0, 0, "评分表版本"},
    {"label", JT_STRING, 1, 500, 0, 0, "评分表说明"},
    {"source", JT_STRING, 1, 2000, 0, 0, "来源"},
    {"thresholds", JT_OBJECT, 1, 0, 0, 0, "级别阈值"},
    {"questions", JT_ARRAY, 1, 100, 0, 0, "问题"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err table_put_h(struct request *r)
{
    json_t *in;
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以更换评分表");
    enum err rc = req_json(r, TABLE, &in);
    struct audit_ctx ax = audit_ctx_of(r);
    if (rc || (rc = iiot_table_put(r->db, &ax, in)))
        return rc;
    struct iiot_table t;
    int is_default;
    if ((rc = iiot_table_current(r->db, &t, &is_default)))
        return rc;
    reply_json(r, 200, iiot_table_out(&t, is_default, 1));
    iiot_table_release(&t);
    return ERR_OK;
}

static enum err tables_h(struct request *r)
{
    json_t *items;
    enum err rc = iiot_tables_json(r->db, &items);
    if (rc)
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static const struct jfield COMPUTE[] = {
    {"type", JT_STRING, 1, 16, 0, 0, "企业类型"},
    {"answers", JT_OBJECT, 1, 0, 0, 0, "问卷答案"},
    {"version", JT_STRING, 0, 64, 0, 0, "评分表版本"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* The level a questionnaire would give, without recording it. */
static enum err compute_h(struct request *r)
{
    json_t *in;
    struct iiot_table t;
    int is_default;
    enum err rc = req_json(r, COMPUTE, &in);
    if (rc)
        return rc;
    int type = iiot_type_parse(json_str(in, "type"));
    if (type < 0)
        return errf(ERR_VALIDATION, "type", "企业类型应为 connected、platform 或 identifier");
    const char *version = json_str(in, "version");
    if ((rc = version ? iiot_table_get(r->db, version, &t, &is_default)
                      : iiot_table_current(r->db, &t, &is_default)))
        return rc == ERR_NOT_FOUND ? errf(ERR_VALIDATION, "version", "评分表版本不存在") : rc;
    struct iiot_grade_result g;
    if (!(rc = iiot_grade(&t, type, json_object_get(in, "answers"), &g)))
        reply_json(r, 200,
                   json_pack("{s:s,s:i,s:i,s:i,s:s,s:s,s:s}", "type", iiot_type_code(type), "score",
                             g.score, "max_score", g.max_score, "level", g.level, "level_name",
                             iiot_level_name(g.level), "table_version", t.version, "table_label",
                             t.label));
    iiot_table_release(&t);
    return rc;
}

/* ---- enterprises ---- */

#define ENT_FILTERS                                                                                \
    " AND ((CAST($2 AS TEXT) IS NULL AND CAST($3 AS BIGINT) IS NULL) OR EXISTS (SELECT 1 FROM "    \
    "iiot_types t WHERE t.org_id = e.org_id AND (CAST($2 AS TEXT) IS NULL OR t.etype = $2) AND "   \
    "(CAST($3 AS BIGINT) IS NULL OR t.level = $3)))"                                               \
    " AND (CAST($4 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM iiot_key_enterprises k WHERE "      \
    "k.org_id = e.org_id AND k.removed_on IS NULL))"                                               \
    " AND (CAST($5 AS TEXT) IS NULL OR e.name LIKE $5)"
static const char *const SQL_ENTS[3] =
    SCOPED(IIOT_ENT_COLS, "e.org_id", ENT_FILTERS " ORDER BY e.org_id LIMIT $6 OFFSET $7");
static const char *const SQL_ENTS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM iiot_enterprises e JOIN orgs o ON o.id = e.org_id WHERE ",
           "e.org_id", ENT_FILTERS);

static enum err ent_filters(struct request *r, struct db_stmt *s)
{
    const char *type = opt(r, "type"), *level = opt(r, "level"), *key = opt(r, "key"),
               *q = opt(r, "q");
    if (type && iiot_type_parse(type) < 0)
        return errf(ERR_VALIDATION, "type", "企业类型应为 connected、platform 或 identifier");
    if (level && (id_parse(level) < 1 || id_parse(level) > 3))
        return errf(ERR_VALIDATION, "level", "级别应为 1、2 或 3");
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, type);
    bind_opt_id(s, 3, level);
    if (key && (!strcmp(key, "true") || !strcmp(key, "1")))
        db_bind_int(s, 4, 1);
    else
        db_bind_null(s, 4);
    db_bind_text(s, 5, q ? arena_printf(&r->arena, "%%%s%%", q) : NULL);
    return ERR_OK;
}

static enum err enterprises_h(struct request *r)
{
    long long limit, offset, total;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_ENTS_COUNT), &s)))
        return rc;
    if ((rc = ent_filters(r, s))) {
        db_done(s);
        return rc;
    }
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_ENTS), &s)))
        return rc;
    ent_filters(r, s); /* checked on the count */
    db_bind_int(s, 6, limit);
    db_bind_int(s, 7, offset);
    json_t *ids = json_array(), *items = json_array(), *id;
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(ids, json_integer(db_int(s, 0)));
    db_done(s);
    size_t i;
    struct date t = today();
    json_array_foreach (ids, i, id) {
        json_t *e;
        if (rc || (rc = iiot_enterprise_json(r->db, json_integer_value(id), t, &e)))
            break;
        json_object_del(e, "duties");
        json_array_append_new(items, e);
    }
    json_decref(ids);
    return reply_items(r, rc, items, total);
}

/* The enterprise of the route (an organisation id), if the caller may see the organisation. */
static enum err visible_org(struct request *r, long long *org)
{
    enum err rc = req_param_id(r, 0, org);
    if (rc || (rc = scope_check_org(r, *org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "工业互联网企业不存在") : rc;
    return ERR_OK;
}

static enum err visible_enterprise(struct request *r, long long *org)
{
    enum err rc = visible_org(r, org);
    return rc ? rc : iiot_enterprise_check(r->db, *org);
}

static enum err writable_enterprise(struct request *r, long long *org)
{
    enum err rc = visible_enterprise(r, org);
    return rc ? rc : may_write(r);
}

static enum err reply_enterprise(struct request *r, long long org, int status)
{
    json_t *e;
    enum err rc = iiot_enterprise_json(r->db, org, today(), &e);
    if (!rc)
        reply_json(r, status, e);
    return rc;
}

static enum err enterprise_get_h(struct request *r)
{
    long long org;
    enum err rc = visible_org(r, &org);
    return rc ? rc : reply_enterprise(r, org, 200);
}

static const struct jfield PROFILE[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "企业名称"},
    {"types", JT_ARRAY, 1, 3, 0, 0, "企业类型"},
    {"contacts", JT_ARRAY, 0, 10, 0, 0, "联系方式"},
    {"security_lead", JT_OBJECT, 0, 0, 0, 0, "网络安全负责人"},
    {"monitoring_platform", JT_BOOL, 0, 0, 0, 0, "企业级安全监测平台"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err enterprise_put_h(struct request *r)
{
    long long org;
    json_t *in;
    int created;
    enum err rc = visible_org(r, &org);
    if (rc || (rc = may_write(r)) || (rc = req_json(r, PROFILE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_enterprise_put(r->db, &ax, org, in, &created)))
        return rc;
    return reply_enterprise(r, org, created ? 201 : 200);
}

static const struct jfield GRADING[] = {
    {"type", JT_STRING, 1, 16, 0, 0, "企业类型"},
    {"answers", JT_OBJECT, 1, 0, 0, 0, "问卷答案"},
    {"graded_on", JT_DATE, 0, 10, 0, 0, "定级日期"},
    {"note", JT_STRING, 0, 4000, 0, 0, "说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err grading_add_h(struct request *r)
{
    long long org;
    json_t *in;
    enum err rc = writable_enterprise(r, &org);
    if (rc || (rc = req_json(r, GRADING, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_grading_add(r->db, &ax, org, in)))
        return rc;
    return reply_enterprise(r, org, 201);
}

static enum err gradings_h(struct request *r)
{
    long long org;
    json_t *items;
    const char *type = opt(r, "type");
    enum err rc = visible_enterprise(r, &org);
    if (rc)
        return rc;
    if (type && iiot_type_parse(type) < 0)
        return errf(ERR_VALIDATION, "type", "企业类型应为 connected、platform 或 identifier");
    if ((rc = iiot_gradings_json(r->db, org, type, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

static const struct jfield FACTOR[] = {
    {"types", JT_ARRAY, 0, 3, 0, 0, "企业类型"},
    {"changed_on", JT_DATE, 1, 10, 0, 0, "变化日期"},
    {"description", JT_STRING, 1, 4000, 0, 0, "变化情况"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err factor_h(struct request *r)
{
    long long org;
    json_t *in;
    enum err rc = writable_enterprise(r, &org);
    if (rc || (rc = req_json(r, FACTOR, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_factor_change(r->db, &ax, org, in)))
        return rc;
    return reply_enterprise(r, org, 200);
}

static const struct jfield ASSESS[] = {
    {"type", JT_STRING, 1, 16, 0, 0, "企业类型"},
    {"assessed_on", JT_DATE, 1, 10, 0, 0, "评测日期"},
    {"agency", JT_STRING, 1, 200, 0, 0, "评测机构"},
    {"result", JT_STRING, 1, 8, 0, 0, "评测结论"},
    {"note", JT_STRING, 0, 4000, 0, 0, "说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err assessment_add_h(struct request *r)
{
    long long org, id;
    json_t *in;
    enum err rc = writable_enterprise(r, &org);
    if (rc || (rc = req_json(r, ASSESS, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_assessment_add(r->db, &ax, org, in, &id)))
        return rc;
    return reply_enterprise(r, org, 201);
}

static enum err assessments_h(struct request *r)
{
    long long org;
    json_t *items;
    enum err rc = visible_enterprise(r, &org);
    if (rc || (rc = iiot_assessments_json(r->db, org, &items)))
        return rc;
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

/* ---- registration and the regulator's inbox ---- */

static const struct jfield REGISTER[] = {
    {"types", JT_ARRAY, 0, 3, 0, 0, "企业类型"},
    {"submitted_on", JT_DATE, 0, 10, 0, 0, "登记日期"},
    {"comment", JT_STRING, 0, 2000, 0, 0, "说明"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err register_h(struct request *r)
{
    long long org;
    json_t *in, *ids;
    enum err rc = writable_enterprise(r, &org);
    if (rc || (rc = req_json(r, REGISTER, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_register(r->db, &ax, org, in, &ids)))
        return rc;
    json_t *items = json_array(), *id;
    size_t i;
    struct date t = today();
    json_array_foreach (ids, i, id) {
        json_t *reg;
        if ((rc = iiot_registration_json(r->db, id_parse(json_string_value(id)), 0, t, &reg)))
            break;
        json_array_append_new(items, reg);
    }
    json_decref(ids);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_json(r, 201,
               json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)json_array_size(items)));
    return ERR_OK;
}

#define REG_FILTERS                                                                                \
    " AND (CAST($2 AS TEXT) IS NULL OR r.status = $2)"                                             \
    " AND (CAST($3 AS TEXT) IS NULL OR r.etype = $3)"                                              \
    " AND (CAST($4 AS BIGINT) IS NULL OR r.org_id = $4)"                                           \
    " AND (CAST($5 AS TEXT) IS NULL OR r.competent_kind = $5)"
static const char *const SQL_REGS[3] = SCOPED(
    IIOT_REG_COLS, "r.org_id", REG_FILTERS " ORDER BY r.submitted_on, r.id LIMIT $6 OFFSET $7");
static const char *const SQL_REGS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM iiot_registrations r WHERE ", "r.org_id", REG_FILTERS);

/* The competent kind a regulator's inbox is limited to (第三条), NULL for everyone else. */
static enum err inbox_kind(struct request *r, char kind[32], const char **out)
{
    *out = NULL;
    if (!role_is_regulator(r->caller.role) || !r->caller.org_id)
        return ERR_OK;
    enum err rc = org_kind_of(r->db, r->caller.org_id, kind);
    if (!rc && (!strcmp(kind, "regulator_miit") || !strcmp(kind, "regulator_ca")))
        *out = kind;
    return rc;
}

static enum err reg_filters(struct request *r, struct db_stmt *s, const char *kind)
{
    const char *status = opt(r, "status"), *type = opt(r, "type");
    if (status && strcmp(status, "submitted") && strcmp(status, "verified") &&
        strcmp(status, "returned"))
        return errf(ERR_VALIDATION, "status", "状态应为 submitted、verified 或 returned");
    if (type && iiot_type_parse(type) < 0)
        return errf(ERR_VALIDATION, "type", "企业类型应为 connected、platform 或 identifier");
    scope_bind(s, &r->caller);
    db_bind_text(s, 2, status);
    db_bind_text(s, 3, type);
    bind_opt_id(s, 4, opt(r, "org_id"));
    db_bind_text(s, 5, kind);
    return ERR_OK;
}

/* The inbox: items in the caller's scope (a provincial regulator: of the types it verifies),
 * oldest first, each with its working-day clock. */
static enum err registrations_h(struct request *r)
{
    long long limit, offset, total;
    char kind_buf[32];
    const char *kind;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = inbox_kind(r, kind_buf, &kind)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_REGS_COUNT), &s)))
        return rc;
    if ((rc = reg_filters(r, s, kind))) {
        db_done(s);
        return rc;
    }
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_REGS), &s)))
        return rc;
    reg_filters(r, s, kind); /* checked on the count */
    db_bind_int(s, 6, limit);
    db_bind_int(s, 7, offset);
    json_t *items = json_array();
    struct date t = today();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, iiot_registration_row(s, 0, t));
    db_done(s);
    return reply_items(r, rc, items, total);
}

static enum err visible_registration(struct request *r, long long *id)
{
    long long org;
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = iiot_registration_org(r->db, *id, &org)) || (rc = scope_check_org(r, org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "登记记录不存在") : rc;
    return ERR_OK;
}

static enum err registration_get_h(struct request *r)
{
    long long id;
    json_t *reg;
    enum err rc = visible_registration(r, &id);
    if (rc || (rc = iiot_registration_json(r->db, id, 1, today(), &reg)))
        return rc;
    reply_json(r, 200, reg);
    return ERR_OK;
}

static enum err reviewer(struct request *r, long long *id, char kind[32])
{
    enum err rc = visible_registration(r, id);
    if (rc || (rc = regulator_only(r)))
        return rc;
    return org_kind_of(r->db, r->caller.org_id, kind);
}

static enum err reply_registration(struct request *r, long long id)
{
    json_t *reg;
    enum err rc = iiot_registration_json(r->db, id, 0, today(), &reg);
    if (!rc)
        reply_json(r, 200, reg);
    return rc;
}

static const struct jfield VERIFY[] = {
    {"comment", JT_STRING, 0, 2000, 0, 0, "核查意见"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err verify_h(struct request *r)
{
    long long id;
    char kind[32];
    json_t *in = NULL;
    enum err rc = reviewer(r, &id, kind);
    if (rc || (r->body.len && (rc = req_json(r, VERIFY, &in))))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_verify(r->db, &ax, id, r->caller.org_id, kind,
                          in ? json_str(in, "comment") : NULL)))
        return rc;
    return reply_registration(r, id);
}

static const struct jfield RETURN[] = {
    {"reasons", JT_ARRAY, 1, 50, 0, 0, "补正事项"},
    {"comment", JT_STRING, 0, 2000, 0, 0, "核查意见"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err return_h(struct request *r)
{
    long long id;
    char kind[32];
    json_t *in;
    enum err rc = reviewer(r, &id, kind);
    if (rc || (rc = req_json(r, RETURN, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_return(r->db, &ax, id, r->caller.org_id, kind, json_object_get(in, "reasons"),
                          json_str(in, "comment"))))
        return rc;
    return reply_registration(r, id);
}

/* ---- key-enterprise list ---- */

#define KEY_COLS                                                                                   \
    "SELECT k.id, k.org_id, o.name, e.name, o.province, k.reason, k.added_on, k.added_by, "        \
    "k.regulator_org_id, ro.name, k.removed_on, k.removed_by, k.removed_reason "                   \
    "FROM iiot_key_enterprises k JOIN orgs o ON o.id = k.org_id "                                  \
    "JOIN iiot_enterprises e ON e.org_id = k.org_id JOIN orgs ro ON ro.id = k.regulator_org_id "   \
    "WHERE "
#define KEY_FILTERS " AND (CAST($2 AS BIGINT) IS NOT NULL OR k.removed_on IS NULL)"
static const char *const SQL_KEYS[3] =
    SCOPED(KEY_COLS, "k.org_id", KEY_FILTERS " ORDER BY k.id DESC LIMIT $3 OFFSET $4");
static const char *const SQL_KEYS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM iiot_key_enterprises k WHERE ", "k.org_id", KEY_FILTERS);
static const char SQL_KEY_ONE[] = KEY_COLS "k.id = $1";

static json_t *key_row(struct db_stmt *s)
{
    char id[24], org[24], reg[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(org, sizeof org, "%lld", db_int(s, 1));
    snprintf(reg, sizeof reg, "%lld", db_int(s, 8));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", id, "org_id",
                     org, "org_name", db_text(s, 2), "name", db_text(s, 3), "province",
                     db_text(s, 4), "reason", db_text(s, 5), "added_on", db_text(s, 6), "added_by",
                     db_text(s, 7), "regulator_org_id", reg, "regulator_name", db_text(s, 9),
                     "removed_on", json_str_or_null(db_text(s, 10)), "removed_by",
                     json_str_or_null(db_text(s, 11)), "removed_reason",
                     json_str_or_null(db_text(s, 12)));
}

static void bind_keys(struct request *r, struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    const char *all = opt(r, "all");
    if (all && (!strcmp(all, "true") || !strcmp(all, "1")))
        db_bind_int(s, 2, 1);
    else
        db_bind_null(s, 2);
}

static json_t *key_item(struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    return key_row(s);
}

static enum err keys_h(struct request *r)
{
    const struct scoped_list q = {SQL_KEYS_COUNT, SQL_KEYS, 1, bind_keys, key_item, NULL};
    return req_scoped_list(r, &q);
}

static enum err reply_key(struct request *r, long long id, int status)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_KEY_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *k = NULL;
    if (!(rc = db_step(s, &row)) && row)
        k = key_row(s);
    db_done(s);
    if (!rc && !k)
        rc = errf(ERR_NOT_FOUND, NULL, "名录条目不存在");
    if (!rc)
        reply_json(r, status, k);
    return rc;
}

static const struct jfield KEY_ADD[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "企业"},
    {"reason", JT_STRING, 1, 2000, 0, 0, "列入理由"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err key_add_h(struct request *r)
{
    json_t *in;
    long long id;
    enum err rc = regulator_only(r);
    if (rc || (rc = req_json(r, KEY_ADD, &in)))
        return rc;
    long long org = id_parse(json_str(in, "org_id"));
    if (scope_check_org(r, org))
        return errf(ERR_NOT_FOUND, "org_id", "企业不存在");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_key_add(r->db, &ax, r->caller.org_id, org, json_str(in, "reason"), &id)))
        return rc;
    return reply_key(r, id, 201);
}

static const struct jfield KEY_REMOVE[] = {
    {"reason", JT_STRING, 1, 2000, 0, 0, "移出理由"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err key_remove_h(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = iiot_key_org(r->db, id, &org)) || (rc = scope_check_org(r, org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "名录条目不存在") : rc;
    if ((rc = regulator_only(r)) || (rc = req_json(r, KEY_REMOVE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_key_remove(r->db, &ax, id, json_str(in, "reason"))))
        return rc;
    return reply_key(r, id, 200);
}

/* ---- 总结会商 ---- */

#define MEETING_FILTERS " AND (CAST($2 AS TEXT) IS NULL OR m.held_on LIKE $2)"
static const char *const SQL_MEETINGS[3] =
    SCOPED(IIOT_MEETING_COLS, "m.regulator_org_id",
           MEETING_FILTERS " ORDER BY m.held_on DESC, m.id DESC LIMIT $3 OFFSET $4");
static const char *const SQL_MEETINGS_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM iiot_meetings m WHERE ", "m.regulator_org_id", MEETING_FILTERS);

static void bind_meetings(struct request *r, struct db_stmt *s, const void *year)
{
    db_bind_text(s, 2, year ? arena_printf(&r->arena, "%s-%%", (const char *)year) : NULL);
}

static json_t *meeting_item(struct db_stmt *s, const void *ctx)
{
    (void)ctx;
    return iiot_meeting_row(s);
}

static enum err meetings_h(struct request *r)
{
    const char *year = opt(r, "year");
    if (year && (id_parse(year) < 2000 || id_parse(year) > 9999))
        return errf(ERR_VALIDATION, "year", "年份应为四位数字");
    const struct scoped_list q = {SQL_MEETINGS_COUNT, SQL_MEETINGS, 1,
                                  bind_meetings,      meeting_item, year};
    return req_scoped_list(r, &q);
}

static const struct jfield MEETING[] = {
    {"held_on", JT_DATE, 1, 10, 0, 0, "会商日期"},
    {"title", JT_STRING, 1, 200, 0, 0, "会议名称"},
    {"participants", JT_STRING, 1, 4000, 0, 0, "参会单位和人员"},
    {"minutes", JT_STRING, 1, 60000, 0, 0, "会议纪要"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err meeting_add_h(struct request *r)
{
    json_t *in, *m;
    long long id;
    enum err rc = regulator_only(r);
    if (rc || (rc = req_json(r, MEETING, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = iiot_meeting_add(r->db, &ax, r->caller.org_id, in, &id)) ||
        (rc = iiot_meeting_json(r->db, id, &m)))
        return rc;
    reply_json(r, 201, m);
    return ERR_OK;
}

static enum err meeting_get_h(struct request *r)
{
    long long id, org;
    json_t *m;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = iiot_meeting_org(r->db, id, &org)) || (rc = scope_check_org(r, org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "会商记录不存在") : rc;
    if ((rc = iiot_meeting_json(r->db, id, &m)))
        return rc;
    reply_json(r, 200, m);
    return ERR_OK;
}

/* ---- dashboard ---- */

static const char *const SQL_DASH_LEVELS[3] =
    SCOPED("SELECT t.etype, COALESCE(t.level, 0), COUNT(*) FROM iiot_types t WHERE ", "t.org_id",
           " GROUP BY t.etype, COALESCE(t.level, 0)");
static const char *const SQL_DASH_STATUS[3] = SCOPED(
    "SELECT t.reg_status, COUNT(*) FROM iiot_types t WHERE ", "t.org_id", " GROUP BY t.reg_status");
static const char *const SQL_DASH_OVERDUE[3] =
    SCOPED("SELECT COUNT(*) FROM iiot_registrations r WHERE r.status = 'submitted' AND "
           "r.verify_due < $2 AND ",
           "r.org_id", "");
static const char *const SQL_DASH_KEYS[3] = SCOPED(
    "SELECT COUNT(*) FROM iiot_key_enterprises k WHERE k.removed_on IS NULL AND ", "k.org_id", "");
static const char *const SQL_DASH_ENTS[3] =
    SCOPED("SELECT COUNT(*) FROM iiot_enterprises e WHERE ", "e.org_id", "");
static const char *const SQL_DASH_MEETINGS[3] =
    SCOPED("SELECT COUNT(*), MAX(m.held_on) FROM iiot_meetings m WHERE m.held_on LIKE $2 AND ",
           "m.regulator_org_id", "");

static enum err dash_count(struct request *r, const char *const sql[3], const char *arg,
                           long long *n)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, sql), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    if (arg)
        db_bind_text(s, 2, arg);
    return db_scalar_int(s, 0, n);
}

static enum err dash_levels(struct request *r, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_DASH_LEVELS), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    long long n[IIOT__TYPES][4] = {{0}};
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        int t = iiot_type_parse(db_text(s, 0));
        long long level = db_int(s, 1);
        if (t >= 0 && level >= 0 && level <= 3)
            n[t][level] += db_int(s, 2);
    }
    db_done(s);
    json_t *arr = json_array();
    for (int t = 0; t < IIOT__TYPES; t++)
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:I,s:{s:I,s:I,s:I,s:I}}", "type", iiot_type_code(t),
                           "type_name", iiot_type_name(t), "total",
                           (json_int_t)(n[t][0] + n[t][1] + n[t][2] + n[t][3]), "levels", "3",
                           (json_int_t)n[t][3], "2", (json_int_t)n[t][2], "1", (json_int_t)n[t][1],
                           "ungraded", (json_int_t)n[t][0]));
    *out = arr;
    return rc;
}

static enum err dash_status(struct request *r, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_DASH_STATUS), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    json_t *o =
        json_pack("{s:i,s:i,s:i,s:i}", "draft", 0, "submitted", 0, "returned", 0, "verified", 0);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_object_set_new(o, db_text(s, 0), json_integer(db_int(s, 1)));
    db_done(s);
    *out = o;
    return rc;
}

static enum err dashboard_h(struct request *r)
{
    char t[11], year[8];
    struct date d = today();
    date_format(d, t);
    snprintf(year, sizeof year, "%04d-%%", d.y);
    long long ents = 0, overdue = 0, keys = 0, meetings = 0;
    json_t *levels = NULL, *status = NULL;
    enum err rc;
    if ((rc = dash_count(r, SQL_DASH_ENTS, NULL, &ents)) ||
        (rc = dash_count(r, SQL_DASH_OVERDUE, t, &overdue)) ||
        (rc = dash_count(r, SQL_DASH_KEYS, NULL, &keys)) ||
        (rc = dash_count(r, SQL_DASH_MEETINGS, year, &meetings)) ||
        (rc = dash_levels(r, &levels)) || (rc = dash_status(r, &status))) {
        json_decref(levels);
        json_decref(status);
        return rc;
    }
    reply_json(r, 200,
               json_pack("{s:I,s:o,s:o,s:I,s:I,s:{s:i,s:I}}", "enterprises", (json_int_t)ents,
                         "by_type", levels, "registration_status", status, "verification_overdue",
                         (json_int_t)overdue, "key_enterprises", (json_int_t)keys, "meetings",
                         "year", d.y, "count", (json_int_t)meetings));
    return ERR_OK;
}

/* 导出 XLSX of the 登记核验 tab: its table, the working-day clock as its parts (which deadline,
 * named as the console names it, the days and the due date). */
static const struct export_col registration_cols[] = {
    {"org_name", "企业", NULL},
    {"type_name", "类型", NULL},
    {"level_name", "级别", NULL},
    {"submitted_on", "登记日期", NULL},
    {"clock.deadline", "工作日时钟", "verification=核验|correction=补正"},
    {"clock.workdays_elapsed", "已过工作日", NULL},
    {"clock.workdays_total", "工作日时限", NULL},
    {"clock.workdays_remaining", "剩余工作日", NULL},
    {"clock.overdue", "已逾期", NULL},
    {"clock.due", "期限", NULL},
    {"status_name", "状态", NULL},
    {NULL, NULL, NULL},
};

const struct list_export iiot_exports[] = {
    {"/api/v1/iiot/registrations", "工业互联网企业登记", registration_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route iiot_routes[] = {
    {"GET", "/api/v1/iiot/score-table", table_get_h, 0},
    {"PUT", "/api/v1/iiot/score-table", table_put_h, 0},
    {"GET", "/api/v1/iiot/score-tables", tables_h, 0},
    {"POST", "/api/v1/iiot/grading/compute", compute_h, 0},
    {"GET", "/api/v1/iiot/dashboard", dashboard_h, 0},
    {"GET", "/api/v1/iiot/enterprises", enterprises_h, 0},
    {"GET", "/api/v1/iiot/enterprises/:id", enterprise_get_h, 0},
    {"PUT", "/api/v1/iiot/enterprises/:id", enterprise_put_h, 0},
    {"POST", "/api/v1/iiot/enterprises/:id/gradings", grading_add_h, 0},
    {"GET", "/api/v1/iiot/enterprises/:id/gradings", gradings_h, 0},
    {"POST", "/api/v1/iiot/enterprises/:id/factor-changes", factor_h, 0},
    {"POST", "/api/v1/iiot/enterprises/:id/assessments", assessment_add_h, 0},
    {"GET", "/api/v1/iiot/enterprises/:id/assessments", assessments_h, 0},
    {"POST", "/api/v1/iiot/enterprises/:id/registrations", register_h, 0},
    {"GET", "/api/v1/iiot/registrations", registrations_h, 0},
    {"GET", "/api/v1/iiot/registrations/:id", registration_get_h, 0},
    {"POST", "/api/v1/iiot/registrations/:id/verify", verify_h, 0},
    {"POST", "/api/v1/iiot/registrations/:id/return", return_h, 0},
    {"GET", "/api/v1/iiot/key-enterprises", keys_h, 0},
    {"POST", "/api/v1/iiot/key-enterprises", key_add_h, 0},
    {"POST", "/api/v1/iiot/key-enterprises/:id/remove", key_remove_h, 0},
    {"GET", "/api/v1/iiot/meetings", meetings_h, 0},
    {"POST", "/api/v1/iiot/meetings", meeting_add_h, 0},
    {"GET", "/api/v1/iiot/meetings/:id", meeting_get_h, 0},
    {NULL, NULL, NULL, 0},
};

const struct duty_producer iiot_duty_producers[] = {
    {"iiot", iiot_produce, NULL},
    {NULL, NULL, NULL},
};
