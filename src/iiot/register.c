/* Registration (信息登记, 第五条) and its verification by the competent regulator (第六条), the
 * key-enterprise list (第九条), 总结会商 (第十五条), and the duties of subject "iiot". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "calendar/calendar.h"
#include "duty/duty.h"
#include "iiot.h"
#include "internal.h"
#include "json.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"

/* ---- registration ---- */

/* 第五条: 企业名称、企业类型、企业级别、联系方式、网络安全负责人 — every missing one named. */
static enum err check_complete(json_t *e)
{
    struct sbuf fields, labels;
    sbuf_init(&fields, 1024);
    sbuf_init(&labels, 1024);
    if (!json_str(e, "name") || !*json_str(e, "name")) {
        sbuf_adds(&fields, "name");
        sbuf_adds(&labels, "企业名称");
    }
    if (!json_array_size(json_object_get(e, "contacts"))) {
        sbuf_addf(&fields, "%scontacts", fields.len ? "," : "");
        sbuf_addf(&labels, "%s联系方式（联系人）", labels.len ? "、" : "");
    }
    if (!json_is_object(json_object_get(e, "security_lead"))) {
        sbuf_addf(&fields, "%ssecurity_lead", fields.len ? "," : "");
        sbuf_addf(&labels, "%s网络安全负责人", labels.len ? "、" : "");
    }
    enum err rc = ERR_OK;
    if (fields.len)
        rc = errf(ERR_VALIDATION, fields.buf, "信息登记内容不完整，缺少：%s", labels.buf);
    sbuf_release(&fields);
    sbuf_release(&labels);
    return rc;
}

static json_t *type_of(json_t *e, int type)
{
    json_t *t;
    size_t i;
    json_array_foreach (json_object_get(e, "types"), i, t) {
        if (!strcmp(json_str(t, "type"), iiot_type_code(type)))
            return t;
    }
    return NULL;
}

/* Which types to register: the named ones (each declared, graded, not awaiting verification),
 * or every graded type not awaiting verification. */
static enum err types_to_register(json_t *e, json_t *in, unsigned *mask)
{
    unsigned asked = 0;
    enum err rc;
    if (json_has(in, "types") &&
        (rc = iiot_parse_types(json_object_get(in, "types"), "types", &asked)))
        return rc;
    *mask = 0;
    for (int t = 0; t < IIOT__TYPES; t++) {
        json_t *tj = type_of(e, t);
        if (asked && !(asked & (1u << t)))
            continue;
        if (!tj) {
            if (asked)
                return errf(ERR_VALIDATION, "types", "该企业未登记「%s」类型", iiot_type_name(t));
            continue;
        }
        int graded = json_is_integer(json_object_get(tj, "level"));
        int pending = !strcmp(json_str(tj, "registration_status"), "submitted");
        if (asked && !graded)
            return errf(ERR_VALIDATION, "types", "「%s」尚未完成自主定级，不能登记",
                        iiot_type_name(t));
        if (asked && pending)
            return errf(ERR_CONFLICT, "types", "「%s」的信息登记已提交，待主管部门核查",
                        iiot_type_name(t));
        /* By default the types not registered yet or returned; a verified type is registered
         * again only when named (a change of its registered information). */
        const char *status = json_str(tj, "registration_status");
        if (graded && !pending && (asked || strcmp(status, "verified")))
            *mask |= 1u << t;
    }
    if (!*mask)
        return errf(ERR_VALIDATION, "types", "没有可登记的企业类型（须先完成自主定级）");
    return ERR_OK;
}

static const char SQL_REG_INSERT[] =
    "INSERT INTO iiot_registrations (org_id, etype, level, competent_kind, status, snapshot, "
    "submitted_on, submitted_at, submitted_by, verify_due, comment) "
    "VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10) RETURNING id";
static const char SQL_TYPE_REG[] =
    "UPDATE iiot_types SET reg_status = $3 WHERE org_id = $1 AND etype = $2";

static json_t *snapshot_of(json_t *e, json_t *t)
{
    return json_pack(
        "{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(e, "name"),
        "org_name", json_object_get(e, "org_name"), "uscc", json_object_get(e, "uscc"), "province",
        json_object_get(e, "province"), "type", json_object_get(t, "type"), "type_name",
        json_object_get(t, "type_name"), "level", json_object_get(t, "level"), "level_name",
        json_object_get(t, "level_name"), "score", json_object_get(t, "score"), "table_version",
        json_object_get(t, "table_version"), "contacts", json_object_get(e, "contacts"),
        "security_lead", json_object_get(e, "security_lead"));
}

static enum err insert_registration(struct db *db, const struct audit_ctx *ax, long long org_id,
                                    json_t *e, int type, const char *submitted_on, const char *due,
                                    const char *comment, long long *id)
{
    json_t *t = type_of(e, type), *snap = snapshot_of(e, t);
    char *snap_s = json_canonical(snap), now[40];
    json_decref(snap);
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_REG_INSERT, &s);
    if (!rc) {
        db_bind_int(s, 1, org_id);
        db_bind_text(s, 2, iiot_type_code(type));
        db_bind_int(s, 3, json_integer_value(json_object_get(t, "level")));
        db_bind_text(s, 4, iiot_competent_kind(type));
        db_bind_text(s, 5, snap_s);
        db_bind_text(s, 6, submitted_on);
        db_bind_text(s, 7, now);
        db_bind_text(s, 8, ax->actor_name);
        db_bind_text(s, 9, due);
        db_bind_text(s, 10, comment);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            *id = db_int(s, 0);
        db_done(s);
    }
    free(snap_s);
    const char *vals[] = {iiot_type_code(type), "submitted"};
    const long long ids[] = {org_id};
    return rc ? rc : iiot_exec(db, SQL_TYPE_REG, 2, vals, ids);
}

static const char SQL_LAST_REVIEWED[] =
    "SELECT MAX(reviewed_on) FROM iiot_registrations WHERE org_id = $1 AND etype = $2";

/* The day the type's last registration was decided, "" when none was. */
static enum err last_reviewed(struct db *db, long long org_id, int type, char out[11])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_LAST_REVIEWED, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, iiot_type_code(type));
    int row;
    out[0] = '\0';
    if (!(rc = db_step(s, &row)) && row && db_text(s, 0))
        snprintf(out, 11, "%s", db_text(s, 0));
    db_done(s);
    return rc;
}

enum err iiot_register(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                       json_t **ids)
{
    json_t *e;
    unsigned mask;
    struct date on, due;
    enum err rc = iiot_past_date(in, "submitted_on", "登记日期", &on);
    if (rc || (rc = iiot_enterprise_json(db, org_id, iiot_today(), &e)))
        return rc;
    char on_s[11], due_s[11];
    date_format(on, on_s);
    if ((rc = check_complete(e)) || (rc = types_to_register(e, in, &mask)))
        goto out;
    /* 第六条: 主管部门在三十个工作日内开展核查 (R6 working days; no guess without a notice) */
    if ((rc = calendar_add_workdays(on, iiot_ruleset_default()->verify_workdays, &due)))
        goto out;
    date_format(due, due_s);
    *ids = json_array();
    for (int t = 0; t < IIOT__TYPES && !rc; t++) {
        if (!(mask & (1u << t)))
            continue;
        const char *graded_on = json_str(type_of(e, t), "graded_on");
        if (graded_on && strcmp(on_s, graded_on) < 0) {
            rc = errf(ERR_VALIDATION, "submitted_on", "登记日期不能早于「%s」的自主定级日期（%s）",
                      iiot_type_name(t), graded_on);
            break;
        }
        char reviewed[11];
        if ((rc = last_reviewed(db, org_id, t, reviewed)))
            break;
        if (*reviewed && strcmp(on_s, reviewed) < 0) {
            rc = errf(ERR_VALIDATION, "submitted_on",
                      "登记日期不能早于「%s」上一次核查或退回的日期（%s）", iiot_type_name(t),
                      reviewed);
            break;
        }
        long long id = 0;
        char idb[24];
        if ((rc = insert_registration(db, ax, org_id, e, t, on_s, due_s, json_str(in, "comment"),
                                      &id)))
            break;
        iiot_id_text(id, idb);
        json_array_append_new(*ids, json_string(idb));
        json_t *after =
            json_pack("{s:s,s:s,s:s,s:s}", "type", iiot_type_code(t), "submitted_on", on_s,
                      "verify_due", due_s, "competent_kind", iiot_competent_kind(t));
        rc = audit_append(db, ax, "iiot.register", "iiot_registration", idb, org_id, NULL, after);
        json_decref(after);
    }
    if (rc) {
        json_decref(*ids);
        *ids = NULL;
    } else {
        rc = duty_refresh(db, "iiot", org_id);
    }
out:
    json_decref(e);
    return rc;
}

static const char *const DECISION_NAMES[][2] = {
    {"submitted", "待核查"}, {"verified", "已核查"}, {"returned", "退回补正"}};

/* The working-day clock of an open item: verification (30) or correction (20). */
static json_t *clock_of(const char *status, const char *start_s, const char *due_s,
                        struct date today)
{
    const struct iiot_ruleset *rs = iiot_ruleset_default();
    struct date start, due;
    int elapsed, remaining;
    int verifying = !strcmp(status, "submitted");
    if ((!verifying && strcmp(status, "returned")) || iiot_date_of(start_s, &start) ||
        iiot_date_of(due_s, &due))
        return json_null();
    if (calendar_count_workdays(start, today, &elapsed) ||
        calendar_count_workdays(today, due, &remaining))
        return json_pack("{s:s,s:s,s:s}", "deadline", verifying ? "verification" : "correction",
                         "due", due_s, "error", err_last()->msg);
    return json_pack("{s:s,s:s,s:i,s:i,s:i,s:b}", "deadline",
                     verifying ? "verification" : "correction", "due", due_s, "workdays_total",
                     verifying ? rs->verify_workdays : rs->correction_workdays, "workdays_elapsed",
                     elapsed < 0 ? 0 : elapsed, "workdays_remaining", remaining, "overdue",
                     remaining < 0);
}

json_t *iiot_registration_row(struct db_stmt *s, int with_snapshot, struct date today)
{
    char id[24], org[24];
    iiot_id_text(db_int(s, 0), id);
    iiot_id_text(db_int(s, 1), org);
    int type = iiot_type_parse(db_text(s, 4)), level = (int)db_int(s, 5);
    const char *status = db_text(s, 7), *status_name = "";
    for (size_t i = 0; i < sizeof DECISION_NAMES / sizeof DECISION_NAMES[0]; i++)
        if (!strcmp(DECISION_NAMES[i][0], status))
            status_name = DECISION_NAMES[i][1];
    int returned = !strcmp(status, "returned");
    json_t *r = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
        "id", id, "org_id", org, "org_name", db_text(s, 2), "province", db_text(s, 3), "type",
        iiot_type_code(type), "type_name", iiot_type_name(type), "level", level, "level_name",
        iiot_level_name(level), "competent_kind", db_text(s, 6), "competent_name",
        iiot_competent_name(type), "status", status, "status_name", status_name, "submitted_on",
        db_text(s, 8), "submitted_at", db_text(s, 9), "submitted_by", db_text(s, 10), "verify_due",
        json_string(db_text(s, 11)), "reviewer", json_str_or_null(db_text(s, 12)), "reviewed_on",
        json_str_or_null(db_text(s, 13)), "reasons", iiot_json_or(db_text(s, 15), json_array()),
        "correction_due", json_str_or_null(db_text(s, 16)), "comment",
        json_str_or_null(db_text(s, 17)));
    json_object_set_new(r, "clock",
                        clock_of(status, returned ? db_text(s, 13) : db_text(s, 8),
                                 returned ? db_text(s, 16) : db_text(s, 11), today));
    if (with_snapshot)
        json_object_set_new(r, "snapshot", iiot_json_or(db_text(s, 18), json_null()));
    return r;
}

static const char SQL_REG_ONE[] = IIOT_REG_COLS "r.id = $1";

enum err iiot_registration_json(struct db *db, long long id, int with_snapshot, struct date today,
                                json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_REG_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = iiot_registration_row(s, with_snapshot, today);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "登记记录不存在");
    return rc;
}

static const char SQL_REG_ORG[] = "SELECT org_id FROM iiot_registrations WHERE id = $1";

enum err iiot_registration_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_REG_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "登记记录不存在");
    return rc;
}

static const char SQL_DECIDE[] =
    "UPDATE iiot_registrations SET status = $2, reviewer = $3, reviewer_org_id = $4, "
    "reviewed_on = $5, reviewed_at = $6, reasons = $7, correction_due = $8, "
    "comment = COALESCE($9, comment) WHERE id = $1 AND status = 'submitted'";

struct decision {
    const char *status; /* verified | returned */
    long long reviewer_org;
    const char *reasons; /* canonical JSON or NULL */
    const char *correction_due;
    const char *comment;
};

/* 第三条: only the competent regulator verifies or returns an item. */
static enum err competent(struct db *db, long long id, const char *reviewer_kind, json_t **reg)
{
    enum err rc = iiot_registration_json(db, id, 0, iiot_today(), reg);
    if (rc)
        return rc;
    int type = iiot_type_parse(json_str(*reg, "type"));
    if (!iiot_competent(reviewer_kind, type))
        return errf(ERR_FORBIDDEN, NULL, "「%s」的信息登记由%s核查（第三条），本单位无权核查",
                    iiot_type_name(type), iiot_competent_name(type));
    return ERR_OK;
}

/* Competence, then the move from submitted; 0 rows changed means decided already. */
static enum err decide(struct db *db, const struct audit_ctx *ax, long long id,
                       const char *reviewer_kind, const struct decision *d, json_t **reg)
{
    enum err rc = competent(db, id, reviewer_kind, reg);
    if (rc)
        return rc;
    int type = iiot_type_parse(json_str(*reg, "type"));
    char today[11], now[40];
    date_format(iiot_today(), today);
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_DECIDE, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, d->status);
    db_bind_text(s, 3, ax->actor_name);
    db_bind_int(s, 4, d->reviewer_org);
    db_bind_text(s, 5, today);
    db_bind_text(s, 6, now);
    db_bind_text(s, 7, d->reasons);
    db_bind_text(s, 8, d->correction_due);
    db_bind_text(s, 9, d->comment);
    int row;
    rc = db_step(s, &row);
    long long changed = db_changes(s);
    db_done(s);
    if (!rc && !changed)
        return errf(ERR_CONFLICT, NULL, "该登记已核查或已退回，不能重复处理");
    long long org = id_parse(json_str(*reg, "org_id"));
    const char *vals[] = {iiot_type_code(type), d->status};
    const long long ids[] = {org};
    if (rc || (rc = iiot_exec(db, SQL_TYPE_REG, 2, vals, ids)))
        return rc;
    json_t *after = json_pack(
        "{s:s,s:s,s:o,s:o}", "decision", d->status, "type", iiot_type_code(type), "correction_due",
        json_str_or_null(d->correction_due), "reasons", iiot_json_or(d->reasons, json_null()));
    char idb[24];
    iiot_id_text(id, idb);
    rc = audit_append(db, ax, !strcmp(d->status, "verified") ? "iiot.verify" : "iiot.return",
                      "iiot_registration", idb, org, NULL, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "iiot", org);
}

static const char SQL_TYPE_VERIFIED[] =
    "UPDATE iiot_types SET verified_on = $3 WHERE org_id = $1 AND etype = $2";

enum err iiot_verify(struct db *db, const struct audit_ctx *ax, long long id,
                     long long reviewer_org, const char *reviewer_kind, const char *comment)
{
    struct decision d = {"verified", reviewer_org, NULL, NULL, comment};
    json_t *reg = NULL;
    enum err rc = decide(db, ax, id, reviewer_kind, &d, &reg);
    if (!rc) {
        char today[11];
        date_format(iiot_today(), today);
        const char *vals[] = {json_str(reg, "type"), today};
        const long long ids[] = {id_parse(json_str(reg, "org_id"))};
        rc = iiot_exec(db, SQL_TYPE_VERIFIED, 2, vals, ids);
    }
    json_decref(reg);
    return rc;
}

static enum err check_reasons(json_t *reasons)
{
    if (!json_is_array(reasons) || !json_array_size(reasons))
        return errf(ERR_VALIDATION, "reasons", "退回补正须逐项说明原因（字段和原因）");
    size_t i;
    json_t *e;
    json_array_foreach (reasons, i, e) {
        const char *field = json_str(e, "field"), *reason = json_str(e, "reason");
        if (!json_is_object(e) || json_object_size(e) != 2 || !field || !reason || !*reason ||
            strlen(field) > 64 || strlen(reason) > 2000)
            return errf(ERR_VALIDATION, "reasons", "第 %zu 条退回原因应为 {field, reason}", i + 1);
    }
    return ERR_OK;
}

enum err iiot_return(struct db *db, const struct audit_ctx *ax, long long id,
                     long long reviewer_org, const char *reviewer_kind, json_t *reasons,
                     const char *comment)
{
    struct date due;
    json_t *reg = NULL;
    enum err rc = competent(db, id, reviewer_kind, &reg);
    json_decref(reg);
    reg = NULL;
    /* 第六条: 通知企业在二十个工作日内予以补正 */
    if (rc || (rc = check_reasons(reasons)) ||
        (rc = calendar_add_workdays(iiot_today(), iiot_ruleset_default()->correction_workdays,
                                    &due)))
        return rc;
    char due_s[11];
    date_format(due, due_s);
    char *reasons_s = json_canonical(reasons);
    struct decision d = {"returned", reviewer_org, reasons_s, due_s, comment};
    rc = decide(db, ax, id, reviewer_kind, &d, &reg);
    json_decref(reg);
    free(reasons_s);
    return rc;
}

/* ---- key-enterprise list and 总结会商 ---- */

static const char SQL_KEY_ACTIVE[] =
    "SELECT COUNT(*) FROM iiot_key_enterprises WHERE org_id = $1 AND removed_on IS NULL";
static const char SQL_KEY_INSERT[] =
    "INSERT INTO iiot_key_enterprises (org_id, regulator_org_id, reason, added_on, added_by, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

enum err iiot_key_add(struct db *db, const struct audit_ctx *ax, long long regulator_org,
                      long long org_id, const char *reason, long long *id)
{
    struct db_stmt *s;
    long long n;
    enum err rc = iiot_enterprise_check(db, org_id);
    if (rc == ERR_NOT_FOUND)
        return errf(ERR_VALIDATION, "org_id", "该单位尚未建立工业互联网企业信息");
    if (rc || (rc = db_prepare(db, SQL_KEY_ACTIVE, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (n)
        return errf(ERR_CONFLICT, "org_id", "该企业已在重点企业名录中");
    char today[11], now[40];
    date_format(iiot_today(), today);
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_KEY_INSERT, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_int(s, 2, regulator_org);
    db_bind_text(s, 3, reason);
    db_bind_text(s, 4, today);
    db_bind_text(s, 5, ax->actor_name);
    db_bind_text(s, 6, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    char idb[24];
    iiot_id_text(*id, idb);
    json_t *after = json_pack("{s:I,s:s,s:s}", "org_id", (json_int_t)org_id, "reason", reason,
                              "added_on", today);
    rc = audit_append(db, ax, "iiot.key_add", "iiot_key_enterprise", idb, org_id, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_KEY_ORG[] = "SELECT org_id FROM iiot_key_enterprises WHERE id = $1";

enum err iiot_key_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_KEY_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "名录条目不存在");
    return rc;
}

static const char SQL_KEY_REMOVE[] =
    "UPDATE iiot_key_enterprises SET removed_on = $2, removed_by = $3, removed_reason = $4 "
    "WHERE id = $1 AND removed_on IS NULL";

enum err iiot_key_remove(struct db *db, const struct audit_ctx *ax, long long id,
                         const char *reason)
{
    long long org;
    struct db_stmt *s;
    enum err rc = iiot_key_org(db, id, &org);
    if (rc || (rc = db_prepare(db, SQL_KEY_REMOVE, &s)))
        return rc;
    char today[11];
    date_format(iiot_today(), today);
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, today);
    db_bind_text(s, 3, ax->actor_name);
    db_bind_text(s, 4, reason);
    int row;
    rc = db_step(s, &row);
    long long n = db_changes(s);
    db_done(s);
    if (!rc && !n)
        return errf(ERR_CONFLICT, NULL, "该企业已移出重点企业名录");
    char idb[24];
    iiot_id_text(id, idb);
    json_t *after = json_pack("{s:s,s:s}", "removed_on", today, "reason", reason);
    if (!rc)
        rc = audit_append(db, ax, "iiot.key_remove", "iiot_key_enterprise", idb, org, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_MEETING_INSERT[] =
    "INSERT INTO iiot_meetings (regulator_org_id, held_on, title, participants, minutes, "
    "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

enum err iiot_meeting_add(struct db *db, const struct audit_ctx *ax, long long regulator_org,
                          json_t *in, long long *id)
{
    struct date held;
    enum err rc = iiot_past_date(in, "held_on", "会商日期", &held);
    if (rc)
        return rc;
    char held_s[11], now[40];
    date_format(held, held_s);
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_MEETING_INSERT, &s)))
        return rc;
    db_bind_int(s, 1, regulator_org);
    db_bind_text(s, 2, held_s);
    static const char *const cols[] = {"title", "participants", "minutes"};
    for (int i = 0; i < 3; i++)
        db_bind_text(s, 3 + i, json_str(in, cols[i]));
    db_bind_text(s, 6, ax->actor_name);
    db_bind_text(s, 7, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    char idb[24];
    iiot_id_text(*id, idb);
    return audit_append(db, ax, "iiot.meeting", "iiot_meeting", idb, regulator_org, NULL, in);
}

static const char SQL_MEETING[] = IIOT_MEETING_COLS "m.id = $1";

json_t *iiot_meeting_row(struct db_stmt *s)
{
    char id[24], org[24];
    iiot_id_text(db_int(s, 0), id);
    iiot_id_text(db_int(s, 1), org);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id, "regulator_org_id", org,
                     "regulator_name", db_text(s, 2), "held_on", db_text(s, 3), "title",
                     db_text(s, 4), "participants", db_text(s, 5), "minutes", db_text(s, 6),
                     "created_by", db_text(s, 7), "created_at", db_text(s, 8));
}

enum err iiot_meeting_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_MEETING, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = iiot_meeting_row(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "会商记录不存在");
    return rc;
}

static const char SQL_MEETING_ORG[] = "SELECT regulator_org_id FROM iiot_meetings WHERE id = $1";

enum err iiot_meeting_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_MEETING_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "会商记录不存在");
    return rc;
}

/* ---- duties ---- */

static const char SQL_DUTY_TYPES[] =
    "SELECT t.org_id, t.etype, t.level, t.level_since, t.factor_changed_on, "
    "(SELECT MAX(a.assessed_on) FROM iiot_assessments a WHERE a.org_id = t.org_id AND "
    "a.etype = t.etype), r.id, r.status, r.verify_due, r.reviewed_on, r.correction_due "
    "FROM iiot_types t LEFT JOIN iiot_registrations r ON r.id = (SELECT MAX(r2.id) FROM "
    "iiot_registrations r2 WHERE r2.org_id = t.org_id AND r2.etype = t.etype) "
    "WHERE CAST($1 AS BIGINT) IS NULL OR t.org_id = $1 ORDER BY t.org_id, t.etype";

enum dcol {
    D_ORG,
    D_TYPE,
    D_LEVEL,
    D_SINCE,
    D_CHANGED,
    D_LAST_ASSESS,
    D_REG,
    D_STATUS,
    D_VERIFY_DUE,
    D_REVIEWED,
    D_CORRECTION
};

static enum err emit(struct duty_sink *sink, struct duty_item *it, long long org, const char *what,
                     int type)
{
    char suffix[48];
    snprintf(suffix, sizeof suffix, "%s:%s", what, iiot_type_code(type));
    duty_item_name(it, "iiot", org, suffix);
    it->rule = iiot_ruleset_default()->version;
    return duty_emit(sink, it);
}

static enum err type_duties(struct duty_sink *sink, struct db_stmt *s)
{
    const struct iiot_ruleset *rs = iiot_ruleset_default();
    long long org = db_int(s, D_ORG);
    int type = iiot_type_parse(db_text(s, D_TYPE));
    int level = db_null(s, D_LEVEL) ? 0 : (int)db_int(s, D_LEVEL);
    const char *status = db_text(s, D_STATUS);
    char title[160];
    struct date d, last;
    enum err rc = ERR_OK;
    if (type < 0)
        return ERR_OK;
    /* 第六条: 主管部门三十个工作日内核查 — the regulator's part, shown on the enterprise. */
    if (status && !iiot_date_of(db_text(s, D_VERIFY_DUE), &d)) {
        struct duty_item it = {.kind = DUTY_FILING, .org_id = org, .due = d, .title = title};
        snprintf(title, sizeof title, "工业互联网企业信息登记核查（%s）", iiot_type_name(type));
        it.fulfils = "主管部门完成核查或通知补正";
        it.source = "云通信局联发〔2025〕6号 第六条（三十个工作日）";
        it.done = strcmp(status, "submitted") && !iiot_date_of(db_text(s, D_REVIEWED), &it.done_on);
        if ((rc = emit(sink, &it, org, "verify", type)))
            return rc;
    }
    /* 第六条: 企业二十个工作日内补正 */
    if (status && !strcmp(status, "returned") && !iiot_date_of(db_text(s, D_CORRECTION), &d)) {
        struct duty_item it = {.kind = DUTY_CORRECTION, .org_id = org, .due = d, .title = title};
        snprintf(title, sizeof title, "工业互联网企业信息登记补正（%s）", iiot_type_name(type));
        it.fulfils = "按核查意见补正后重新提交登记";
        it.source = "云通信局联发〔2025〕6号 第六条（二十个工作日）";
        if ((rc = emit(sink, &it, org, "correction", type)))
            return rc;
    }
    /* 第四条: 定级要素变化后三个月内重新定级 */
    if (level && !iiot_date_of(db_text(s, D_CHANGED), &d)) {
        struct duty_item it = {.kind = DUTY_REASSESSMENT, .org_id = org, .title = title};
        snprintf(title, sizeof title, "工业互联网企业重新定级（%s）", iiot_type_name(type));
        it.due = iiot_regrade_due(rs, d);
        it.fulfils = "定级要素变化后重新自主定级";
        it.source = "云通信局联发〔2025〕6号 第四条（三个月）";
        if ((rc = emit(sink, &it, org, "regrade", type)))
            return rc;
    }
    /* 第七条: 三级每年、二级每两年至少一次符合性评测 */
    int has_last = !iiot_date_of(db_text(s, D_LAST_ASSESS), &last);
    if (level && (has_last || !iiot_date_of(db_text(s, D_SINCE), &last))) {
        struct duty_item it = {.kind = DUTY_ASSESSMENT, .org_id = org, .title = title};
        snprintf(title, sizeof title, "工业互联网企业符合性评测（%s，%s）", iiot_type_name(type),
                 iiot_level_name(level));
        it.fulfils = "完成符合性评测（自行或委托第三方评测机构）";
        it.source = "云通信局联发〔2025〕6号 第七条";
        if (!iiot_assessment_due(rs, level, last, &it.due) &&
            (rc = emit(sink, &it, org, "assessment", type)))
            return rc;
    }
    return ERR_OK;
}

enum err iiot_produce(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    (void)today;
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DUTY_TYPES, &s);
    if (rc)
        return rc;
    if (id)
        db_bind_int(s, 1, id);
    else
        db_bind_null(s, 1);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        if ((rc = type_duties(sink, s)))
            break;
    db_done(s);
    return rc;
}
