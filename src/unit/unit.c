/* Network units: data, validation, grading and the filing workflow. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit/audit.h"
#include "calendar/calendar.h"
#include "duty/duty.h"
#include "duty/rules.h"
#include "embedded.h"
#include "ipnet.h"
#include "json.h"
#include "mlps/rules.h"
#include "org/rules.h"
#include "rules.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"
#include "unit.h"

/* The catalogue, parsed once. */
static json_t *catalogue;
static pthread_once_t catalogue_once = PTHREAD_ONCE_INIT;

static void load_catalogue(void)
{
    for (const struct embedded_file *f = embedded_files; f->name; f++)
        if (!strcmp(f->name, "data/unit-types.json"))
            catalogue = json_loadb(f->data, f->len, 0, NULL);
    if (!catalogue)
        catalogue = json_pack("{s:[]}", "types");
}

json_t *unit_types(void)
{
    pthread_once(&catalogue_once, load_catalogue);
    return catalogue;
}

static json_t *type_entry(const char *code)
{
    json_t *types = json_object_get(unit_types(), "types"), *t;
    size_t i;
    json_array_foreach (types, i, t) {
        if (code && !strcmp(json_str(t, "code"), code))
            return t;
    }
    return NULL;
}

const char *unit_type_name(const char *code)
{
    json_t *t = type_entry(code);
    return t ? json_str(t, "name") : NULL;
}

static const char *const STATUS_NAMES[][2] = {
    {"planned", "规划建设"}, {"online", "在网运行"}, {"retired", "已注销"}};
static const char *const FILING_NAMES[][2] = {
    {"draft", "未备案"}, {"submitted", "待审核"},          {"returned", "退回补正"},
    {"filed", "已备案"}, {"change_pending", "待变更备案"}, {"retired", "已注销"}};

static const char *lookup(const char *const table[][2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return "";
}
#define LOOKUP(t, c) lookup(t, sizeof t / sizeof t[0], c)

#define UNIT_COLS                                                                                  \
    "SELECT u.id, u.org_id, o.name, u.name, u.unit_type, u.business_scope, u.service_scope, "      \
    "u.user_types, u.management, u.technical, u.boundary, u.device_count, u.online_date, "         \
    "u.status, u.level, u.grade_i, u.grade_r, u.grade_v, u.grade_k10, u.just_i, u.just_r, "        \
    "u.just_v, u.grade_ruleset, u.graded_at, u.filing_status, u.filing_number, u.filed_at, "       \
    "u.filed_level, u.change_since, u.correction_due, u.cii, u.cii_authority, u.cii_date, "        \
    "u.mlps_info_level, u.mlps_service_level, u.mlps_level, u.mlps_harms, u.mlps_graded_at, "      \
    "u.mlps_police_filing_no, u.mlps_police_org, u.mlps_police_filing_date, u.created_at, "        \
    "u.updated_at FROM units u JOIN orgs o ON o.id = u.org_id "

static json_t *int_or_null(struct db_stmt *s, int col)
{
    return db_null(s, col) ? json_null() : json_integer(db_int(s, col));
}

static json_t *k_or_null(struct db_stmt *s, int col)
{
    return db_null(s, col) ? json_null() : json_real((double)db_int(s, col) / 10.0);
}

/* The JSON of one row of UNIT_COLS (no ranges, assets, deadlines). */
json_t *unit_row_json(struct db_stmt *s);
json_t *unit_row_json(struct db_stmt *s)
{
    char id[24], org[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(org, sizeof org, "%lld", db_int(s, 1));
    const char *type = db_text(s, 4);
    json_t *harms = db_null(s, 36) ? json_null() : json_loads(db_text(s, 36), 0, NULL);
    json_t *u = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:o,s:s,s:s}", "id", id,
        "org_id", org, "org_name", db_text(s, 2), "name", db_text(s, 3), "unit_type", type,
        "unit_type_name", unit_type_name(type) ? unit_type_name(type) : type, "business_scope",
        db_text(s, 5), "service_scope", db_text(s, 6), "user_types", db_text(s, 7), "management",
        db_text(s, 8), "technical", db_text(s, 9), "boundary", db_text(s, 10), "device_count",
        int_or_null(s, 11), "online_date", json_str_or_null(db_text(s, 12)), "status",
        db_text(s, 13), "status_name", LOOKUP(STATUS_NAMES, db_text(s, 13)), "level",
        int_or_null(s, 14), "created_at", db_text(s, 41), "updated_at", db_text(s, 42));
    json_object_set_new(
        u, "grading",
        db_null(s, 14)
            ? json_null()
            : json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "i", int_or_null(s, 15), "r",
                        int_or_null(s, 16), "v", int_or_null(s, 17), "k", k_or_null(s, 18), "level",
                        int_or_null(s, 14), "just_i", json_str_or_null(db_text(s, 19)), "just_r",
                        json_str_or_null(db_text(s, 20)), "just_v",
                        json_str_or_null(db_text(s, 21)), "ruleset",
                        json_str_or_null(db_text(s, 22)), "graded_at",
                        json_str_or_null(db_text(s, 23))));
    json_object_set_new(
        u, "filing",
        json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "status", db_text(s, 24), "status_name",
                  LOOKUP(FILING_NAMES, db_text(s, 24)), "number", json_str_or_null(db_text(s, 25)),
                  "filed_at", json_str_or_null(db_text(s, 26)), "filed_level", int_or_null(s, 27),
                  "change_since", json_str_or_null(db_text(s, 28)), "correction_due",
                  json_str_or_null(db_text(s, 29))));
    json_object_set_new(u, "cii",
                        json_pack("{s:b,s:o,s:o}", "flag", (int)db_int(s, 30), "authority",
                                  json_str_or_null(db_text(s, 31)), "date",
                                  json_str_or_null(db_text(s, 32))));
    json_object_set_new(u, "mlps",
                        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "info_level",
                                  int_or_null(s, 33), "service_level", int_or_null(s, 34), "level",
                                  int_or_null(s, 35), "harms", harms ? harms : json_null(),
                                  "graded_at", json_str_or_null(db_text(s, 37)), "police_filing_no",
                                  json_str_or_null(db_text(s, 38)), "police_org",
                                  json_str_or_null(db_text(s, 39)), "police_filing_date",
                                  json_str_or_null(db_text(s, 40))));
    return u;
}

static const char SQL_ORG[] = "SELECT org_id FROM units WHERE id = $1";

enum err unit_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "网络单元不存在");
    return rc;
}

static const char SQL_RANGES[] = "SELECT cidr, first_hex, last_hex FROM unit_ranges "
                                 "WHERE unit_id = $1 ORDER BY id";
/* Another organisation's overlapping range: only the range itself is shown, never whose it is,
 * since that organisation may be outside the reader's scope. */
static const char SQL_CONFLICTS[] =
    "SELECT r.cidr FROM unit_ranges r WHERE r.first_hex <= $1 AND r.last_hex >= $2 "
    "AND r.org_id <> $3 ORDER BY r.id LIMIT 10";
static const char SQL_ASSETS[] =
    "SELECT id, name, kind, vendor, model, software_version, location FROM unit_assets "
    "WHERE unit_id = $1 ORDER BY id";
static const char SQL_MLPS_ASSESS[] =
    "SELECT id, assessed_on, agency, result, score FROM mlps_assessments WHERE unit_id = $1 "
    "ORDER BY assessed_on DESC, id DESC";

/* Ranges with the other organisations' ranges they overlap. */
static enum err add_ranges(struct db *db, long long id, long long org_id, json_t *u)
{
    struct db_stmt *s, *c;
    enum err rc = db_prepare(db, SQL_RANGES, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    json_t *ranges = json_array(), *conflicts = json_array();
    json_object_set_new(u, "ip_ranges", ranges);
    json_object_set_new(u, "range_conflicts", conflicts);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        json_array_append_new(ranges, json_string(db_text(s, 0)));
        if ((rc = db_prepare(db, SQL_CONFLICTS, &c)))
            break;
        db_bind_text(c, 1, db_text(s, 2));
        db_bind_text(c, 2, db_text(s, 1));
        db_bind_int(c, 3, org_id);
        int crow;
        while (!(rc = db_step(c, &crow)) && crow)
            json_array_append_new(
                conflicts, json_pack("{s:s,s:s}", "range", db_text(s, 0), "other", db_text(c, 0)));
        db_done(c);
        if (rc)
            break;
    }
    db_done(s);
    return rc;
}

static enum err add_list(struct db *db, long long id, const char *sql, const char *key,
                         const char *const *names, int ncols, json_t *u)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    json_t *arr = json_array();
    json_object_set_new(u, key, arr);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        json_t *o = json_object();
        for (int i = 0; i < ncols; i++)
            json_object_set_new(o, names[i], json_str_or_null(db_text(s, i)));
        json_array_append_new(arr, o);
    }
    db_done(s);
    return rc;
}

static int date_of(const char *iso, struct date *out)
{
    char buf[11];
    if (!iso || strlen(iso) < 10)
        return -1;
    memcpy(buf, iso, 10);
    buf[10] = '\0';
    return date_parse(buf, out) ? -1 : 0;
}

static const char SQL_UNIT_DUTIES[] =
    "SELECT kind, title, due_date, source, fulfils, done_at FROM duties WHERE unit_id = $1 "
    "ORDER BY due_date, id";

/* The unit's deadlines are its duties (one source for the unit page, the duty list and the
 * reminders); the R2 warnings are derived here. */
static enum err add_deadlines(struct db *db, long long id, json_t *u, struct date today)
{
    json_t *dl = json_array(), *warn = json_array();
    json_object_set_new(u, "deadlines", dl);
    json_object_set_new(u, "warnings", warn);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNIT_DUTIES, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        const char *state = duty_state(db_text(s, 2), db_text(s, 5), today);
        json_array_append_new(dl, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "kind", db_text(s, 0),
                                            "name", db_text(s, 1), "due", db_text(s, 2), "source",
                                            db_text(s, 3), "status", state, "note", db_text(s, 4),
                                            "done_at", json_str_or_null(db_text(s, 5))));
    }
    db_done(s);
    if (rc || !strcmp(json_str(u, "status"), "retired"))
        return rc;
    struct date d, due;
    json_t *mlps = json_object_get(u, "mlps");
    json_t *ml = json_object_get(mlps, "level");
    /* R2 police filing needs working days: a year without a notice is shown, never guessed. */
    if (json_is_integer(ml) && json_integer_value(ml) >= 2 && !json_str(mlps, "police_filing_no") &&
        !date_of(json_str(mlps, "graded_at"), &d) && calendar_add_workdays(d, 10, &due))
        json_array_append_new(
            warn, json_pack("{s:s,s:s}", "code", "calendar_missing", "message", err_last()->msg));
    /* R2: 第三级以上系统须通过等级测评方可投入运行 */
    json_t *assess = json_object_get(u, "mlps_assessments");
    int passed = 0;
    size_t i;
    json_t *a;
    json_array_foreach (assess, i, a) {
        if (json_str(a, "result") && !strcmp(json_str(a, "result"), "pass"))
            passed = 1;
    }
    if (json_is_integer(ml) && json_integer_value(ml) >= 3 &&
        !strcmp(json_str(u, "status"), "online") && !passed)
        json_array_append_new(warn,
                              json_pack("{s:s,s:s}", "code", "mlps_unassessed_online", "message",
                                        "第三级以上系统未通过等级测评即已上线运行（R2）"));
    if (json_is_integer(ml) && json_integer_value(ml) >= 3)
        json_array_append_new(warn, json_pack("{s:s,s:s}", "code", "crypto_assessment", "message",
                                              "第三级以上系统须同步开展密码应用安全性评估"));
    if (json_array_size(json_object_get(u, "range_conflicts")))
        json_array_append_new(warn, json_pack("{s:s,s:s}", "code", "range_overlap", "message",
                                              "IP 地址段与其他单位的地址段重叠"));
    return ERR_OK;
}

static const char SQL_ONE[] = UNIT_COLS "WHERE u.id = $1";

enum err unit_json(struct db *db, long long id, struct date today, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *u = NULL;
    long long org = 0;
    if (!(rc = db_step(s, &row)) && row) {
        u = unit_row_json(s);
        org = db_int(s, 1);
    }
    db_done(s);
    if (rc || !u)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "网络单元不存在");
    static const char *const asset_cols[] = {
        "id", "name", "kind", "vendor", "model", "software_version", "location"};
    static const char *const mlps_cols[] = {"id", "assessed_on", "agency", "result", "score"};
    if ((rc = add_ranges(db, id, org, u)) ||
        (rc = add_list(db, id, SQL_ASSETS, "assets", asset_cols, 7, u)) ||
        (rc = add_list(db, id, SQL_MLPS_ASSESS, "mlps_assessments", mlps_cols, 5, u))) {
        json_decref(u);
        return rc;
    }
    if ((rc = add_deadlines(db, id, u, today))) {
        json_decref(u);
        return rc;
    }
    *out = u;
    return ERR_OK;
}

/* Validation of the descriptive fields shared by create and update. */
static enum err check_fields(json_t *in)
{
    const char *type = json_str(in, "unit_type"), *status = json_str(in, "status");
    if (type && !unit_type_name(type))
        return errf(ERR_VALIDATION, "unit_type", "未知的网络单元类型：%s", type);
    if (status && strcmp(status, "planned") && strcmp(status, "online"))
        return errf(ERR_VALIDATION, "status",
                    "状态应为 planned（规划建设）或 online（在网运行）；注销请走注销备案");
    if (json_has(in, "name") && !*json_str(in, "name"))
        return errf(ERR_VALIDATION, "name", "名称不能为空");
    json_t *ranges = json_object_get(in, "ip_ranges"), *r;
    size_t i;
    json_array_foreach (ranges, i, r) {
        struct ipnet n;
        if (!json_is_string(r))
            return errf(ERR_VALIDATION, "ip_ranges", "第 %zu 个地址段应为字符串", i + 1);
        enum err rc = ipnet_parse(json_string_value(r), "ip_ranges", &n);
        if (rc)
            return rc;
    }
    return ERR_OK;
}

static const char SQL_DEL_RANGES[] = "DELETE FROM unit_ranges WHERE unit_id = $1";
static const char SQL_ADD_RANGE[] = "INSERT INTO unit_ranges (unit_id, org_id, cidr, first_hex, "
                                    "last_hex) VALUES ($1, $2, $3, $4, $5)";

static enum err write_ranges(struct db *db, long long id, long long org_id, json_t *ranges)
{
    struct db_stmt *s;
    int row;
    enum err rc = db_prepare(db, SQL_DEL_RANGES, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_step(s, &row);
    db_done(s);
    size_t i;
    json_t *r;
    json_array_foreach (ranges, i, r) {
        struct ipnet n;
        char text[64], first[33], last[33];
        if (rc || (rc = ipnet_parse(json_string_value(r), "ip_ranges", &n)) ||
            (rc = db_prepare(db, SQL_ADD_RANGE, &s)))
            return rc;
        ipnet_format(&n, text);
        ipnet_range_hex(&n, first, last);
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, org_id);
        db_bind_text(s, 3, text);
        db_bind_text(s, 4, first);
        db_bind_text(s, 5, last);
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

static const char SQL_INSERT[] =
    "INSERT INTO units (org_id, name, unit_type, business_scope, service_scope, user_types, "
    "management, technical, boundary, device_count, online_date, status, created_at, updated_at) "
    "VALUES ($1, $2, $3, COALESCE($4, ''), COALESCE($5, ''), COALESCE($6, ''), COALESCE($7, ''), "
    "COALESCE($8, ''), COALESCE($9, ''), $10, $11, COALESCE($12, 'planned'), $13, $13) RETURNING "
    "id";

static void bind_opt_int(struct db_stmt *s, int idx, json_t *v)
{
    if (json_is_integer(v))
        db_bind_int(s, idx, json_integer_value(v));
    else
        db_bind_null(s, idx);
}

static struct date today_of(void)
{
    return date_today_shanghai();
}

static enum err audit_unit(struct db *db, const struct audit_ctx *ax, const char *action,
                           long long id, long long org, json_t *before)
{
    json_t *after = NULL;
    enum err rc = unit_json(db, id, today_of(), &after);
    if (rc)
        return rc;
    /* Deadlines and warnings are derived; the record keeps what was changed. */
    json_object_del(after, "deadlines");
    json_object_del(after, "warnings");
    if (before) {
        json_object_del(before, "deadlines");
        json_object_del(before, "warnings");
    }
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    rc = audit_append(db, ax, action, "unit", idbuf, org, before, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "unit", id);
}

enum err unit_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                     long long *id)
{
    enum err rc = check_fields(in);
    if (rc)
        return rc;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_INSERT, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, json_str(in, "name"));
    db_bind_text(s, 3, json_str(in, "unit_type"));
    static const char *const text_fields[] = {"business_scope", "service_scope", "user_types",
                                              "management",     "technical",     "boundary"};
    for (int i = 0; i < 6; i++)
        db_bind_text(s, 4 + i, json_str(in, text_fields[i]));
    bind_opt_int(s, 10, json_object_get(in, "device_count"));
    db_bind_text(s, 11, json_str(in, "online_date"));
    db_bind_text(s, 12, json_str(in, "status"));
    db_bind_text(s, 13, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    json_t *ranges = json_object_get(in, "ip_ranges");
    if (json_is_array(ranges) && (rc = write_ranges(db, *id, org_id, ranges)))
        return rc;
    return audit_unit(db, ax, "unit.create", *id, org_id, NULL);
}

static const char SQL_UPDATE[] =
    "UPDATE units SET name = COALESCE($2, name), unit_type = COALESCE($3, unit_type), "
    "business_scope = COALESCE($4, business_scope), service_scope = COALESCE($5, service_scope), "
    "user_types = COALESCE($6, user_types), management = COALESCE($7, management), "
    "technical = COALESCE($8, technical), boundary = COALESCE($9, boundary), "
    "device_count = CASE WHEN $10 = 1 THEN $11 ELSE device_count END, "
    "online_date = CASE WHEN $12 = 1 THEN $13 ELSE online_date END, "
    "status = COALESCE($14, status), updated_at = $15 WHERE id = $1";
static const char SQL_OPEN_CHANGE[] =
    "UPDATE units SET filing_status = 'change_pending', change_since = $2 "
    "WHERE id = $1 AND filing_status = 'filed'";
static const char SQL_REASSESS[] =
    "UPDATE units SET reassess_since = $2 WHERE id = $1 AND filing_number IS NOT NULL";

/* A change to filed information (division, level, filed fields) opens a 变更备案 (R3); a
 * re-division or a level change also starts the 90-day re-assessment (331号 §三). */
static enum err open_change(struct db *db, long long id, int reassess)
{
    struct db_stmt *s;
    char today[11];
    date_format(today_of(), today);
    enum err rc;
    if (reassess) {
        if ((rc = db_prepare(db, SQL_REASSESS, &s)))
            return rc;
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, today);
        int row;
        rc = db_step(s, &row);
        db_done(s);
        if (rc)
            return rc;
    }
    rc = db_prepare(db, SQL_OPEN_CHANGE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, today);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static const char *current_filing_status(json_t *u)
{
    return json_str(json_object_get(u, "filing"), "status");
}

enum err unit_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before = NULL;
    enum err rc = check_fields(in);
    if (rc || (rc = unit_json(db, id, today_of(), &before)))
        return rc;
    const char *fs = current_filing_status(before);
    if (!strcmp(fs, "submitted") || !strcmp(fs, "retired")) {
        rc = errf(ERR_CONFLICT, NULL,
                  !strcmp(fs, "retired") ? "网络单元已注销，不能修改"
                                         : "备案审核中，不能修改；请等待审核结果");
        goto out;
    }
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, json_str(in, "name"));
    db_bind_text(s, 3, json_str(in, "unit_type"));
    static const char *const text_fields[] = {"business_scope", "service_scope", "user_types",
                                              "management",     "technical",     "boundary"};
    for (int i = 0; i < 6; i++)
        db_bind_text(s, 4 + i, json_str(in, text_fields[i]));
    db_bind_int(s, 10, json_has(in, "device_count"));
    bind_opt_int(s, 11, json_object_get(in, "device_count"));
    db_bind_int(s, 12, json_has(in, "online_date"));
    db_bind_text(s, 13, json_str(in, "online_date"));
    db_bind_text(s, 14, json_str(in, "status"));
    db_bind_text(s, 15, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    long long org = id_parse(json_str(before, "org_id"));
    json_t *ranges = json_object_get(in, "ip_ranges");
    if (!rc && json_is_array(ranges))
        rc = write_ranges(db, id, org, ranges);
    /* Which changes touch filed information: everything but the operating status. */
    int filed_info = 0;
    const char *key;
    json_t *v;
    json_object_foreach (in, key, v) {
        if (strcmp(key, "status"))
            filed_info = 1;
    }
    /* The unit's division: its address ranges and network boundary. */
    int redivided = json_has(in, "ip_ranges") || json_has(in, "boundary");
    if (!rc && filed_info)
        rc = open_change(db, id, redivided);
    if (!rc)
        rc = audit_unit(db, ax, "unit.update", id, org, before);
out:
    json_decref(before);
    return rc;
}

static const char SQL_GRADE[] =
    "UPDATE units SET level = $2, grade_i = $3, grade_r = $4, grade_v = $5, grade_k10 = $6, "
    "just_i = $7, just_r = $8, just_v = $9, grade_ruleset = $10, graded_at = $11, updated_at = $11 "
    "WHERE id = $1";
static const char SQL_GRADE_HISTORY[] =
    "INSERT INTO unit_gradings (unit_id, grade_i, grade_r, grade_v, s_value, k10, level, just_i, "
    "just_r, just_v, ruleset, graded_by, graded_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

static enum err check_justification(const char *s, const char *field, const char *label)
{
    if (!s || !*s)
        return errf(ERR_VALIDATION, field, "%s的赋值理由不能为空", label);
    return ERR_OK;
}

enum err unit_grade_set(struct db *db, const struct audit_ctx *ax, long long id, int i, int r,
                        int v, const char *just_i, const char *just_r, const char *just_v)
{
    struct unit_grade_result g;
    const struct grade_ruleset *rs = grade_ruleset_default();
    json_t *before = NULL;
    enum err rc = unit_grade_with(rs, i, r, v, &g);
    if (rc || (rc = check_justification(just_i, "just_i", "社会影响力")) ||
        (rc = check_justification(just_r, "just_r", "规模和服务范围")) ||
        (rc = check_justification(just_v, "just_v", "所提供服务的重要性")) ||
        (rc = unit_json(db, id, today_of(), &before)))
        return rc;
    const char *fs = current_filing_status(before);
    if (!strcmp(fs, "submitted") || !strcmp(fs, "retired")) {
        rc = errf(ERR_CONFLICT, NULL, "备案审核中或已注销，不能重新定级");
        goto out;
    }
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    int row;
    if ((rc = db_prepare(db, SQL_GRADE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, g.level);
    db_bind_int(s, 3, i);
    db_bind_int(s, 4, r);
    db_bind_int(s, 5, v);
    db_bind_int(s, 6, g.k10);
    db_bind_text(s, 7, just_i);
    db_bind_text(s, 8, just_r);
    db_bind_text(s, 9, just_v);
    db_bind_text(s, 10, rs->version);
    db_bind_text(s, 11, now);
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = db_prepare(db, SQL_GRADE_HISTORY, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, i);
    db_bind_int(s, 3, r);
    db_bind_int(s, 4, v);
    db_bind_int(s, 5, g.s);
    db_bind_int(s, 6, g.k10);
    db_bind_int(s, 7, g.level);
    db_bind_text(s, 8, just_i);
    db_bind_text(s, 9, just_r);
    db_bind_text(s, 10, just_v);
    db_bind_text(s, 11, rs->version);
    db_bind_text(s, 12, ax->actor_name);
    db_bind_text(s, 13, now);
    rc = db_step(s, &row);
    db_done(s);
    json_t *old = json_object_get(json_object_get(before, "filing"), "filed_level");
    /* 331号 §三 / 部令第11号: a level change of a filed unit is a change to filed information. */
    if (!rc && json_is_integer(old) && json_integer_value(old) != g.level)
        rc = open_change(db, id, 1);
    if (!rc)
        rc = audit_unit(db, ax, "unit.grade", id, id_parse(json_str(before, "org_id")), before);
out:
    json_decref(before);
    return rc;
}

/* Every field a filing needs, named with its Chinese label when missing. */
static enum err check_complete(json_t *u)
{
    static const char *const required[][2] = {
        {"name", "名称"},
        {"unit_type", "网络单元类型"},
        {"business_scope", "业务/应用范围"},
        {"service_scope", "服务范围"},
        {"user_types", "用户类型"},
        {"management", "管理情况"},
        {"technical", "技术情况"},
    };
    struct sbuf fields, labels;
    sbuf_init(&fields, 4096);
    sbuf_init(&labels, 4096);
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *v = json_str(u, required[i][0]);
        if (!v || !*v) {
            sbuf_addf(&fields, "%s%s", fields.len ? "," : "", required[i][0]);
            sbuf_addf(&labels, "%s%s", labels.len ? "、" : "", required[i][1]);
        }
    }
    if (!json_is_object(json_object_get(u, "grading"))) {
        sbuf_addf(&fields, "%sgrading", fields.len ? "," : "");
        sbuf_addf(&labels, "%s安全等级（定级）", labels.len ? "、" : "");
    }
    enum err rc = ERR_OK;
    if (fields.len)
        rc = errf(ERR_VALIDATION, fields.buf, "备案信息不完整，缺少：%s", labels.buf);
    sbuf_release(&fields);
    sbuf_release(&labels);
    return rc;
}

static const char SQL_NEW_FILING[] =
    "INSERT INTO filings (unit_id, org_id, kind, status, snapshot, submitted_by, submitted_at, "
    "comment) VALUES ($1, $2, $3, 'submitted', $4, $5, $6, $7) RETURNING id";
static const char SQL_SET_FS[] =
    "UPDATE units SET filing_status = $2, updated_at = $3 WHERE id = $1";

static enum err set_filing_status(struct db *db, long long id, const char *status)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_SET_FS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, status);
    db_bind_text(s, 3, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static enum err new_filing(struct db *db, const struct audit_ctx *ax, json_t *u, const char *kind,
                           const char *comment, long long *filing_id)
{
    long long id = id_parse(json_str(u, "id")), org = id_parse(json_str(u, "org_id"));
    json_object_del(u, "deadlines");
    json_object_del(u, "warnings");
    char *snapshot = json_canonical(u), now[40];
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_NEW_FILING, &s);
    if (!rc) {
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, org);
        db_bind_text(s, 3, kind);
        db_bind_text(s, 4, snapshot);
        db_bind_text(s, 5, ax->actor_name);
        db_bind_text(s, 6, now);
        db_bind_text(s, 7, comment);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            *filing_id = db_int(s, 0);
        db_done(s);
    }
    free(snapshot);
    if (rc || (rc = set_filing_status(db, id, "submitted")))
        return rc;
    json_t *after = json_pack("{s:s,s:I}", "kind", kind, "filing_id", (json_int_t)*filing_id);
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    rc = audit_append(db, ax, "unit.submit", "unit", idbuf, org, NULL, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "unit", id);
}

enum err unit_submit(struct db *db, const struct audit_ctx *ax, long long id, const char *comment,
                     long long *filing_id)
{
    json_t *u;
    enum err rc = unit_json(db, id, today_of(), &u);
    if (rc)
        return rc;
    const char *fs = current_filing_status(u);
    if (strcmp(fs, "draft") && strcmp(fs, "returned") && strcmp(fs, "change_pending"))
        rc = errf(ERR_CONFLICT, "filing", "当前备案状态（%s）不能提交", fs);
    if (!rc)
        rc = check_complete(u);
    if (!rc) {
        const char *kind = json_str(json_object_get(u, "filing"), "number") ? "change" : "initial";
        rc = new_filing(db, ax, u, kind, comment, filing_id);
    }
    json_decref(u);
    return rc;
}

static const char SQL_RETIRE_DRAFT[] =
    "UPDATE units SET status = 'retired', filing_status = 'retired', updated_at = $2 WHERE id = $1";

enum err unit_retire(struct db *db, const struct audit_ctx *ax, long long id, const char *reason,
                     long long *filing_id)
{
    json_t *u;
    enum err rc = unit_json(db, id, today_of(), &u);
    if (rc)
        return rc;
    const char *fs = current_filing_status(u);
    *filing_id = 0;
    if (!strcmp(fs, "filed") || !strcmp(fs, "change_pending")) {
        rc = new_filing(db, ax, u, "retire", reason, filing_id);
    } else if (!strcmp(fs, "draft") || !strcmp(fs, "returned")) {
        /* Never filed: nothing to deregister with the regulator. */
        struct db_stmt *s;
        char now[40];
        time_now_iso(now);
        if (!(rc = db_prepare(db, SQL_RETIRE_DRAFT, &s))) {
            db_bind_int(s, 1, id);
            db_bind_text(s, 2, now);
            int row;
            rc = db_step(s, &row);
            db_done(s);
        }
        if (!rc)
            rc = audit_unit(db, ax, "unit.retire", id, id_parse(json_str(u, "org_id")), NULL);
    } else {
        rc = errf(ERR_CONFLICT, "filing", "当前备案状态（%s）不能注销", fs);
    }
    json_decref(u);
    return rc;
}

static const char SQL_FILING[] =
    "SELECT f.id, f.unit_id, f.org_id, o.name, u.name, f.kind, f.status, f.submitted_by, "
    "f.submitted_at, f.reviewer, f.reviewed_at, f.reasons, f.correction_due, f.filing_number, "
    "f.comment, f.snapshot, o.province FROM filings f JOIN orgs o ON o.id = f.org_id "
    "JOIN units u ON u.id = f.unit_id WHERE f.id = $1";

static const char *const KIND_NAMES[][2] = {
    {"initial", "定级备案"}, {"change", "变更备案"}, {"retire", "注销备案"}};
static const char *const FSTATUS_NAMES[][2] = {
    {"submitted", "待审核"}, {"approved", "已通过"}, {"returned", "已退回"}};

/* The JSON of a filings row in SQL_FILING's column order (shared with lists). */
json_t *filing_row_json(struct db_stmt *s, int with_snapshot, struct date today);
json_t *filing_row_json(struct db_stmt *s, int with_snapshot, struct date today)
{
    char id[24], unit[24], org[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(unit, sizeof unit, "%lld", db_int(s, 1));
    snprintf(org, sizeof org, "%lld", db_int(s, 2));
    json_t *reasons = db_null(s, 11) ? json_array() : json_loads(db_text(s, 11), 0, NULL);
    struct date sub;
    long age = 0;
    if (!date_of(db_text(s, 8), &sub))
        age = date_to_days(today) - date_to_days(sub);
    json_t *f = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:i}", "id", id,
        "unit_id", unit, "org_id", org, "org_name", db_text(s, 3), "province", db_text(s, 16),
        "unit_name", db_text(s, 4), "kind", db_text(s, 5), "kind_name",
        LOOKUP(KIND_NAMES, db_text(s, 5)), "status", db_text(s, 6), "status_name",
        LOOKUP(FSTATUS_NAMES, db_text(s, 6)), "submitted_by", db_text(s, 7), "submitted_at",
        json_string(db_text(s, 8)), "reviewer", json_str_or_null(db_text(s, 9)), "reviewed_at",
        json_str_or_null(db_text(s, 10)), "reasons", reasons ? reasons : json_array(),
        "correction_due", json_str_or_null(db_text(s, 12)), "filing_number",
        json_str_or_null(db_text(s, 13)), "age_days", (int)age);
    json_object_set_new(f, "comment", json_str_or_null(db_text(s, 14)));
    /* The organisation's province by name, as GET /meta names it ("00" = 全国). */
    const char *province = db_text(s, 16);
    json_object_set_new(f, "province_name",
                        json_string(!strcmp(province, "00")   ? "全国"
                                    : province_name(province) ? province_name(province)
                                                              : province));
    if (with_snapshot) {
        json_t *snap = json_loads(db_text(s, 15), 0, NULL);
        json_object_set_new(f, "snapshot", snap ? snap : json_null());
    }
    return f;
}

enum err filing_json(struct db *db, long long filing_id, int with_snapshot, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_FILING, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, filing_id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = filing_row_json(s, with_snapshot, today_of());
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "备案记录不存在");
    return rc;
}

static const char SQL_FILING_ORG[] = "SELECT org_id FROM filings WHERE id = $1";

enum err filing_org(struct db *db, long long filing_id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_FILING_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, filing_id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "备案记录不存在");
    return rc;
}

/* Moves a submitted filing to its decision; 0 rows means someone decided already. */
static const char SQL_DECIDE[] =
    "UPDATE filings SET status = $2, reviewer = $3, reviewer_org_id = $4, reviewed_at = $5, "
    "reasons = $6, correction_due = $7, filing_number = $8, comment = COALESCE($9, comment) "
    "WHERE id = $1 AND status = 'submitted'";
static const char SQL_APPROVE_UNIT[] =
    "UPDATE units SET filing_status = 'filed', filing_number = $2, filed_at = $3, "
    "filed_level = level, change_since = NULL, correction_due = NULL, updated_at = $4 WHERE id = "
    "$1";
static const char SQL_RETIRE_UNIT[] =
    "UPDATE units SET filing_status = 'retired', status = 'retired', updated_at = $2 WHERE id = $1";
static const char SQL_RETURN_UNIT[] =
    "UPDATE units SET filing_status = $2, correction_due = $3, updated_at = $4 WHERE id = $1";

static enum err decide(struct db *db, const struct audit_ctx *ax, long long filing_id,
                       long long reviewer_org, const char *status, const char *reasons,
                       const char *due, const char *number, const char *comment)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_DECIDE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, filing_id);
    db_bind_text(s, 2, status);
    db_bind_text(s, 3, ax->actor_name);
    db_bind_int(s, 4, reviewer_org);
    db_bind_text(s, 5, now);
    db_bind_text(s, 6, reasons);
    db_bind_text(s, 7, due);
    db_bind_text(s, 8, number);
    db_bind_text(s, 9, comment);
    int row;
    rc = db_step(s, &row);
    long long changed = db_changes(s);
    db_done(s);
    if (!rc && !changed)
        rc = errf(ERR_CONFLICT, NULL, "该备案已审核，不能重复审核");
    return rc;
}

static enum err run_unit_update(struct db *db, const char *sql, long long id, const char *a,
                                const char *b, const char *c)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    const char *vals[] = {a, b, c};
    for (int i = 0; i < 3 && vals[i]; i++)
        db_bind_text(s, 2 + i, vals[i]);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

enum err filing_approve(struct db *db, const struct audit_ctx *ax, long long filing_id,
                        long long reviewer_org, const char *number, const char *comment)
{
    json_t *f;
    enum err rc = filing_json(db, filing_id, 0, &f);
    if (rc)
        return rc;
    long long unit = id_parse(json_str(f, "unit_id")), org = id_parse(json_str(f, "org_id"));
    const char *kind = json_str(f, "kind");
    char today[11], now[40], generated[48];
    date_format(today_of(), today);
    time_now_iso(now);
    /* The filing number stays with the unit across change filings; a new one is
     * 省份-年份-单元编号 unless the regulator gives one. */
    json_t *u = NULL;
    if ((rc = unit_json(db, unit, today_of(), &u)))
        goto out;
    const char *existing = json_str(json_object_get(u, "filing"), "number");
    if (!number || !*number)
        number = existing;
    if (!number) {
        snprintf(generated, sizeof generated, "%s-%.4s-%06lld", json_str(f, "province"), today,
                 unit);
        number = generated;
    }
    if ((rc = decide(db, ax, filing_id, reviewer_org, "approved", NULL, NULL, number, comment)))
        goto out;
    if (!strcmp(kind, "retire"))
        rc = run_unit_update(db, SQL_RETIRE_UNIT, unit, now, NULL, NULL);
    else
        rc = run_unit_update(db, SQL_APPROVE_UNIT, unit, number, today, now);
    if (!rc) {
        json_t *after = json_pack("{s:s,s:s,s:s}", "decision", "approved", "kind", kind,
                                  "filing_number", number);
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", filing_id);
        rc = audit_append(db, ax, "filing.approve", "filing", idbuf, org, NULL, after);
        json_decref(after);
    }
    if (!rc)
        rc = duty_refresh(db, "unit", unit);
out:
    json_decref(u);
    json_decref(f);
    return rc;
}

/* Each reason names a field of the submitted snapshot, or "other". */
static enum err check_reasons(json_t *reasons, json_t *snapshot)
{
    if (!json_is_array(reasons) || !json_array_size(reasons))
        return errf(ERR_VALIDATION, "reasons", "退回须逐项说明原因（字段和原因）");
    size_t i;
    json_t *e;
    json_array_foreach (reasons, i, e) {
        const char *field = json_str(e, "field"), *reason = json_str(e, "reason");
        if (!json_is_object(e) || json_object_size(e) != 2 || !field || !reason || !*reason ||
            strlen(field) > 64 || strlen(reason) > 2000)
            return errf(ERR_VALIDATION, "reasons", "第 %zu 条退回原因应为 {field, reason}", i + 1);
        if (strcmp(field, "other") && !json_object_get(snapshot, field))
            return errf(ERR_VALIDATION, "reasons", "第 %zu 条退回原因的字段 %s 不在备案内容中",
                        i + 1, field);
    }
    return ERR_OK;
}

enum err filing_return(struct db *db, const struct audit_ctx *ax, long long filing_id,
                       long long reviewer_org, json_t *reasons, const char *due,
                       const char *comment)
{
    json_t *f;
    enum err rc = filing_json(db, filing_id, 1, &f);
    if (rc)
        return rc;
    if ((rc = check_reasons(reasons, json_object_get(f, "snapshot")))) {
        json_decref(f);
        return rc;
    }
    long long unit = id_parse(json_str(f, "unit_id")), org = id_parse(json_str(f, "org_id"));
    const char *kind = json_str(f, "kind");
    char due_buf[11], now[40];
    struct date today = today_of(), d;
    time_now_iso(now);
    if (due) {
        if (date_parse(due, &d) || date_cmp(d, today) < 0) {
            rc = errf(ERR_VALIDATION, "due_date", "补正期限应为今天或以后的日期");
            goto out;
        }
    } else {
        d = date_add_days(today, duty_ruleset_default()->correction_days);
    }
    date_format(d, due_buf);
    char *reasons_s = json_canonical(reasons);
    rc = decide(db, ax, filing_id, reviewer_org, "returned", reasons_s, due_buf, NULL, comment);
    free(reasons_s);
    /* A returned change or retirement leaves the unit filed with its change still pending. */
    if (!rc)
        rc =
            run_unit_update(db, SQL_RETURN_UNIT, unit,
                            !strcmp(kind, "initial") ? "returned" : "change_pending", due_buf, now);
    if (!rc) {
        json_t *after = json_pack("{s:s,s:O,s:s}", "decision", "returned", "reasons", reasons,
                                  "correction_due", due_buf);
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", filing_id);
        rc = audit_append(db, ax, "filing.return", "filing", idbuf, org, NULL, after);
        json_decref(after);
    }
    if (!rc)
        rc = duty_refresh(db, "unit", unit);
out:
    json_decref(f);
    return rc;
}

static const char SQL_MLPS[] =
    "UPDATE units SET mlps_info_level = $2, mlps_service_level = $3, mlps_level = $4, "
    "mlps_harms = $5, mlps_graded_at = $6, mlps_police_filing_no = $7, mlps_police_org = $8, "
    "mlps_police_filing_date = $9, updated_at = $10 WHERE id = $1";

static enum err parse_harms(json_t *arr, const char *field, struct mlps_harm *out, size_t *n)
{
    size_t i;
    json_t *e;
    *n = 0;
    if (!json_is_array(arr) || !json_array_size(arr))
        return errf(ERR_VALIDATION, field, "至少选择一项受侵害的客体和侵害程度");
    if (json_array_size(arr) > 9)
        return errf(ERR_VALIDATION, field, "受侵害的客体最多 9 项");
    json_array_foreach (arr, i, e) {
        if (!json_is_string(e) || mlps_parse_harm(json_string_value(e), &out[i]))
            return errf(ERR_VALIDATION, field,
                        "第 %zu 项应为 客体:程度（rights|order|nation : "
                        "general|serious|grave）",
                        i + 1);
        (*n)++;
    }
    return ERR_OK;
}

enum err unit_mlps_set(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    struct mlps_harm info[9], service[9];
    size_t ni, ns;
    struct mlps_result res;
    json_t *before = NULL;
    enum err rc = parse_harms(json_object_get(in, "info"), "info", info, &ni);
    if (rc || (rc = parse_harms(json_object_get(in, "service"), "service", service, &ns)) ||
        (rc = mlps_grade(info, ni, service, ns, &res)) ||
        (rc = unit_json(db, id, today_of(), &before)))
        return rc;
    json_t *harms = json_pack("{s:O,s:O}", "info", json_object_get(in, "info"), "service",
                              json_object_get(in, "service"));
    char *harms_s = json_canonical(harms), now[40];
    json_decref(harms);
    time_now_iso(now);
    struct db_stmt *s;
    if (!(rc = db_prepare(db, SQL_MLPS, &s))) {
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, res.info_level);
        db_bind_int(s, 3, res.service_level);
        db_bind_int(s, 4, res.level);
        db_bind_text(s, 5, harms_s);
        db_bind_text(s, 6, now);
        db_bind_text(s, 7, json_str(in, "police_filing_no"));
        db_bind_text(s, 8, json_str(in, "police_org"));
        db_bind_text(s, 9, json_str(in, "police_filing_date"));
        db_bind_text(s, 10, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    free(harms_s);
    if (!rc)
        rc = audit_unit(db, ax, "unit.mlps", id, id_parse(json_str(before, "org_id")), before);
    json_decref(before);
    return rc;
}

static const char SQL_MLPS_ADD[] =
    "INSERT INTO mlps_assessments (unit_id, assessed_on, agency, result, score, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

enum err unit_mlps_assessment_add(struct db *db, const struct audit_ctx *ax, long long id,
                                  json_t *in, long long *aid)
{
    const char *on = json_str(in, "assessed_on"), *result = json_str(in, "result");
    struct date d;
    if (date_parse(on, &d) || date_cmp(d, today_of()) > 0)
        return errf(ERR_VALIDATION, "assessed_on", "测评日期不能晚于今天");
    if (strcmp(result, "pass") && strcmp(result, "fail"))
        return errf(ERR_VALIDATION, "result", "测评结论应为 pass（通过）或 fail（未通过）");
    json_t *score = json_object_get(in, "score");
    char score_s[32] = "";
    if (json_is_number(score)) {
        double v = json_number_value(score);
        if (v < 0 || v > 100)
            return errf(ERR_VALIDATION, "score", "测评得分应在 0 至 100 之间");
        snprintf(score_s, sizeof score_s, "%.2f", v);
    }
    long long org;
    enum err rc = unit_org(db, id, &org);
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if (rc || (rc = db_prepare(db, SQL_MLPS_ADD, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, on);
    db_bind_text(s, 3, json_str(in, "agency"));
    db_bind_text(s, 4, result);
    db_bind_text(s, 5, *score_s ? score_s : NULL);
    db_bind_text(s, 6, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *aid = db_int(s, 0);
    db_done(s);
    if (!rc) {
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", id);
        rc = audit_append(db, ax, "unit.mlps_assessment", "unit", idbuf, org, NULL, in);
    }
    return rc;
}

static const char SQL_CII[] =
    "UPDATE units SET cii = $2, cii_authority = $3, cii_date = $4, updated_at = $5 WHERE id = $1";

enum err unit_cii_set(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    int flag = json_is_true(json_object_get(in, "cii"));
    const char *auth = json_str(in, "authority"), *date = json_str(in, "date");
    if (flag && (!auth || !*auth))
        return errf(ERR_VALIDATION, "authority", "认定为关键信息基础设施须填写认定部门");
    if (flag && !date)
        return errf(ERR_VALIDATION, "date", "认定为关键信息基础设施须填写认定日期");
    json_t *before;
    enum err rc = unit_json(db, id, today_of(), &before);
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if (rc)
        return rc;
    if (!(rc = db_prepare(db, SQL_CII, &s))) {
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, flag);
        db_bind_text(s, 3, flag ? auth : NULL);
        db_bind_text(s, 4, flag ? date : NULL);
        db_bind_text(s, 5, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc)
        rc = audit_unit(db, ax, "unit.cii", id, id_parse(json_str(before, "org_id")), before);
    json_decref(before);
    return rc;
}

static const char SQL_ASSET_ADD[] =
    "INSERT INTO unit_assets (unit_id, name, kind, vendor, model, software_version, location, "
    "created_at) VALUES ($1, $2, COALESCE($3, ''), COALESCE($4, ''), COALESCE($5, ''), "
    "COALESCE($6, ''), COALESCE($7, ''), $8) RETURNING id";

enum err unit_asset_add(struct db *db, const struct audit_ctx *ax, long long id, json_t *in,
                        long long *aid)
{
    long long org;
    enum err rc = unit_org(db, id, &org);
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if (rc || (rc = db_prepare(db, SQL_ASSET_ADD, &s)))
        return rc;
    db_bind_int(s, 1, id);
    static const char *const cols[] = {"name",    "kind", "vendor", "model", "software_version",
                                       "location"};
    for (int i = 0; i < 6; i++)
        db_bind_text(s, 2 + i, json_str(in, cols[i]));
    db_bind_text(s, 8, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *aid = db_int(s, 0);
    db_done(s);
    if (!rc) {
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", *aid);
        rc = audit_append(db, ax, "unit.asset_add", "unit_asset", idbuf, org, NULL, in);
    }
    return rc;
}

static const char SQL_ASSET_DEL[] = "DELETE FROM unit_assets WHERE id = $1 AND unit_id = $2";

enum err unit_asset_delete(struct db *db, const struct audit_ctx *ax, long long id, long long aid)
{
    long long org;
    enum err rc = unit_org(db, id, &org);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(db, SQL_ASSET_DEL, &s)))
        return rc;
    db_bind_int(s, 1, aid);
    db_bind_int(s, 2, id);
    int row;
    rc = db_step(s, &row);
    long long n = db_changes(s);
    db_done(s);
    if (!rc && !n)
        return errf(ERR_NOT_FOUND, NULL, "资产不存在");
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", aid);
    return rc ? rc
              : audit_append(db, ax, "unit.asset_delete", "unit_asset", idbuf, org, NULL, NULL);
}
