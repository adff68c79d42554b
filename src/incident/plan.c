/* Emergency plans (应急预案) with their versions, and drills (演练) with their rectification
 * items (seed 000 §七, R5), plus the yearly counts the annual report quotes (附件5 “五”). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "assess/upload.h"
#include "audit/audit.h"
#include "duty/duty.h"
#include "incident.h"
#include "internal.h"
#include "json.h"
#include "store/store.h"
#include "timeutil.h"

static const char *actor(const struct audit_ctx *ax)
{
    return ax->actor_name ? ax->actor_name : "system";
}

static enum err audit_of(struct db *db, const struct audit_ctx *ax, const char *action,
                         const char *entity, long long id, long long org, json_t *before,
                         json_t *after)
{
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    return audit_append(db, ax, action, entity, idbuf, org, before, after);
}

/* A date field that may not lie after today: NULL when absent or null. */
static enum err past_date(json_t *in, const char *key, const char *label, const char **out)
{
    struct date d;
    *out = json_str(in, key);
    if (!*out || !**out) {
        *out = NULL;
        return ERR_OK;
    }
    if (date_parse(*out, &d))
        return errf(ERR_VALIDATION, key, "%s应为 YYYY-MM-DD 格式的日期", label);
    if (date_cmp(d, date_today_shanghai()) > 0)
        return errf(ERR_VALIDATION, key, "%s不能晚于今天", label);
    return ERR_OK;
}

static json_t *id_json(long long id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", id);
    return json_string(buf);
}

/* ---- plans ---- */

static const char SQL_PLAN[] =
    "SELECT p.id, p.org_id, o.name, p.title, p.scope, p.created_by, p.created_at, p.updated_at "
    "FROM emergency_plans p JOIN orgs o ON o.id = p.org_id WHERE p.id = $1";
static const char SQL_VERSIONS[] =
    "SELECT v.id, v.version, v.approved_on, v.file_id, f.name, v.notes, v.created_by, "
    "v.created_at, v.updated_at FROM emergency_plan_versions v "
    "LEFT JOIN files f ON f.sm3 = v.file_id AND f.org_id = v.org_id WHERE v.plan_id = $1 "
    "ORDER BY v.id DESC";

static json_t *version_row_json(struct db_stmt *s)
{
    json_t *file = db_null(s, 3) ? json_null()
                                 : json_pack("{s:s,s:o}", "id", db_text(s, 3), "name",
                                             json_str_or_null(db_text(s, 4)));
    return json_pack("{s:o,s:s,s:o,s:o,s:s,s:s,s:s,s:s}", "id", id_json(db_int(s, 0)), "version",
                     db_text(s, 1), "approved_on", json_str_or_null(db_text(s, 2)), "file", file,
                     "notes", db_text(s, 5), "created_by", db_text(s, 6), "created_at",
                     db_text(s, 7), "updated_at", db_text(s, 8));
}

/* The current version: approved, with the latest approval date (the later record on a tie). */
static json_t *current_of(json_t *versions)
{
    json_t *best = NULL, *v;
    size_t i;
    json_array_foreach (versions, i, v) {
        const char *on = json_str(v, "approved_on");
        if (!on)
            continue;
        /* versions are newest first: only a strictly later date replaces an earlier pick */
        if (!best || strcmp(on, json_str(best, "approved_on")) > 0)
            best = v;
    }
    return best ? json_incref(best) : json_null();
}

enum err plan_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_PLAN, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *p = NULL;
    if (!(rc = db_step(s, &row)) && row)
        p = json_pack("{s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id_json(db_int(s, 0)), "org_id",
                      id_json(db_int(s, 1)), "org_name", db_text(s, 2), "title", db_text(s, 3),
                      "scope", db_text(s, 4), "created_by", db_text(s, 5), "created_at",
                      db_text(s, 6), "updated_at", db_text(s, 7));
    db_done(s);
    if (rc || !p)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "应急预案不存在");
    json_t *versions = json_array();
    if (!(rc = db_prepare(db, SQL_VERSIONS, &s))) {
        db_bind_int(s, 1, id);
        while (!(rc = db_step(s, &row)) && row)
            json_array_append_new(versions, version_row_json(s));
        db_done(s);
    }
    json_object_set_new(p, "current", current_of(versions));
    json_object_set_new(p, "versions", versions);
    if (rc) {
        json_decref(p);
        return rc;
    }
    *out = p;
    return ERR_OK;
}

static enum err org_of(struct db *db, const char *sql, long long id, const char *what,
                       long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "%s不存在", what);
    return rc;
}

static const char SQL_PLAN_ORG[] = "SELECT org_id FROM emergency_plans WHERE id = $1";

enum err plan_org(struct db *db, long long id, long long *org_id)
{
    return org_of(db, SQL_PLAN_ORG, id, "应急预案", org_id);
}

static const char SQL_PLAN_INSERT[] =
    "INSERT INTO emergency_plans (org_id, title, scope, created_by, created_at, updated_at) "
    "VALUES ($1, $2, COALESCE($3, ''), $4, $5, $5) RETURNING id";

enum err plan_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                     long long *id)
{
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_PLAN_INSERT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, json_str(in, "title"));
    db_bind_text(s, 3, json_str(in, "scope"));
    db_bind_text(s, 4, actor(ax));
    db_bind_text(s, 5, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    json_t *after;
    if (rc || (rc = plan_json(db, *id, &after)))
        return rc;
    rc = audit_of(db, ax, "plan.create", "emergency_plan", *id, org_id, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_PLAN_UPDATE[] =
    "UPDATE emergency_plans SET title = COALESCE($2, title), scope = COALESCE($3, scope), "
    "updated_at = $4 WHERE id = $1";

enum err plan_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before, *after = NULL;
    enum err rc = plan_json(db, id, &before);
    if (rc)
        return rc;
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    if (!(rc = db_prepare(db, SQL_PLAN_UPDATE, &s))) {
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, json_str(in, "title"));
        db_bind_text(s, 3,
                     json_has(in, "scope") && !json_str(in, "scope") ? "" : json_str(in, "scope"));
        db_bind_text(s, 4, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc && !(rc = plan_json(db, id, &after)))
        rc = audit_of(db, ax, "plan.update", "emergency_plan", id,
                      id_parse(json_str(before, "org_id")), before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

static const char SQL_VERSION_DUP[] =
    "SELECT COUNT(*) FROM emergency_plan_versions WHERE plan_id = $1 AND version = $2";
static const char SQL_VERSION_INSERT[] =
    "INSERT INTO emergency_plan_versions (plan_id, org_id, version, approved_on, file_id, notes, "
    "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, COALESCE($6, ''), $7, $8, "
    "$8) RETURNING id";

enum err plan_version_add(struct db *db, const struct audit_ctx *ax, long long plan_id, json_t *in,
                          const struct file_meta *file, long long *version_id)
{
    long long org, n;
    const char *label = json_str(in, "version"), *approved;
    struct db_stmt *s;
    enum err rc = plan_org(db, plan_id, &org);
    if (rc || (rc = past_date(in, "approved_on", "批准日期", &approved)) ||
        (rc = db_prepare(db, SQL_VERSION_DUP, &s)))
        return rc;
    db_bind_int(s, 1, plan_id);
    db_bind_text(s, 2, label);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (n)
        return errf(ERR_CONFLICT, "version", "该预案已有版本号为“%s”的版本", label);
    if (file && (rc = incident_hold_file(db, ax, org, file)))
        return rc;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_VERSION_INSERT, &s)))
        return rc;
    db_bind_int(s, 1, plan_id);
    db_bind_int(s, 2, org);
    db_bind_text(s, 3, label);
    db_bind_text(s, 4, approved);
    db_bind_text(s, 5, file ? file->sm3 : NULL);
    db_bind_text(s, 6, json_str(in, "notes"));
    db_bind_text(s, 7, actor(ax));
    db_bind_text(s, 8, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *version_id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    json_t *after = json_pack("{s:I,s:s,s:o,s:o}", "version_id", (json_int_t)*version_id, "version",
                              label, "approved_on", json_str_or_null(approved), "file_id",
                              json_str_or_null(file ? file->sm3 : NULL));
    rc = audit_of(db, ax, "plan.version_add", "emergency_plan", plan_id, org, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_VERSION_ONE[] =
    "SELECT approved_on, file_id, notes, version FROM emergency_plan_versions "
    "WHERE id = $1 AND plan_id = $2";
static const char SQL_VERSION_UPDATE[] =
    "UPDATE emergency_plan_versions SET approved_on = $2, file_id = $3, notes = $4, "
    "updated_at = $5 WHERE id = $1";

enum err plan_version_update(struct db *db, const struct audit_ctx *ax, long long plan_id,
                             long long version_id, json_t *in, int set_file,
                             const struct file_meta *file)
{
    long long org;
    struct db_stmt *s;
    json_t *before = NULL;
    const char *approved;
    enum err rc = plan_org(db, plan_id, &org);
    if (rc || (rc = past_date(in, "approved_on", "批准日期", &approved)) ||
        (rc = db_prepare(db, SQL_VERSION_ONE, &s)))
        return rc;
    db_bind_int(s, 1, version_id);
    db_bind_int(s, 2, plan_id);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        before = json_pack("{s:o,s:o,s:s,s:s}", "approved_on", json_str_or_null(db_text(s, 0)),
                           "file_id", json_str_or_null(db_text(s, 1)), "notes", db_text(s, 2),
                           "version", db_text(s, 3));
    db_done(s);
    if (!rc && !before)
        return errf(ERR_NOT_FOUND, NULL, "预案版本不存在");
    if (rc)
        return rc;
    json_t *after = json_deep_copy(before);
    if (json_has(in, "approved_on"))
        json_object_set_new(after, "approved_on", json_str_or_null(approved));
    if (json_has(in, "notes"))
        json_object_set_new(after, "notes",
                            json_string(json_str(in, "notes") ? json_str(in, "notes") : ""));
    if (set_file)
        json_object_set_new(after, "file_id", json_str_or_null(file ? file->sm3 : NULL));
    if (file)
        rc = incident_hold_file(db, ax, org, file);
    char now[40];
    time_now_iso(now);
    if (!rc && !(rc = db_prepare(db, SQL_VERSION_UPDATE, &s))) {
        db_bind_int(s, 1, version_id);
        db_bind_text(s, 2, json_str(after, "approved_on"));
        db_bind_text(s, 3, json_str(after, "file_id"));
        db_bind_text(s, 4, json_str(after, "notes"));
        db_bind_text(s, 5, now);
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc) {
        json_object_set_new(after, "version_id", json_integer(version_id));
        rc = audit_of(db, ax, "plan.version_update", "emergency_plan", plan_id, org, before, after);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- drills ---- */

static const char SQL_DRILL[] =
    "SELECT d.id, d.org_id, o.name, d.drill_date, d.scenario, d.plan_id, p.title, "
    "d.plan_version_id, v.version, v.approved_on, d.participants, d.findings, d.created_by, "
    "d.created_at, d.updated_at FROM drills d JOIN orgs o ON o.id = d.org_id "
    "LEFT JOIN emergency_plans p ON p.id = d.plan_id "
    "LEFT JOIN emergency_plan_versions v ON v.id = d.plan_version_id WHERE d.id = $1";
static const char SQL_ITEMS[] =
    "SELECT id, description, owner, due_date, status, done_on, created_at, updated_at "
    "FROM drill_items WHERE drill_id = $1 ORDER BY id";

static json_t *item_row_json(struct db_stmt *s, struct date today)
{
    const char *status = db_text(s, 4);
    struct date due;
    const char *state = !strcmp(status, "done")           ? "done"
                        : date_parse(db_text(s, 3), &due) ? "upcoming"
                                                          : duty_status(due, today);
    return json_pack(
        "{s:o,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s}", "id", id_json(db_int(s, 0)), "description",
        db_text(s, 1), "owner", db_text(s, 2), "due_date", db_text(s, 3), "status", status,
        "status_name", !strcmp(status, "done") ? "已整改" : "整改中", "done_on",
        json_str_or_null(db_text(s, 5)), "state", state, "state_name", duty_state_name(state),
        "created_at", db_text(s, 6), "updated_at", db_text(s, 7));
}

enum err drill_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DRILL, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *d = NULL;
    if (!(rc = db_step(s, &row)) && row) {
        json_t *participants = json_loads(db_text(s, 10), 0, NULL);
        json_t *plan = db_null(s, 5) ? json_null()
                                     : json_pack("{s:o,s:s}", "id", id_json(db_int(s, 5)), "title",
                                                 db_text(s, 6));
        json_t *version = db_null(s, 7) ? json_null()
                                        : json_pack("{s:o,s:s,s:o}", "id", id_json(db_int(s, 7)),
                                                    "version", db_text(s, 8), "approved_on",
                                                    json_str_or_null(db_text(s, 9)));
        d = json_pack(
            "{s:o,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:s}", "id", id_json(db_int(s, 0)),
            "org_id", id_json(db_int(s, 1)), "org_name", db_text(s, 2), "drill_date", db_text(s, 3),
            "scenario", db_text(s, 4), "plan", plan, "plan_version", version, "participants",
            participants ? participants : json_array(), "findings", db_text(s, 11), "created_by",
            db_text(s, 12), "created_at", db_text(s, 13), "updated_at", db_text(s, 14));
    }
    db_done(s);
    if (rc || !d)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "演练记录不存在");
    json_t *items = json_array();
    long long open = 0;
    struct date today = date_today_shanghai();
    if (!(rc = db_prepare(db, SQL_ITEMS, &s))) {
        db_bind_int(s, 1, id);
        while (!(rc = db_step(s, &row)) && row) {
            open += strcmp(db_text(s, 4), "done") != 0;
            json_array_append_new(items, item_row_json(s, today));
        }
        db_done(s);
    }
    json_object_set_new(d, "items", items);
    json_object_set_new(d, "open_items", json_integer(open));
    if (rc) {
        json_decref(d);
        return rc;
    }
    *out = d;
    return ERR_OK;
}

static const char SQL_DRILL_ORG[] = "SELECT org_id FROM drills WHERE id = $1";

enum err drill_org(struct db *db, long long id, long long *org_id)
{
    return org_of(db, SQL_DRILL_ORG, id, "演练记录", org_id);
}

static const char SQL_PLAN_OF_ORG[] =
    "SELECT COUNT(*) FROM emergency_plans WHERE id = $1 AND org_id = $2";
static const char SQL_VERSION_OF_PLAN[] =
    "SELECT COUNT(*) FROM emergency_plan_versions WHERE id = $1 AND plan_id = $2";
/* The version in force on the drill date: approved by then, the latest approval. */
static const char SQL_VERSION_ON[] =
    "SELECT id FROM emergency_plan_versions WHERE plan_id = $1 AND approved_on IS NOT NULL "
    "AND approved_on <= $2 ORDER BY approved_on DESC, id DESC LIMIT 1";

static enum err count2(struct db *db, const char *sql, long long a, long long b, long long *n)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, a);
    db_bind_int(s, 2, b);
    return db_scalar_int(s, 0, n);
}

/* A drill's values after validation. */
struct drill_values {
    const char *date, *scenario, *findings;
    long long plan_id, version_id; /* 0: none */
    char *participants;            /* canonical JSON, malloc'd */
};

static enum err check_participants(json_t *p)
{
    size_t i;
    json_t *e;
    if (!p || json_is_null(p))
        return ERR_OK;
    if (!json_is_array(p) || json_array_size(p) > 200)
        return errf(ERR_VALIDATION, "participants", "参演人员应为字符串数组（最多 200 项）");
    json_array_foreach (p, i, e) {
        const char *v = json_string_value(e);
        if (!v || !*v || strlen(v) > 200 || strlen(v) != json_string_length(e))
            return errf(ERR_VALIDATION, "participants",
                        "第 %zu 个参演人员应为 1 至 200 字节的字符串", i + 1);
    }
    return ERR_OK;
}

/* Validates the merged drill m of organisation org_id. version_given: m names the version. */
static enum err check_drill(struct db *db, long long org_id, json_t *m, int version_given,
                            struct drill_values *v)
{
    enum err rc;
    memset(v, 0, sizeof *v);
    if ((rc = past_date(m, "drill_date", "演练日期", &v->date)))
        return rc;
    if (!v->date)
        return errf(ERR_VALIDATION, "drill_date", "缺少演练日期");
    v->scenario = json_str(m, "scenario");
    if (!v->scenario || !*v->scenario)
        return errf(ERR_VALIDATION, "scenario", "演练场景不能为空");
    v->findings = json_str(m, "findings");
    json_t *plan = json_object_get(m, "plan_id"), *version = json_object_get(m, "plan_version_id");
    v->plan_id = json_is_string(plan) ? id_parse(json_string_value(plan)) : 0;
    v->version_id = json_is_string(version) ? id_parse(json_string_value(version)) : 0;
    long long n = 0;
    if (v->plan_id && (rc = count2(db, SQL_PLAN_OF_ORG, v->plan_id, org_id, &n)))
        return rc;
    if (v->plan_id && !n)
        return errf(ERR_NOT_FOUND, "plan_id", "应急预案不存在或不属于演练所属单位");
    if (v->version_id && !v->plan_id)
        return errf(ERR_VALIDATION, "plan_id", "指定预案版本时须指定应急预案");
    if (v->version_id && (rc = count2(db, SQL_VERSION_OF_PLAN, v->version_id, v->plan_id, &n)))
        return rc;
    if (v->version_id && !n)
        return errf(ERR_NOT_FOUND, "plan_version_id", "预案版本不存在或不属于所选应急预案");
    if (v->plan_id && !version_given) {
        struct db_stmt *s;
        if ((rc = db_prepare(db, SQL_VERSION_ON, &s)))
            return rc;
        db_bind_int(s, 1, v->plan_id);
        db_bind_text(s, 2, v->date);
        if ((rc = db_scalar_int(s, 0, &v->version_id)))
            return rc;
    }
    json_t *p = json_object_get(m, "participants");
    if ((rc = check_participants(p)))
        return rc;
    v->participants = json_is_array(p) ? json_canonical(p) : xstrdup("[]");
    return ERR_OK;
}

static const char SQL_ITEM_INSERT[] =
    "INSERT INTO drill_items (drill_id, org_id, description, owner, due_date, status, done_on, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";

/* Checks one rectification item ({description, owner, due_date[, status, done_on]}); label
 * names it in messages. The error names field, or the item's own key when field is NULL. */
static enum err check_item(json_t *it, const char *field, const char *label)
{
    static const char *const keys[] = {"description", "owner", "due_date", "status", "done_on"};
    const char *key;
    json_t *val;
    struct date d;
#define AT(k) (field ? field : (k))
    if (!json_is_object(it))
        return errf(ERR_VALIDATION, AT("items"), "%s应为对象 {description, owner, due_date}",
                    label);
    json_object_foreach (it, key, val) {
        int known = 0;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= !strcmp(key, keys[i]);
        if (!known)
            return errf(ERR_VALIDATION, AT(key), "%s含有不允许的字段：%s", label, key);
        if (!json_is_null(val) && !json_is_string(val))
            return errf(ERR_VALIDATION, AT(key), "%s的 %s 应为字符串", label, key);
    }
    const char *desc = json_str(it, "description"), *owner = json_str(it, "owner");
    const char *status = json_str(it, "status"), *done = json_str(it, "done_on");
    if (!desc || !*desc || strlen(desc) > 2000)
        return errf(ERR_VALIDATION, AT("description"), "%s的整改内容不能为空（最多 2000 字节）",
                    label);
    if (!owner || !*owner || strlen(owner) > 200)
        return errf(ERR_VALIDATION, AT("owner"), "%s的责任人不能为空（最多 200 字节）", label);
    if (date_parse(json_str(it, "due_date"), &d))
        return errf(ERR_VALIDATION, AT("due_date"), "%s的整改期限应为 YYYY-MM-DD 格式的日期",
                    label);
    if (status && strcmp(status, "open") && strcmp(status, "done"))
        return errf(ERR_VALIDATION, AT("status"), "%s的状态应为 open（整改中）或 done（已整改）",
                    label);
    if (done && (date_parse(done, &d) || date_cmp(d, date_today_shanghai()) > 0))
        return errf(ERR_VALIDATION, AT("done_on"), "%s的完成日期应为不晚于今天的日期", label);
#undef AT
    return ERR_OK;
}

static enum err insert_item(struct db *db, long long drill_id, long long org, json_t *it,
                            long long *item_id)
{
    char now[40], today[11];
    time_now_iso(now);
    date_format(date_today_shanghai(), today);
    const char *status = json_str(it, "status") ? json_str(it, "status") : "open";
    const char *done = !strcmp(status, "done")
                           ? (json_str(it, "done_on") ? json_str(it, "done_on") : today)
                           : NULL;
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ITEM_INSERT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, drill_id);
    db_bind_int(s, 2, org);
    db_bind_text(s, 3, json_str(it, "description"));
    db_bind_text(s, 4, json_str(it, "owner"));
    db_bind_text(s, 5, json_str(it, "due_date"));
    db_bind_text(s, 6, status);
    db_bind_text(s, 7, done);
    db_bind_text(s, 8, now);
    int row;
    if (!(rc = db_step(s, &row)) && row && item_id)
        *item_id = db_int(s, 0);
    db_done(s);
    return rc;
}

static const char SQL_DRILL_INSERT[] =
    "INSERT INTO drills (org_id, drill_date, scenario, plan_id, plan_version_id, participants, "
    "findings, created_by, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, ''), $8, $9, $9) RETURNING id";

static void bind_opt_id(struct db_stmt *s, int idx, long long id)
{
    if (id > 0)
        db_bind_int(s, idx, id);
    else
        db_bind_null(s, idx);
}

static enum err audit_drill(struct db *db, const struct audit_ctx *ax, const char *action,
                            long long id, long long org, json_t *before)
{
    json_t *after;
    enum err rc = drill_json(db, id, &after);
    if (rc)
        return rc;
    rc = audit_of(db, ax, action, "drill", id, org, before, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "drill", id);
}

enum err drill_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                      long long *id)
{
    struct drill_values v;
    json_t *items = json_object_get(in, "items"), *it;
    size_t i;
    enum err rc = check_drill(db, org_id, in, json_has(in, "plan_version_id"), &v);
    if (rc)
        return rc;
    json_array_foreach (items, i, it) {
        char label[48];
        snprintf(label, sizeof label, "第 %zu 项整改", i + 1);
        if ((rc = check_item(it, "items", label)))
            goto out;
    }
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_DRILL_INSERT, &s)))
        goto out;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, v.date);
    db_bind_text(s, 3, v.scenario);
    bind_opt_id(s, 4, v.plan_id);
    bind_opt_id(s, 5, v.version_id);
    db_bind_text(s, 6, v.participants);
    db_bind_text(s, 7, v.findings);
    db_bind_text(s, 8, actor(ax));
    db_bind_text(s, 9, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    json_array_foreach (items, i, it) {
        if (rc)
            break;
        rc = insert_item(db, *id, org_id, it, NULL);
    }
    if (!rc)
        rc = audit_drill(db, ax, "drill.create", *id, org_id, NULL);
out:
    free(v.participants);
    return rc;
}

static const char SQL_DRILL_UPDATE[] =
    "UPDATE drills SET drill_date = $2, scenario = $3, plan_id = $4, plan_version_id = $5, "
    "participants = $6, findings = COALESCE($7, ''), updated_at = $8 WHERE id = $1";

enum err drill_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before;
    struct drill_values v = {0};
    enum err rc = drill_json(db, id, &before);
    if (rc)
        return rc;
    long long org = id_parse(json_str(before, "org_id"));
    json_t *m = json_pack("{s:O,s:O,s:O,s:O}", "drill_date", json_object_get(before, "drill_date"),
                          "scenario", json_object_get(before, "scenario"), "participants",
                          json_object_get(before, "participants"), "findings",
                          json_object_get(before, "findings"));
    json_t *plan = json_object_get(before, "plan"),
           *version = json_object_get(before, "plan_version");
    json_object_set(m, "plan_id", json_object_get(plan, "id"));
    /* A new plan without a version named takes the plan's version in force on the drill date. */
    int version_given = !json_has(in, "plan_id") || json_has(in, "plan_version_id");
    if (!json_has(in, "plan_id"))
        json_object_set(m, "plan_version_id", json_object_get(version, "id"));
    json_object_update(m, in);
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    if (!(rc = check_drill(db, org, m, version_given, &v)) &&
        !(rc = db_prepare(db, SQL_DRILL_UPDATE, &s))) {
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, v.date);
        db_bind_text(s, 3, v.scenario);
        bind_opt_id(s, 4, v.plan_id);
        bind_opt_id(s, 5, v.version_id);
        db_bind_text(s, 6, v.participants);
        db_bind_text(s, 7, v.findings);
        db_bind_text(s, 8, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc)
        rc = audit_drill(db, ax, "drill.update", id, org, before);
    free(v.participants);
    json_decref(m);
    json_decref(before);
    return rc;
}

enum err drill_item_add(struct db *db, const struct audit_ctx *ax, long long drill_id, json_t *in,
                        long long *item_id)
{
    json_t *before;
    enum err rc = check_item(in, NULL, "整改项");
    if (rc || (rc = drill_json(db, drill_id, &before)))
        return rc;
    long long org = id_parse(json_str(before, "org_id"));
    if (!(rc = insert_item(db, drill_id, org, in, item_id)))
        rc = audit_drill(db, ax, "drill.item_add", drill_id, org, before);
    json_decref(before);
    return rc;
}

static const char SQL_ITEM_ONE[] =
    "SELECT description, owner, due_date, status, done_on FROM drill_items "
    "WHERE id = $1 AND drill_id = $2";
static const char SQL_ITEM_UPDATE[] =
    "UPDATE drill_items SET description = $2, owner = $3, due_date = $4, status = $5, "
    "done_on = $6, updated_at = $7 WHERE id = $1";

enum err drill_item_update(struct db *db, const struct audit_ctx *ax, long long drill_id,
                           long long item_id, json_t *in)
{
    struct db_stmt *s;
    json_t *m = NULL, *before = NULL;
    enum err rc = db_prepare(db, SQL_ITEM_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, item_id);
    db_bind_int(s, 2, drill_id);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        m = json_pack("{s:s,s:s,s:s,s:s,s:o}", "description", db_text(s, 0), "owner", db_text(s, 1),
                      "due_date", db_text(s, 2), "status", db_text(s, 3), "done_on",
                      json_str_or_null(db_text(s, 4)));
    db_done(s);
    if (!rc && !m)
        return errf(ERR_NOT_FOUND, NULL, "整改项不存在");
    if (rc)
        return rc;
    json_object_update(m, in);
    /* done_on follows the status: today when it becomes done unless given, none when open. */
    char today[11];
    date_format(date_today_shanghai(), today);
    const char *status = json_str(m, "status");
    if (status && !strcmp(status, "open"))
        json_object_set_new(m, "done_on", json_null());
    else if (status && !strcmp(status, "done") && !json_str(m, "done_on"))
        json_object_set_new(m, "done_on", json_string(today));
    if ((rc = check_item(m, NULL, "整改项")) || (rc = drill_json(db, drill_id, &before)))
        goto out;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_ITEM_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, item_id);
    db_bind_text(s, 2, json_str(m, "description"));
    db_bind_text(s, 3, json_str(m, "owner"));
    db_bind_text(s, 4, json_str(m, "due_date"));
    db_bind_text(s, 5, json_str(m, "status"));
    db_bind_text(s, 6, json_str(m, "done_on"));
    db_bind_text(s, 7, now);
    rc = db_step(s, &row);
    db_done(s);
    if (!rc)
        rc = audit_drill(db, ax, "drill.item_update", drill_id,
                         id_parse(json_str(before, "org_id")), before);
out:
    json_decref(before);
    json_decref(m);
    return rc;
}

/* ---- counts for the annual report ---- */

static const char SQL_YEAR_COUNTS[] =
    "SELECT (SELECT COUNT(DISTINCT v.plan_id) FROM emergency_plan_versions v WHERE v.org_id = $1 "
    "AND v.approved_on IS NOT NULL AND v.approved_on <= $3), "
    "(SELECT COUNT(DISTINCT v.plan_id) FROM emergency_plan_versions v WHERE v.org_id = $1 "
    "AND v.approved_on >= $2 AND v.approved_on <= $3), "
    "(SELECT COUNT(*) FROM drills d WHERE d.org_id = $1 AND d.drill_date >= $2 "
    "AND d.drill_date <= $3), "
    "(SELECT COUNT(*) FROM drill_items t JOIN drills d ON d.id = t.drill_id WHERE d.org_id = $1 "
    "AND d.drill_date >= $2 AND d.drill_date <= $3), "
    "(SELECT COUNT(*) FROM drill_items t JOIN drills d ON d.id = t.drill_id WHERE d.org_id = $1 "
    "AND d.drill_date >= $2 AND d.drill_date <= $3 AND t.status = 'open'), "
    "(SELECT COUNT(*) FROM incidents i WHERE i.org_id = $1 AND i.detected_at >= $2 "
    "AND i.detected_at < $4), "
    "(SELECT COUNT(*) FROM incidents i WHERE i.org_id = $1 AND i.detected_at >= $2 "
    "AND i.detected_at < $4 AND EXISTS (SELECT 1 FROM incident_reports r "
    "WHERE r.incident_id = i.id))";

enum err incident_year_counts(struct db *db, long long org_id, int year,
                              struct incident_year_counts *out)
{
    char from[11], to[11], next[11];
    if (year < 1 || year > 9998)
        return errf(ERR_VALIDATION, "year", "年份不合法");
    date_format((struct date){year, 1, 1}, from);
    date_format((struct date){year, 12, 31}, to);
    date_format((struct date){year + 1, 1, 1}, next);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_YEAR_COUNTS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, from);
    db_bind_text(s, 3, to);
    db_bind_text(s, 4, next);
    int row;
    memset(out, 0, sizeof *out);
    if (!(rc = db_step(s, &row)) && row) {
        out->plans = (int)db_int(s, 0);
        out->plans_revised = (int)db_int(s, 1);
        out->drills = (int)db_int(s, 2);
        out->drill_items = (int)db_int(s, 3);
        out->drill_items_open = (int)db_int(s, 4);
        out->incidents = (int)db_int(s, 5);
        out->incidents_reported = (int)db_int(s, 6);
    }
    db_done(s);
    return rc;
}
