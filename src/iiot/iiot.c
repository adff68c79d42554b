/* Industrial internet enterprises: scoring tables, profiles, self-grading, grading factor
 * changes and 符合性评测. Registration, the regulator's records and the duties are in
 * register.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "duty/duty.h"
#include "iiot.h"
#include "internal.h"
#include "json.h"
#include "org/org.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"

struct date iiot_today(void)
{
    return date_today_shanghai();
}

int iiot_date_of(const char *iso, struct date *out)
{
    char buf[11];
    if (!iso || strlen(iso) < 10)
        return -1;
    memcpy(buf, iso, 10);
    buf[10] = '\0';
    return date_parse(buf, out) ? -1 : 0;
}

void iiot_id_text(long long id, char out[24])
{
    snprintf(out, 24, "%lld", id);
}

json_t *iiot_int_or_null(struct db_stmt *s, int col)
{
    return db_null(s, col) ? json_null() : json_integer(db_int(s, col));
}

json_t *iiot_json_or(const char *text, json_t *fallback)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (v) {
        json_decref(fallback);
        return v;
    }
    return fallback;
}

/* A date of the request, not after today; *out is today when the field is absent. */
enum err iiot_past_date(json_t *in, const char *field, const char *label, struct date *out)
{
    const char *s = json_str(in, field);
    struct date today = iiot_today();
    if (!s) {
        *out = today;
        return ERR_OK;
    }
    if (date_parse(s, out))
        return errf(ERR_VALIDATION, field, "%s应为 YYYY-MM-DD 格式的日期", label);
    if (date_cmp(*out, today) > 0)
        return errf(ERR_VALIDATION, field, "%s不能晚于今天", label);
    return ERR_OK;
}

enum err iiot_exec(struct db *db, const char *sql, int n, const char *const *texts,
                   const long long *ints)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    int at = 1;
    if (ints)
        db_bind_int(s, at++, ints[0]);
    for (int i = 0; i < n; i++)
        db_bind_text(s, at++, texts[i]);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

/* ---- scoring tables ---- */

static enum err table_from_text(const char *text, struct iiot_table *out)
{
    json_t *j = json_loads(text, 0, NULL);
    enum err rc = iiot_table_parse(j, out);
    json_decref(j);
    if (rc)
        return errf(ERR_INTERNAL, NULL, "stored scoring table is invalid: %s", err_last()->msg);
    return ERR_OK;
}

static enum err table_default(struct iiot_table *out)
{
    return table_from_text(iiot_table_default_json(), out);
}

static const char SQL_TABLE_LATEST[] =
    "SELECT body FROM iiot_score_tables ORDER BY id DESC LIMIT 1";
static const char SQL_TABLE_VERSION[] = "SELECT body FROM iiot_score_tables WHERE version = $1";

static enum err table_query(struct db *db, const char *sql, const char *version,
                            struct iiot_table *out, int *found)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    if (version)
        db_bind_text(s, 1, version);
    int row;
    *found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        *found = 1;
        rc = table_from_text(db_text(s, 0), out);
    }
    db_done(s);
    return rc;
}

enum err iiot_table_current(struct db *db, struct iiot_table *out, int *is_default)
{
    int found;
    enum err rc = table_query(db, SQL_TABLE_LATEST, NULL, out, &found);
    *is_default = !found;
    if (rc || found)
        return rc;
    return table_default(out);
}

enum err iiot_table_get(struct db *db, const char *version, struct iiot_table *out, int *is_default)
{
    int found;
    enum err rc = table_query(db, SQL_TABLE_VERSION, version, out, &found);
    *is_default = 0;
    if (rc || found)
        return rc;
    if ((rc = table_default(out)))
        return rc;
    if (!strcmp(out->version, version)) {
        *is_default = 1;
        return ERR_OK;
    }
    iiot_table_release(out);
    return errf(ERR_NOT_FOUND, NULL, "评分表版本不存在");
}

json_t *iiot_table_out(const struct iiot_table *t, int is_default, int in_force)
{
    json_t *j = iiot_table_json(t);
    json_object_set_new(j, "is_default", json_boolean(is_default));
    json_object_set_new(j, "in_force", json_boolean(in_force));
    return j;
}

static const char SQL_TABLE_INSERT[] = "INSERT INTO iiot_score_tables (version, body, created_by, "
                                       "created_at) VALUES ($1, $2, $3, $4)";

enum err iiot_table_put(struct db *db, const struct audit_ctx *ax, json_t *in)
{
    struct iiot_table t, old;
    int is_default;
    enum err rc = iiot_table_parse(in, &t);
    if (rc)
        return rc;
    if (!(rc = iiot_table_get(db, t.version, &old, &is_default))) {
        iiot_table_release(&old);
        iiot_table_release(&t);
        return errf(ERR_CONFLICT, "version", "评分表版本 %s 已存在；新的评分表须使用新的版本号",
                    t.version);
    }
    if (rc != ERR_NOT_FOUND) {
        iiot_table_release(&t);
        return rc;
    }
    json_t *body = iiot_table_json(&t);
    char *text = json_canonical(body), now[40];
    time_now_iso(now);
    const char *vals[] = {t.version, text, ax->actor_name, now};
    rc = iiot_exec(db, SQL_TABLE_INSERT, 4, vals, NULL);
    if (!rc)
        rc = audit_append(db, ax, "iiot.score_table", "iiot_score_table", t.version, 0, NULL, body);
    free(text);
    json_decref(body);
    iiot_table_release(&t);
    return rc;
}

static const char SQL_TABLES[] = "SELECT version, body, created_by, created_at FROM "
                                 "iiot_score_tables ORDER BY id DESC";

enum err iiot_tables_json(struct db *db, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_TABLES, &s);
    if (rc)
        return rc;
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        json_t *body = iiot_json_or(db_text(s, 1), json_object());
        json_array_append_new(items,
                              json_pack("{s:s,s:O,s:s,s:s,s:b,s:b}", "version", db_text(s, 0),
                                        "label", json_object_get(body, "label"), "created_by",
                                        db_text(s, 2), "created_at", db_text(s, 3), "in_force",
                                        json_array_size(items) == 0, "is_default", 0));
        json_decref(body);
    }
    db_done(s);
    struct iiot_table def;
    if (!rc && !(rc = table_default(&def))) {
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:n,s:n,s:b,s:b}", "version", def.version,
                                        "label", def.label, "created_by", "created_at", "in_force",
                                        json_array_size(items) == 0, "is_default", 1));
        iiot_table_release(&def);
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

/* ---- enterprises ---- */

static const char SQL_ENT_EXISTS[] = "SELECT COUNT(*) FROM iiot_enterprises WHERE org_id = $1";

enum err iiot_enterprise_check(struct db *db, long long org_id)
{
    struct db_stmt *s;
    long long n;
    enum err rc = db_prepare(db, SQL_ENT_EXISTS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    return n ? ERR_OK : errf(ERR_NOT_FOUND, NULL, "工业互联网企业不存在");
}

static const char *const REG_STATUS[][2] = {
    {"draft", "未登记"}, {"submitted", "待核查"}, {"returned", "退回补正"}, {"verified", "已核查"}};

static const char *reg_status_name(const char *code)
{
    for (size_t i = 0; code && i < sizeof REG_STATUS / sizeof REG_STATUS[0]; i++)
        if (!strcmp(REG_STATUS[i][0], code))
            return REG_STATUS[i][1];
    return "";
}

static const char SQL_TYPES[] =
    "SELECT t.etype, t.level, t.graded_on, t.level_since, t.factor_changed_on, t.factor_note, "
    "t.reg_status, t.verified_on, g.score, g.max_score, g.table_version, "
    "(SELECT MAX(a.assessed_on) FROM iiot_assessments a WHERE a.org_id = t.org_id AND a.etype = "
    "t.etype), "
    "(SELECT MAX(r.id) FROM iiot_registrations r WHERE r.org_id = t.org_id AND r.etype = t.etype) "
    "FROM iiot_types t LEFT JOIN iiot_gradings g ON g.id = t.grading_id WHERE t.org_id = $1";

static json_t *date_json(int ok, struct date d)
{
    char buf[11];
    if (!ok)
        return json_null();
    date_format(d, buf);
    return json_string(buf);
}

/* One type's state with its R9 deadlines (re-grading, next 符合性评测). */
static json_t *type_row(struct db_stmt *s)
{
    const struct iiot_ruleset *rs = iiot_ruleset_default();
    int type = iiot_type_parse(db_text(s, 0));
    int level = db_null(s, 1) ? 0 : (int)db_int(s, 1);
    struct date changed, since, last, due;
    int has_changed = !iiot_date_of(db_text(s, 4), &changed);
    int has_last = !iiot_date_of(db_text(s, 11), &last),
        has_since = !iiot_date_of(db_text(s, 3), &since);
    int has_assess = level && (has_last || has_since) &&
                     !iiot_assessment_due(rs, level, has_last ? last : since, &due);
    char regid[24];
    iiot_id_text(db_int(s, 12), regid);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o}", "type",
        iiot_type_code(type), "type_name", iiot_type_name(type), "competent_kind",
        iiot_competent_kind(type), "competent_name", iiot_competent_name(type), "level",
        iiot_int_or_null(s, 1), "level_name", iiot_level_name(level), "score",
        iiot_int_or_null(s, 8), "max_score", iiot_int_or_null(s, 9), "table_version",
        json_str_or_null(db_text(s, 10)), "graded_on", json_str_or_null(db_text(s, 2)),
        "level_since", json_str_or_null(db_text(s, 3)), "factor_changed_on",
        json_str_or_null(db_text(s, 4)), "factor_note", json_str_or_null(db_text(s, 5)),
        "regrade_due",
        date_json(has_changed, has_changed ? iiot_regrade_due(rs, changed) : changed),
        "registration_status", db_text(s, 6), "registration_status_name",
        reg_status_name(db_text(s, 6)), "verified_on", json_str_or_null(db_text(s, 7)),
        "last_registration_id", db_null(s, 12) ? json_null() : json_string(regid),
        "last_assessed_on", json_str_or_null(db_text(s, 11)), "assessment_due",
        date_json(has_assess, due));
}

static enum err add_types(struct db *db, long long org_id, json_t *e)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_TYPES, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    json_t *by_type[IIOT__TYPES] = {NULL};
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        int t = iiot_type_parse(db_text(s, 0));
        if (t >= 0 && !by_type[t])
            by_type[t] = type_row(s);
    }
    db_done(s);
    json_t *arr = json_array();
    for (int t = 0; t < IIOT__TYPES; t++)
        if (by_type[t])
            json_array_append_new(arr, by_type[t]);
    json_object_set_new(e, "types", arr);
    return rc;
}

static const char SQL_ENT[] = IIOT_ENT_COLS "e.org_id = $1";
static const char SQL_ENT_KEY[] =
    "SELECT k.id, k.reason, k.added_on, k.added_by, o.name FROM iiot_key_enterprises k "
    "JOIN orgs o ON o.id = k.regulator_org_id WHERE k.org_id = $1 AND k.removed_on IS NULL";
static const char SQL_ENT_DUTIES[] =
    "SELECT duty_key, kind, title, due_date, done_at, source FROM duties "
    "WHERE duty_key >= $1 AND duty_key < $2 ORDER BY due_date, id";

static enum err add_key(struct db *db, long long org_id, json_t *e)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ENT_KEY, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    json_t *key = json_null();
    int row;
    if (!(rc = db_step(s, &row)) && row) {
        char id[24];
        iiot_id_text(db_int(s, 0), id);
        key = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "reason", db_text(s, 1), "added_on",
                        db_text(s, 2), "added_by", db_text(s, 3), "regulator_name", db_text(s, 4));
    }
    db_done(s);
    json_object_set_new(e, "key_enterprise", key);
    return rc;
}

static enum err add_duties(struct db *db, long long org_id, struct date today, json_t *e)
{
    struct db_stmt *s;
    char from[48], to[48];
    snprintf(from, sizeof from, "iiot:%lld:", org_id);
    snprintf(to, sizeof to, "iiot:%lld;", org_id);
    enum err rc = db_prepare(db, SQL_ENT_DUTIES, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    json_t *arr = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        const char *state = duty_state(db_text(s, 3), db_text(s, 4), today);
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "key", db_text(s, 0), "kind",
                           db_text(s, 1), "title", db_text(s, 2), "due_date", db_text(s, 3),
                           "done_at", json_str_or_null(db_text(s, 4)), "source", db_text(s, 5),
                           "state", state, "state_name", duty_state_name(state)));
    }
    db_done(s);
    json_object_set_new(e, "duties", arr);
    return rc;
}

/* 第九条: 三级企业建设企业级工业互联网安全监测平台; a graded type not yet registered (第五条). */
static void add_warnings(json_t *e)
{
    json_t *warn = json_array(), *t;
    size_t i;
    int platform = json_is_true(json_object_get(e, "monitoring_platform"));
    json_array_foreach (json_object_get(e, "types"), i, t) {
        json_t *level = json_object_get(t, "level");
        if (json_integer_value(level) == 3 && !platform)
            json_array_append_new(
                warn, json_pack("{s:s,s:s,s:s}", "code", "monitoring_platform", "type",
                                json_str(t, "type"), "message",
                                "三级工业互联网企业应建设企业级工业互联网安全监测平台（第九条）"));
        if (json_is_integer(level) && !strcmp(json_str(t, "registration_status"), "draft"))
            json_array_append_new(warn, json_pack("{s:s,s:s,s:s}", "code", "registration_pending",
                                                  "type", json_str(t, "type"), "message",
                                                  "已完成自主定级，尚未提交信息登记（第五条）"));
    }
    json_object_set_new(e, "warnings", warn);
}

json_t *iiot_enterprise_row(struct db_stmt *s)
{
    char org[24];
    iiot_id_text(db_int(s, 0), org);
    const struct org_kind *k = org_kind_find(db_text(s, 2));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:s,s:s}", "org_id", org, "org_name",
                     db_text(s, 1), "org_kind", db_text(s, 2), "org_kind_name", k ? k->name : "",
                     "uscc", db_text(s, 3), "province", db_text(s, 4), "name", db_text(s, 5),
                     "contacts", iiot_json_or(db_text(s, 6), json_array()), "security_lead",
                     iiot_json_or(db_text(s, 7), json_null()), "monitoring_platform",
                     (int)db_int(s, 8), "created_at", db_text(s, 9), "updated_at", db_text(s, 10));
}

enum err iiot_enterprise_json(struct db *db, long long org_id, struct date today, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ENT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    json_t *e = NULL;
    int row;
    if (!(rc = db_step(s, &row)) && row)
        e = iiot_enterprise_row(s);
    db_done(s);
    if (rc || !e)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "工业互联网企业不存在");
    if ((rc = add_types(db, org_id, e)) || (rc = add_key(db, org_id, e)) ||
        (rc = add_duties(db, org_id, today, e))) {
        json_decref(e);
        return rc;
    }
    add_warnings(e);
    *out = e;
    return ERR_OK;
}

/* The enterprise as the audit record keeps it (no derived duties or warnings). */
static enum err audit_json(struct db *db, long long org_id, json_t **out)
{
    enum err rc = iiot_enterprise_json(db, org_id, iiot_today(), out);
    if (!rc) {
        json_object_del(*out, "duties");
        json_object_del(*out, "warnings");
    }
    return rc;
}

static enum err audit_enterprise(struct db *db, const struct audit_ctx *ax, const char *action,
                                 long long org_id, json_t *before)
{
    json_t *after;
    char id[24];
    iiot_id_text(org_id, id);
    enum err rc = audit_json(db, org_id, &after);
    if (rc)
        return rc;
    rc = audit_append(db, ax, action, "iiot_enterprise", id, org_id, before, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "iiot", org_id);
}

/* A nested object checked against a field table; the field at fault named with its path. */
static enum err check_sub(json_t *o, const struct jfield *spec, const char *path)
{
    if (!json_is_object(o))
        return errf(ERR_VALIDATION, path, "%s 应为对象", path);
    enum err rc = json_check(o, spec);
    if (rc) {
        char field[128], msg[400];
        snprintf(field, sizeof field, "%.40s.%.64s", path, err_last()->field);
        snprintf(msg, sizeof msg, "%.300s", err_last()->msg[0] ? err_last()->msg : err_message(rc));
        return errf(rc, field, "%s：%s", path, msg);
    }
    return ERR_OK;
}

static const struct jfield CONTACT[] = {
    {"name", JT_STRING, 1, 100, 0, 0, "联系人姓名"},
    {"phone", JT_STRING, 1, 32, 0, 0, "联系电话"},
    {"email", JT_STRING, 0, 200, 0, 0, "电子邮箱"},
    {"role", JT_STRING, 0, 100, 0, 0, "职务"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};
static const struct jfield LEAD[] = {
    {"name", JT_STRING, 1, 100, 0, 0, "网络安全负责人姓名"},
    {"title", JT_STRING, 0, 100, 0, 0, "职务"},
    {"phone", JT_STRING, 1, 32, 0, 0, "联系电话"},
    {"email", JT_STRING, 0, 200, 0, 0, "电子邮箱"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

/* The types requested, as a bit set; each code known, none twice. */
enum err iiot_parse_types(json_t *arr, const char *field, unsigned *mask)
{
    size_t i;
    json_t *v;
    *mask = 0;
    if (!json_is_array(arr) || !json_array_size(arr) || json_array_size(arr) > IIOT__TYPES)
        return errf(ERR_VALIDATION, field,
                    "企业类型应为 1 至 3 项（connected、platform、identifier）");
    json_array_foreach (arr, i, v) {
        int t = iiot_type_parse(json_string_value(v));
        if (t < 0)
            return errf(ERR_VALIDATION, field,
                        "第 %zu 项不是企业类型（connected 联网工业企业、"
                        "platform 平台企业、identifier 标识解析企业）",
                        i + 1);
        if (*mask & (1u << t))
            return errf(ERR_VALIDATION, field, "企业类型「%s」重复", iiot_type_name(t));
        *mask |= 1u << t;
    }
    return ERR_OK;
}

static enum err check_profile(json_t *in, int primary, unsigned *mask)
{
    enum err rc = iiot_parse_types(json_object_get(in, "types"), "types", mask);
    if (rc)
        return rc;
    if (!(*mask & (1u << primary)))
        return errf(ERR_VALIDATION, "types", "企业类型须包含所属单位的组织类型「%s」",
                    iiot_type_name(primary));
    json_t *contacts = json_object_get(in, "contacts"), *c;
    size_t i;
    if (contacts && (!json_is_array(contacts) || json_array_size(contacts) > 10))
        return errf(ERR_VALIDATION, "contacts", "联系人应为至多 10 项的数组");
    json_array_foreach (contacts, i, c) {
        char path[32];
        snprintf(path, sizeof path, "contacts[%zu]", i);
        if ((rc = check_sub(c, CONTACT, path)))
            return rc;
    }
    json_t *lead = json_object_get(in, "security_lead");
    if (lead && !json_is_null(lead) && (rc = check_sub(lead, LEAD, "security_lead")))
        return rc;
    return ERR_OK;
}

static const char SQL_ENT_INSERT[] =
    "INSERT INTO iiot_enterprises (org_id, name, contacts, security_lead, monitoring_platform, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
static const char SQL_ENT_UPDATE[] =
    "UPDATE iiot_enterprises SET name = $2, contacts = $3, security_lead = $4, "
    "monitoring_platform = $5, updated_at = $6 WHERE org_id = $1";
static const char SQL_TYPE_ADD[] =
    "INSERT INTO iiot_types (org_id, etype, reg_status) VALUES ($1, $2, 'draft') "
    "ON CONFLICT (org_id, etype) DO NOTHING";
static const char SQL_TYPE_USED[] =
    "SELECT (SELECT COUNT(*) FROM iiot_gradings WHERE org_id = $1 AND etype = $2) + "
    "(SELECT COUNT(*) FROM iiot_registrations WHERE org_id = $1 AND etype = $2)";
static const char SQL_TYPE_DEL[] = "DELETE FROM iiot_types WHERE org_id = $1 AND etype = $2";

static enum err write_profile(struct db *db, long long org_id, json_t *in, int create)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    json_t *contacts = json_object_get(in, "contacts"),
           *lead = json_object_get(in, "security_lead");
    char *contacts_s = contacts && !json_is_null(contacts) ? json_canonical(contacts) : NULL;
    char *lead_s = lead && !json_is_null(lead) ? json_canonical(lead) : NULL;
    enum err rc = db_prepare(db, create ? SQL_ENT_INSERT : SQL_ENT_UPDATE, &s);
    if (!rc) {
        db_bind_int(s, 1, org_id);
        db_bind_text(s, 2, json_str(in, "name"));
        db_bind_text(s, 3, contacts_s ? contacts_s : "[]");
        db_bind_text(s, 4, lead_s ? lead_s : "null");
        db_bind_int(s, 5, json_is_true(json_object_get(in, "monitoring_platform")));
        db_bind_text(s, 6, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    free(contacts_s);
    free(lead_s);
    return rc;
}

static enum err sync_types(struct db *db, long long org_id, unsigned mask)
{
    enum err rc = ERR_OK;
    for (int t = 0; t < IIOT__TYPES && !rc; t++) {
        const char *code = iiot_type_code(t);
        const long long ids[] = {org_id};
        if (mask & (1u << t)) {
            rc = iiot_exec(db, SQL_TYPE_ADD, 1, &code, ids);
            continue;
        }
        struct db_stmt *s;
        long long used;
        if ((rc = db_prepare(db, SQL_TYPE_USED, &s)))
            break;
        db_bind_int(s, 1, org_id);
        db_bind_text(s, 2, code);
        if ((rc = db_scalar_int(s, 0, &used)))
            break;
        if (used)
            return errf(ERR_CONFLICT, "types", "类型「%s」已有定级或登记记录，不能移除",
                        iiot_type_name(t));
        rc = iiot_exec(db, SQL_TYPE_DEL, 1, &code, ids);
    }
    return rc;
}

enum err iiot_enterprise_put(struct db *db, const struct audit_ctx *ax, long long org_id,
                             json_t *in, int *created)
{
    char kind[32];
    unsigned mask;
    json_t *before = NULL;
    enum err rc = org_kind_of(db, org_id, kind);
    if (rc)
        return rc;
    int primary = iiot_type_of_org_kind(kind);
    if (primary < 0)
        return errf(ERR_VALIDATION, "org_id",
                    "该单位不是工业互联网企业（组织类型应为联网工业企业、"
                    "工业互联网平台企业或标识解析企业）");
    if ((rc = check_profile(in, primary, &mask)))
        return rc;
    rc = audit_json(db, org_id, &before);
    if (rc && rc != ERR_NOT_FOUND)
        return rc;
    *created = rc == ERR_NOT_FOUND;
    if ((rc = write_profile(db, org_id, in, *created)) || (rc = sync_types(db, org_id, mask)))
        goto out;
    rc = audit_enterprise(db, ax, *created ? "iiot.enterprise_create" : "iiot.enterprise_update",
                          org_id, before);
out:
    json_decref(before);
    return rc;
}

/* ---- grading ---- */

static const char SQL_TYPE_STATE[] =
    "SELECT reg_status, graded_on, level, factor_changed_on FROM iiot_types "
    "WHERE org_id = $1 AND etype = $2";

struct type_state {
    char reg_status[16];
    char graded_on[11];
    int level; /* 0: not graded */
    char factor_changed_on[11];
};

/* The state of a declared type; ERR_VALIDATION (field) when the enterprise lacks it. */
static enum err type_state(struct db *db, long long org_id, int type, const char *field,
                           struct type_state *out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_TYPE_STATE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, iiot_type_code(type));
    int row, found = 0;
    memset(out, 0, sizeof *out);
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        snprintf(out->reg_status, sizeof out->reg_status, "%s", db_text(s, 0));
        snprintf(out->graded_on, sizeof out->graded_on, "%s", db_text(s, 1) ? db_text(s, 1) : "");
        out->level = db_null(s, 2) ? 0 : (int)db_int(s, 2);
        snprintf(out->factor_changed_on, sizeof out->factor_changed_on, "%s",
                 db_text(s, 3) ? db_text(s, 3) : "");
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_VALIDATION, field, "该企业未登记「%s」类型；请先在企业信息中添加",
                  iiot_type_name(type));
    return rc;
}

static enum err type_arg(json_t *in, int *type)
{
    *type = iiot_type_parse(json_str(in, "type"));
    if (*type < 0)
        return errf(ERR_VALIDATION, "type",
                    "企业类型应为 connected（联网工业企业）、platform"
                    "（平台企业）或 identifier（标识解析企业）");
    return ERR_OK;
}

static const char SQL_GRADING_INSERT[] =
    "INSERT INTO iiot_gradings (org_id, etype, level, score, max_score, answers, table_version, "
    "note, graded_on, graded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "COALESCE($8, ''), $9, $10, $11) RETURNING id";
/* The level stays "since" its first grading; a verified registration of another level needs
 * registering again; a re-grading on or after a factor change fulfils it (第四条). */
static const char SQL_TYPE_GRADE[] =
    "UPDATE iiot_types SET "
    "level_since = CASE WHEN level IS NULL OR level <> $3 THEN CAST($5 AS TEXT) "
    "ELSE level_since END, "
    "reg_status = CASE WHEN reg_status = 'verified' AND level <> $3 THEN 'draft' "
    "ELSE reg_status END, "
    "factor_note = CASE WHEN factor_changed_on <= CAST($5 AS TEXT) THEN NULL ELSE factor_note END, "
    "factor_changed_on = CASE WHEN factor_changed_on <= CAST($5 AS TEXT) THEN NULL "
    "ELSE factor_changed_on END, "
    "level = $3, grading_id = $4, graded_on = $5 WHERE org_id = $1 AND etype = $2";

static enum err store_grading(struct db *db, const struct audit_ctx *ax, long long org_id, int type,
                              const struct iiot_grade_result *g, json_t *answers,
                              const char *version, const char *note, const char *graded_on,
                              long long *gid)
{
    struct db_stmt *s;
    char *answers_s = json_canonical(answers), now[40];
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_GRADING_INSERT, &s);
    if (!rc) {
        db_bind_int(s, 1, org_id);
        db_bind_text(s, 2, iiot_type_code(type));
        db_bind_int(s, 3, g->level);
        db_bind_int(s, 4, g->score);
        db_bind_int(s, 5, g->max_score);
        db_bind_text(s, 6, answers_s);
        db_bind_text(s, 7, version);
        db_bind_text(s, 8, note);
        db_bind_text(s, 9, graded_on);
        db_bind_text(s, 10, ax->actor_name);
        db_bind_text(s, 11, now);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            *gid = db_int(s, 0);
        db_done(s);
    }
    free(answers_s);
    if (rc || (rc = db_prepare(db, SQL_TYPE_GRADE, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, iiot_type_code(type));
    db_bind_int(s, 3, g->level);
    db_bind_int(s, 4, *gid);
    db_bind_text(s, 5, graded_on);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

enum err iiot_grading_add(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in)
{
    int type, is_default;
    struct type_state st;
    struct date graded;
    struct iiot_table table;
    struct iiot_grade_result g;
    enum err rc;
    if ((rc = type_arg(in, &type)) || (rc = iiot_past_date(in, "graded_on", "定级日期", &graded)) ||
        (rc = type_state(db, org_id, type, "type", &st)))
        return rc;
    char graded_on[11];
    date_format(graded, graded_on);
    if (!strcmp(st.reg_status, "submitted"))
        return errf(ERR_CONFLICT, "type", "「%s」的信息登记待主管部门核查，核查完成前不能重新定级",
                    iiot_type_name(type));
    if (*st.graded_on && strcmp(graded_on, st.graded_on) < 0)
        return errf(ERR_VALIDATION, "graded_on", "定级日期不能早于上一次定级（%s）", st.graded_on);
    if ((rc = iiot_table_current(db, &table, &is_default)))
        return rc;
    json_t *answers = json_object_get(in, "answers");
    long long gid = 0;
    if (!(rc = iiot_grade(&table, type, answers, &g)))
        rc = store_grading(db, ax, org_id, type, &g, answers, table.version, json_str(in, "note"),
                           graded_on, &gid);
    if (!rc) {
        char id[24];
        iiot_id_text(gid, id);
        json_t *after = json_pack("{s:s,s:i,s:s,s:i,s:i,s:s,s:O,s:s}", "type", iiot_type_code(type),
                                  "level", g.level, "level_name", iiot_level_name(g.level), "score",
                                  g.score, "max_score", g.max_score, "table_version", table.version,
                                  "answers", answers, "graded_on", graded_on);
        rc = audit_append(db, ax, "iiot.grade", "iiot_grading", id, org_id, NULL, after);
        json_decref(after);
    }
    iiot_table_release(&table);
    return rc ? rc : duty_refresh(db, "iiot", org_id);
}

static const char SQL_GRADINGS[] =
    "SELECT id, etype, level, score, max_score, answers, table_version, note, graded_on, "
    "graded_by, created_at FROM iiot_gradings WHERE org_id = $1 "
    "AND (CAST($2 AS TEXT) IS NULL OR etype = $2) ORDER BY id DESC";

enum err iiot_gradings_json(struct db *db, long long org_id, const char *type, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_GRADINGS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, type);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24];
        iiot_id_text(db_int(s, 0), id);
        int t = iiot_type_parse(db_text(s, 1)), level = (int)db_int(s, 2);
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:i,s:s,s:I,s:I,s:o,s:s,s:s,s:s,s:s,s:s}", "id", id,
                             "type", db_text(s, 1), "type_name", iiot_type_name(t), "level", level,
                             "level_name", iiot_level_name(level), "score",
                             (json_int_t)db_int(s, 3), "max_score", (json_int_t)db_int(s, 4),
                             "answers", iiot_json_or(db_text(s, 5), json_object()), "table_version",
                             db_text(s, 6), "note", db_text(s, 7), "graded_on", db_text(s, 8),
                             "graded_by", db_text(s, 9), "created_at", db_text(s, 10)));
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

/* ---- grading factor changes and 符合性评测 ---- */

/* The earliest pending change counts: re-grading is due three months after it. */
static const char SQL_FACTOR[] =
    "UPDATE iiot_types SET factor_changed_on = CASE WHEN factor_changed_on IS NULL OR "
    "factor_changed_on > CAST($3 AS TEXT) THEN CAST($3 AS TEXT) ELSE factor_changed_on END, "
    "factor_note = $4 WHERE org_id = $1 AND etype = $2";

enum err iiot_factor_change(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in)
{
    struct date changed;
    unsigned mask = 0;
    json_t *before = NULL;
    const char *note = json_str(in, "description");
    enum err rc = iiot_past_date(in, "changed_on", "定级要素变化日期", &changed);
    if (rc || (json_has(in, "types") &&
               (rc = iiot_parse_types(json_object_get(in, "types"), "types", &mask))))
        return rc;
    char on[11];
    date_format(changed, on);
    if ((rc = audit_json(db, org_id, &before)))
        return rc;
    int n = 0;
    for (int t = 0; t < IIOT__TYPES && !rc; t++) {
        struct type_state st;
        if (mask && !(mask & (1u << t)))
            continue;
        rc = type_state(db, org_id, t, "types", &st);
        if (rc == ERR_VALIDATION && !mask) {
            rc = ERR_OK; /* not declared: not concerned */
            continue;
        }
        if (rc)
            break;
        if (!st.level) {
            if (mask)
                rc = errf(ERR_VALIDATION, "types", "「%s」尚未自主定级", iiot_type_name(t));
            continue;
        }
        if (strcmp(on, st.graded_on) < 0) {
            rc = errf(ERR_VALIDATION, "changed_on",
                      "变化日期早于「%s」当前定级日期（%s），已体现在定级中", iiot_type_name(t),
                      st.graded_on);
            break;
        }
        const char *vals[] = {iiot_type_code(t), on, note};
        const long long ids[] = {org_id};
        rc = iiot_exec(db, SQL_FACTOR, 3, vals, ids);
        n++;
    }
    if (!rc && !n)
        rc = errf(ERR_VALIDATION, "types", "没有已定级的企业类型");
    if (!rc)
        rc = audit_enterprise(db, ax, "iiot.factor_change", org_id, before);
    json_decref(before);
    return rc;
}

static const char SQL_ASSESS_INSERT[] =
    "INSERT INTO iiot_assessments (org_id, etype, assessed_on, agency, result, note, created_by, "
    "created_at) VALUES ($1, $2, $3, $4, $5, COALESCE($6, ''), $7, $8) RETURNING id";

enum err iiot_assessment_add(struct db *db, const struct audit_ctx *ax, long long org_id,
                             json_t *in, long long *id)
{
    int type;
    struct type_state st;
    struct date on;
    const char *result = json_str(in, "result");
    enum err rc;
    if ((rc = type_arg(in, &type)) || (rc = iiot_past_date(in, "assessed_on", "评测日期", &on)) ||
        (rc = type_state(db, org_id, type, "type", &st)))
        return rc;
    if (!st.level)
        return errf(ERR_VALIDATION, "type", "「%s」尚未自主定级", iiot_type_name(type));
    if (!result || (strcmp(result, "pass") && strcmp(result, "fail")))
        return errf(ERR_VALIDATION, "result", "评测结论应为 pass（符合）或 fail（不符合）");
    char on_s[11], now[40];
    date_format(on, on_s);
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_ASSESS_INSERT, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, iiot_type_code(type));
    db_bind_text(s, 3, on_s);
    db_bind_text(s, 4, json_str(in, "agency"));
    db_bind_text(s, 5, result);
    db_bind_text(s, 6, json_str(in, "note"));
    db_bind_text(s, 7, ax->actor_name);
    db_bind_text(s, 8, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (!rc) {
        char idb[24];
        iiot_id_text(*id, idb);
        rc = audit_append(db, ax, "iiot.assessment", "iiot_assessment", idb, org_id, NULL, in);
    }
    return rc ? rc : duty_refresh(db, "iiot", org_id);
}

static const char SQL_ASSESSMENTS[] =
    "SELECT id, etype, assessed_on, agency, result, note, created_by, created_at "
    "FROM iiot_assessments WHERE org_id = $1 ORDER BY assessed_on DESC, id DESC";

enum err iiot_assessments_json(struct db *db, long long org_id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ASSESSMENTS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24];
        iiot_id_text(db_int(s, 0), id);
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id, "type", db_text(s, 1),
                      "type_name", iiot_type_name(iiot_type_parse(db_text(s, 1))), "assessed_on",
                      db_text(s, 2), "agency", db_text(s, 3), "result", db_text(s, 4), "note",
                      db_text(s, 5), "created_by", db_text(s, 6), "created_at", db_text(s, 7)));
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}
