/* 符合性评测: assessments of network units, item-by-item runs against check-item lists,
 * submission to the regulator, and the import of the lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "audit/audit.h"
#include "duty/duty.h"
#include "duty/rules.h"
#include "json.h"
#include "rules.h"
#include "store/store.h"
#include "timeutil.h"
#include "unit/unit.h"
#include "upload.h"

enum { MAX_CHECKLIST_ITEMS = 5000 };

static struct date today_of(void)
{
    return date_today_shanghai();
}

static const char *const KIND_NAMES[][2] = {{"self", "自行评测"},
                                            {"third_party", "委托专业机构评测"}};
static const char *const STATUS_NAMES[][2] = {
    {"in_progress", "评测中"}, {"ended", "已结束，待报送"}, {"submitted", "已报送"}};

static const char *lookup(const char *const table[][2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return NULL;
}
#define LOOKUP(t, c) lookup(t, sizeof t / sizeof t[0], c)

static json_t *int_or_null(struct db_stmt *s, int col)
{
    return db_null(s, col) ? json_null() : json_integer(db_int(s, col));
}

static json_t *id_or_null(struct db_stmt *s, int col)
{
    return db_null(s, col) ? json_null() : json_string(db_text(s, col));
}

/* The submission deadline: 30 days after the end (331号 §三). */
static json_t *submit_due(const char *ended_on)
{
    struct date d;
    char due[11];
    if (!ended_on || date_parse(ended_on, &d))
        return json_null();
    date_format(date_add_days(d, duty_ruleset_default()->submit_days), due);
    return json_string(due);
}

json_t *assessment_row_json(struct db_stmt *s)
{
    const char *kind = db_text(s, 7), *ended = db_text(s, 11), *submitted = db_text(s, 19);
    const char *status = submitted ? "submitted" : ended ? "ended" : "in_progress";
    const char *type = db_text(s, 3);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:s,s:s,"
        "s:o,s:o,s:o,s:o,s:s,s:s,s:s}",
        "id", db_text(s, 0), "unit_id", db_text(s, 1), "unit_name", db_text(s, 2), "unit_type",
        type, "unit_type_name", unit_type_name(type) ? unit_type_name(type) : type, "org_id",
        db_text(s, 4), "org_name", db_text(s, 5), "standards", db_text(s, 6), "assessor_kind", kind,
        "assessor_kind_name", LOOKUP(KIND_NAMES, kind) ? LOOKUP(KIND_NAMES, kind) : kind,
        "assessor_name", db_text(s, 8), "assessor_qualification", db_text(s, 9), "started_on",
        json_string(db_text(s, 10)), "ended_on", json_str_or_null(ended), "score",
        json_str_or_null(db_text(s, 12)), "items_passed", int_or_null(s, 13), "items_failed",
        int_or_null(s, 14), "problems", db_text(s, 16), "items_na", int_or_null(s, 15), "status",
        status, "status_name", LOOKUP(STATUS_NAMES, status), "checklist_id", id_or_null(s, 17),
        "submit_due", submit_due(ended), "submitted_to", json_str_or_null(db_text(s, 18)),
        "submitted_at", json_str_or_null(submitted), "created_by", db_text(s, 20), "created_at",
        db_text(s, 21), "updated_at", db_text(s, 22));
}

static const char SQL_ONE[] = ASSESSMENT_COLS "WHERE a.id = $1";

static enum err row_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = assessment_row_json(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "评测记录不存在");
    return rc;
}

static const char SQL_ANSWERED[] = "SELECT COUNT(*) FROM assessment_items WHERE assessment_id = $1";

enum err assessment_json(struct db *db, long long id, int full, json_t **out)
{
    json_t *a, *files = NULL, *list = NULL;
    enum err rc = row_json(db, id, &a);
    if (rc || !full)
        goto out;
    if ((rc = file_links_json(db, FILE_OF_ASSESSMENT, id, &files, NULL)))
        goto out;
    json_object_set_new(a, "files", files);
    const char *cl = json_str(a, "checklist_id");
    if (cl) {
        struct db_stmt *s;
        long long answered;
        if ((rc = checklist_json(db, id_parse(cl), 0, &list)) ||
            (rc = db_prepare(db, SQL_ANSWERED, &s)))
            goto out;
        db_bind_int(s, 1, id);
        if ((rc = db_scalar_int(s, 0, &answered)))
            goto out;
        json_object_set_new(list, "answered", json_integer(answered));
    }
    json_object_set_new(a, "checklist", list ? list : json_null());
    list = NULL;
out:
    json_decref(list);
    if (rc) {
        json_decref(a);
        a = NULL;
    }
    *out = a;
    return rc;
}

static const char SQL_ORG[] = "SELECT org_id FROM assessments WHERE id = $1";

enum err assessment_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "评测记录不存在");
    return rc;
}

struct unit_info {
    long long org_id;
    char unit_type[40];
    int level; /* 0: not graded */
    char status[16];
};

static const char SQL_UNIT[] = "SELECT org_id, unit_type, level, status FROM units WHERE id = $1";

static enum err unit_info(struct db *db, long long unit_id, struct unit_info *u)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNIT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, unit_id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        u->org_id = db_int(s, 0);
        snprintf(u->unit_type, sizeof u->unit_type, "%s", db_text(s, 1));
        u->level = db_null(s, 2) ? 0 : (int)db_int(s, 2);
        snprintf(u->status, sizeof u->status, "%s", db_text(s, 3));
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "网络单元不存在");
    return rc;
}

static const char SQL_CHECKLIST_FIT[] = "SELECT unit_type, level FROM checklists WHERE id = $1";

/* The list must be one for the unit's type and current level. */
static enum err check_checklist(struct db *db, long long checklist_id, const struct unit_info *u)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_CHECKLIST_FIT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, checklist_id);
    int row, found = 0, level = 0;
    char type[40] = "";
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        snprintf(type, sizeof type, "%s", db_text(s, 0));
        level = (int)db_int(s, 1);
    }
    db_done(s);
    if (rc)
        return rc;
    if (!found)
        return errf(ERR_VALIDATION, "checklist_id", "检查项清单不存在");
    if (strcmp(type, u->unit_type)) {
        const char *want = unit_type_name(u->unit_type), *have = unit_type_name(type);
        return errf(ERR_VALIDATION, "checklist_id", "检查项清单适用于%s，与网络单元类型%s不符",
                    have ? have : type, want ? want : u->unit_type);
    }
    if (!u->level)
        return errf(ERR_VALIDATION, "checklist_id", "网络单元尚未定级，不能按级别选择检查项清单");
    if (level != u->level)
        return errf(ERR_VALIDATION, "checklist_id", "检查项清单适用于第%d级，网络单元为第%d级",
                    level, u->level);
    return ERR_OK;
}

static const char *const MANUAL_RESULT[] = {"score", "items_passed", "items_failed", "items_na"};

/* Cross-field rules of a merged assessment a; in is what the caller sent. The list is checked
 * against the unit when it is newly chosen (new_list), so that a later re-grading of the unit
 * does not block edits of an assessment run against the list of its former level. Normalises
 * the score. */
static enum err check_assessment(struct db *db, json_t *a, json_t *in, const struct unit_info *u,
                                 int new_list)
{
    const char *kind = json_str(a, "assessor_kind");
    if (!LOOKUP(KIND_NAMES, kind))
        return errf(ERR_VALIDATION, "assessor_kind",
                    "评测方式应为 self（自行评测）或 third_party（委托专业机构评测）");
    const char *name = json_str(a, "assessor_name");
    if (!name || !*name)
        return errf(ERR_VALIDATION, "assessor_name", "评测机构名称不能为空");
    const char *qual = json_str(a, "assessor_qualification");
    if (!strcmp(kind, "third_party") && (!qual || !*qual))
        return errf(ERR_VALIDATION, "assessor_qualification", "委托专业机构评测须填写机构资质");
    enum err rc = assess_dates_check(json_str(a, "started_on"), json_str(a, "ended_on"), today_of(),
                                     "started_on", "ended_on");
    if (rc)
        return rc;
    const char *cl = json_str(a, "checklist_id");
    if (cl) {
        for (size_t i = 0; i < sizeof MANUAL_RESULT / sizeof MANUAL_RESULT[0]; i++) {
            json_t *v = json_object_get(in, MANUAL_RESULT[i]);
            if (v && !json_is_null(v))
                return errf(ERR_VALIDATION, MANUAL_RESULT[i],
                            "已关联检查项清单，得分和项数由逐项检查结果计算");
        }
        if (new_list && (rc = check_checklist(db, id_parse(cl), u)))
            return rc;
    }
    const char *score = json_str(a, "score");
    if (score) {
        char norm[16];
        if ((rc = assess_score_parse(score, "score", norm)))
            return rc;
        json_object_set_new(a, "score", json_string(norm));
    }
    return ERR_OK;
}

static void bind_int_or_null(struct db_stmt *s, int idx, json_t *v)
{
    if (json_is_integer(v))
        db_bind_int(s, idx, json_integer_value(v));
    else
        db_bind_null(s, idx);
}

/* The editable columns, in the order of SQL_INSERT ($3..$14) and SQL_UPDATE ($2..$13). */
static void bind_fields(struct db_stmt *s, int first, json_t *a)
{
    const char *t;
    db_bind_text(s, first, (t = json_str(a, "standards")) ? t : "");
    db_bind_text(s, first + 1, json_str(a, "assessor_kind"));
    db_bind_text(s, first + 2, json_str(a, "assessor_name"));
    db_bind_text(s, first + 3, (t = json_str(a, "assessor_qualification")) ? t : "");
    db_bind_text(s, first + 4, json_str(a, "started_on"));
    db_bind_text(s, first + 5, json_str(a, "ended_on"));
    db_bind_text(s, first + 6, json_str(a, "score"));
    bind_int_or_null(s, first + 7, json_object_get(a, "items_passed"));
    bind_int_or_null(s, first + 8, json_object_get(a, "items_failed"));
    bind_int_or_null(s, first + 9, json_object_get(a, "items_na"));
    db_bind_text(s, first + 10, (t = json_str(a, "problems")) ? t : "");
    const char *cl = json_str(a, "checklist_id");
    if (cl)
        db_bind_int(s, first + 11, id_parse(cl));
    else
        db_bind_null(s, first + 11);
}

/* Keeps only the editable fields of an assessment JSON (what the audit records). */
static const char *const EDITABLE[] = {
    "standards",    "assessor_kind", "assessor_name", "assessor_qualification",
    "started_on",   "ended_on",      "score",         "items_passed",
    "items_failed", "items_na",      "problems",      "checklist_id"};

static json_t *editable_of(json_t *a)
{
    json_t *e = json_object();
    for (size_t i = 0; i < sizeof EDITABLE / sizeof EDITABLE[0]; i++) {
        json_t *v = json_object_get(a, EDITABLE[i]);
        json_object_set(e, EDITABLE[i], v ? v : json_null());
    }
    return e;
}

/* The unit type's standards (seed 000 §三: 网络安全防护系列标准 of the unit's type). */
static const char *default_standards(const char *unit_type, char *buf, size_t size)
{
    json_t *types = json_object_get(unit_types(), "types"), *t;
    size_t i;
    buf[0] = '\0';
    json_array_foreach (types, i, t) {
        const char *code = json_str(t, "code");
        if (code && !strcmp(code, unit_type)) {
            const char *p = json_str(t, "protection_standard"),
                       *c = json_str(t, "testing_standard");
            snprintf(buf, size, "%s%s%s", p ? p : "", p && c ? "；" : "", c ? c : "");
        }
    }
    return buf;
}

/* Duties that follow the assessment: its submission, and the unit's next 符合性评测. */
static enum err refresh(struct db *db, long long id, long long unit_id)
{
    enum err rc = duty_refresh(db, "assessment", id);
    return rc ? rc : duty_refresh(db, "unit", unit_id);
}

static enum err audit(struct db *db, const struct audit_ctx *ax, const char *action, long long id,
                      long long org, json_t *before, json_t *after)
{
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    return audit_append(db, ax, action, "assessment", idbuf, org, before, after);
}

static const char SQL_COUNTS[] = "SELECT result, COUNT(*) FROM assessment_items "
                                 "WHERE assessment_id = $1 GROUP BY result";
static const char SQL_SET_COUNTS[] =
    "UPDATE assessments SET items_passed = $2, items_failed = $3, items_na = $4, score = $5 "
    "WHERE id = $1";

/* The counts and the score of a run follow from its item results (N/A excluded). */
static enum err recount(struct db *db, long long id, long long counts[3])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_COUNTS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    long long n[3] = {0, 0, 0};
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        const char *res = db_text(s, 0);
        int k = !strcmp(res, "pass") ? 0 : !strcmp(res, "fail") ? 1 : 2;
        n[k] += db_int(s, 1);
    }
    db_done(s);
    if (rc || (rc = db_prepare(db, SQL_SET_COUNTS, &s)))
        return rc;
    char score[16];
    db_bind_int(s, 1, id);
    for (int k = 0; k < 3; k++)
        db_bind_int(s, 2 + k, n[k]);
    db_bind_text(s, 5, assess_score(n[0], n[1], score) ? score : NULL);
    rc = db_step(s, &row);
    db_done(s);
    if (counts)
        memcpy(counts, n, sizeof n);
    return rc;
}

static enum err run_id(struct db *db, const char *sql, long long id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static const char SQL_INSERT[] =
    "INSERT INTO assessments (unit_id, org_id, standards, assessor_kind, assessor_name, "
    "assessor_qualification, started_on, ended_on, score, items_passed, items_failed, items_na, "
    "problems, checklist_id, created_by, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) "
    "RETURNING id";

enum err assessment_create(struct db *db, const struct audit_ctx *ax, long long unit_id, json_t *in,
                           long long *id)
{
    struct unit_info u;
    char standards[1024];
    enum err rc = unit_info(db, unit_id, &u);
    if (rc)
        return rc;
    if (!strcmp(u.status, "retired"))
        return errf(ERR_CONFLICT, NULL, "网络单元已注销，不能新建评测");
    json_t *a =
        json_pack("{s:s,s:s}", "standards",
                  default_standards(u.unit_type, standards, sizeof standards), "problems", "");
    json_object_update(a, in);
    if (json_is_null(json_object_get(a, "standards")) || !json_str(a, "standards") ||
        !*json_str(a, "standards"))
        json_object_set_new(a, "standards", json_string(standards));
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = check_assessment(db, a, in, &u, 1)) || (rc = db_prepare(db, SQL_INSERT, &s)))
        goto out;
    db_bind_int(s, 1, unit_id);
    db_bind_int(s, 2, u.org_id);
    bind_fields(s, 3, a);
    db_bind_text(s, 15, ax->actor_name);
    db_bind_text(s, 16, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc || (json_str(a, "checklist_id") && (rc = recount(db, *id, NULL))))
        goto out;
    json_t *after;
    if ((rc = row_json(db, *id, &after)))
        goto out;
    rc = audit(db, ax, "assessment.create", *id, u.org_id, NULL, after);
    json_decref(after);
    if (!rc)
        rc = refresh(db, *id, unit_id);
out:
    json_decref(a);
    return rc;
}

static const char SQL_UPDATE[] =
    "UPDATE assessments SET standards = $2, assessor_kind = $3, assessor_name = $4, "
    "assessor_qualification = $5, started_on = $6, ended_on = $7, score = $8, items_passed = $9, "
    "items_failed = $10, items_na = $11, problems = $12, checklist_id = $13, updated_at = $14 "
    "WHERE id = $1";
static const char SQL_DROP_ITEMS[] = "DELETE FROM assessment_items WHERE assessment_id = $1";

static enum err open_row(struct db *db, long long id, json_t **row)
{
    enum err rc = row_json(db, id, row);
    if (rc)
        return rc;
    if (json_str(*row, "submitted_at")) {
        json_decref(*row);
        *row = NULL;
        return errf(ERR_CONFLICT, NULL, "评测结果已报送，不能再修改");
    }
    return ERR_OK;
}

enum err assessment_check_open(struct db *db, long long id)
{
    json_t *row;
    enum err rc = open_row(db, id, &row);
    json_decref(row);
    return rc;
}

enum err assessment_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before, *a = NULL, *after = NULL;
    struct unit_info u;
    enum err rc = open_row(db, id, &before);
    if (rc)
        return rc;
    long long unit_id = id_parse(json_str(before, "unit_id"));
    if ((rc = unit_info(db, unit_id, &u)))
        goto out;
    a = editable_of(before);
    json_object_update(a, in);
    if (json_is_null(json_object_get(a, "standards")))
        json_object_set_new(a, "standards", json_string(""));
    const char *old_cl = json_str(before, "checklist_id"), *new_cl = json_str(a, "checklist_id");
    int list_changed = (old_cl == NULL) != (new_cl == NULL) || (old_cl && strcmp(old_cl, new_cl));
    /* Detaching the list drops its derived counts unless the caller gives a manual result. */
    if (list_changed && !new_cl)
        for (size_t i = 0; i < sizeof MANUAL_RESULT / sizeof MANUAL_RESULT[0]; i++)
            if (!json_object_get(in, MANUAL_RESULT[i]))
                json_object_set_new(a, MANUAL_RESULT[i], json_null());
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = check_assessment(db, a, in, &u, list_changed)) ||
        (rc = db_prepare(db, SQL_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    bind_fields(s, 2, a);
    db_bind_text(s, 14, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (!rc && list_changed && (rc = run_id(db, SQL_DROP_ITEMS, id)))
        goto out;
    if (!rc && new_cl && list_changed)
        rc = recount(db, id, NULL);
    if (rc || (rc = row_json(db, id, &after)))
        goto out;
    if (!(rc = audit(db, ax, "assessment.update", id, u.org_id, before, after)))
        rc = refresh(db, id, unit_id);
out:
    json_decref(before);
    json_decref(a);
    json_decref(after);
    return rc;
}

static const char SQL_DELETE[] = "DELETE FROM assessments WHERE id = $1";

enum err assessment_delete(struct db *db, const struct audit_ctx *ax, long long id)
{
    json_t *before;
    enum err rc = open_row(db, id, &before);
    if (rc)
        return rc;
    long long unit_id = id_parse(json_str(before, "unit_id"));
    long long org = id_parse(json_str(before, "org_id"));
    if (!(rc = run_id(db, SQL_DROP_ITEMS, id)) &&
        !(rc = file_links_clear(db, FILE_OF_ASSESSMENT, id)) &&
        !(rc = run_id(db, SQL_DELETE, id)) &&
        !(rc = audit(db, ax, "assessment.delete", id, org, before, NULL)))
        rc = refresh(db, id, unit_id);
    json_decref(before);
    return rc;
}

static const char SQL_ITEMS[] =
    "SELECT ci.id, ci.item_no, ci.area, ci.requirement, ci.method, ai.result, ai.note, "
    "ai.updated_by, ai.updated_at FROM checklist_items ci LEFT JOIN assessment_items ai "
    "ON ai.item_id = ci.id AND ai.assessment_id = $2 WHERE ci.checklist_id = $1 "
    "ORDER BY ci.position";

enum err assessment_items_json(struct db *db, long long id, json_t **out)
{
    json_t *a, *list = NULL;
    enum err rc = row_json(db, id, &a);
    if (rc)
        return rc;
    const char *cl = json_str(a, "checklist_id");
    if (!cl) {
        json_decref(a);
        return errf(ERR_CONFLICT, NULL, "该评测未关联检查项清单");
    }
    struct db_stmt *s;
    if ((rc = checklist_json(db, id_parse(cl), 0, &list)) || (rc = db_prepare(db, SQL_ITEMS, &s)))
        goto out;
    db_bind_int(s, 1, id_parse(cl));
    db_bind_int(s, 2, id);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o}", "item_id",
                                        db_text(s, 0), "item_no", db_text(s, 1), "area",
                                        db_text(s, 2), "requirement", db_text(s, 3), "method",
                                        db_text(s, 4), "result", json_str_or_null(db_text(s, 5)),
                                        "note", db_text(s, 6) ? db_text(s, 6) : "", "updated_by",
                                        json_str_or_null(db_text(s, 7)), "updated_at",
                                        json_str_or_null(db_text(s, 8))));
    db_done(s);
    if (rc) {
        json_decref(items);
        goto out;
    }
    *out = json_pack("{s:O,s:o,s:O,s:O,s:O,s:O}", "checklist", list, "items", items, "items_passed",
                     json_object_get(a, "items_passed"), "items_failed",
                     json_object_get(a, "items_failed"), "items_na", json_object_get(a, "items_na"),
                     "score", json_object_get(a, "score"));
out:
    json_decref(list);
    json_decref(a);
    return rc;
}

static const char SQL_ITEM_OF[] =
    "SELECT COUNT(*) FROM checklist_items WHERE id = $1 AND checklist_id = $2";
static const char SQL_ITEM_SET[] =
    "INSERT INTO assessment_items (assessment_id, item_id, result, note, updated_by, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (assessment_id, item_id) DO UPDATE SET "
    "result = excluded.result, note = excluded.note, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at";

/* One element of an items array: {item_id, result, note?}, its item in the list. */
static enum err check_item(struct db *db, json_t *e, size_t i, long long checklist_id)
{
    static const struct jfield ITEM[] = {
        {"item_id", JT_ID, 1, 20, 0, 0, "检查项"},
        {"result", JT_STRING, 1, 8, 0, 0, "检查结果"},
        {"note", JT_STRING, 0, 2000, 0, 0, "说明"},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    if (!json_is_object(e))
        return errf(ERR_VALIDATION, "items", "第 %zu 项应为对象 {item_id, result, note}", i + 1);
    if (json_check(e, ITEM)) {
        char why[512];
        snprintf(why, sizeof why, "%s", err_last()->msg);
        return errf(ERR_VALIDATION, "items", "第 %zu 项：%s", i + 1, why);
    }
    const char *res = json_str(e, "result");
    if (strcmp(res, "pass") && strcmp(res, "fail") && strcmp(res, "na"))
        return errf(ERR_VALIDATION, "items",
                    "第 %zu 项：检查结果应为 pass（符合）、fail（不符合）或 na（不适用）", i + 1);
    struct db_stmt *s;
    long long n;
    enum err rc = db_prepare(db, SQL_ITEM_OF, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id_parse(json_str(e, "item_id")));
    db_bind_int(s, 2, checklist_id);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (!n)
        return errf(ERR_VALIDATION, "items", "第 %zu 项：检查项不属于该评测的检查项清单", i + 1);
    return ERR_OK;
}

enum err assessment_items_set(struct db *db, const struct audit_ctx *ax, long long id,
                              json_t *items)
{
    json_t *a;
    enum err rc = open_row(db, id, &a);
    if (rc)
        return rc;
    const char *cl = json_str(a, "checklist_id");
    long long org = id_parse(json_str(a, "org_id"));
    size_t i;
    json_t *e;
    if (!cl) {
        rc = errf(ERR_CONFLICT, NULL, "该评测未关联检查项清单");
        goto out;
    }
    if (!json_is_array(items) || !json_array_size(items)) {
        rc = errf(ERR_VALIDATION, "items", "至少填写一项检查结果");
        goto out;
    }
    json_array_foreach (items, i, e)
        if ((rc = check_item(db, e, i, id_parse(cl))))
            goto out;
    char now[40];
    time_now_iso(now);
    json_array_foreach (items, i, e) {
        struct db_stmt *s;
        if ((rc = db_prepare(db, SQL_ITEM_SET, &s)))
            goto out;
        const char *note = json_str(e, "note");
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, id_parse(json_str(e, "item_id")));
        db_bind_text(s, 3, json_str(e, "result"));
        db_bind_text(s, 4, note ? note : "");
        db_bind_text(s, 5, ax->actor_name);
        db_bind_text(s, 6, now);
        int row;
        rc = db_step(s, &row);
        db_done(s);
        if (rc)
            goto out;
    }
    long long n[3];
    char score[16];
    if ((rc = recount(db, id, n)))
        goto out;
    json_t *before =
        json_pack("{s:O,s:O,s:O,s:O}", "items_passed", json_object_get(a, "items_passed"),
                  "items_failed", json_object_get(a, "items_failed"), "items_na",
                  json_object_get(a, "items_na"), "score", json_object_get(a, "score"));
    json_t *after = json_pack(
        "{s:I,s:I,s:I,s:o,s:O}", "items_passed", (json_int_t)n[0], "items_failed", (json_int_t)n[1],
        "items_na", (json_int_t)n[2], "score",
        assess_score(n[0], n[1], score) ? json_string(score) : json_null(), "results", items);
    rc = audit(db, ax, "assessment.items", id, org, before, after);
    json_decref(before);
    json_decref(after);
out:
    json_decref(a);
    return rc;
}

static const char SQL_ITEM_TOTAL[] = "SELECT item_count FROM checklists WHERE id = $1";
static const char SQL_SUBMIT[] =
    "UPDATE assessments SET submitted_to = $2, submitted_at = $3, updated_at = $3 "
    "WHERE id = $1 AND submitted_at IS NULL";

/* What a submission needs: the end, the result, the report (331号 §三: 结果和证明材料). */
static enum err check_submittable(struct db *db, long long id, json_t *a)
{
    if (!json_str(a, "ended_on"))
        return errf(ERR_VALIDATION, "ended_on", "评测尚未结束，不能报送");
    const char *cl = json_str(a, "checklist_id");
    struct db_stmt *s;
    enum err rc;
    if (cl) {
        long long total, answered;
        if ((rc = db_prepare(db, SQL_ITEM_TOTAL, &s)))
            return rc;
        db_bind_int(s, 1, id_parse(cl));
        if ((rc = db_scalar_int(s, 0, &total)) || (rc = db_prepare(db, SQL_ANSWERED, &s)))
            return rc;
        db_bind_int(s, 1, id);
        if ((rc = db_scalar_int(s, 0, &answered)))
            return rc;
        if (answered < total)
            return errf(ERR_VALIDATION, "items", "尚有 %lld 项检查项未填写结果", total - answered);
    } else if (!json_str(a, "score") && !json_is_integer(json_object_get(a, "items_passed"))) {
        return errf(ERR_VALIDATION, "score", "请先填写评测结果（得分或符合项数）");
    }
    json_t *files;
    int has_report;
    if ((rc = file_links_json(db, FILE_OF_ASSESSMENT, id, &files, &has_report)))
        return rc;
    json_decref(files);
    if (!has_report)
        return errf(ERR_VALIDATION, "report", "请先上传并关联评测报告");
    return ERR_OK;
}

enum err assessment_submit(struct db *db, const struct audit_ctx *ax, long long id,
                           const char *submitted_to)
{
    json_t *a, *after = NULL;
    enum err rc = row_json(db, id, &a);
    if (rc)
        return rc;
    if (json_str(a, "submitted_at")) {
        rc = errf(ERR_CONFLICT, NULL, "评测结果已报送");
        goto out;
    }
    if (!submitted_to || !*submitted_to) {
        rc = errf(ERR_VALIDATION, "submitted_to", "请填写报送对象（电信主管部门）");
        goto out;
    }
    if ((rc = check_submittable(db, id, a)))
        goto out;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_SUBMIT, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, submitted_to);
    db_bind_text(s, 3, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = row_json(db, id, &after)))
        goto out;
    long long org = id_parse(json_str(a, "org_id")), unit = id_parse(json_str(a, "unit_id"));
    if (!(rc = audit(db, ax, "assessment.submit", id, org, a, after)))
        rc = refresh(db, id, unit);
out:
    json_decref(a);
    json_decref(after);
    return rc;
}

/* ---- check-item lists ---- */

enum err checklist_meta_check(const struct checklist_meta *m)
{
    if (!m->name || !*m->name || strlen(m->name) > 200)
        return errf(ERR_VALIDATION, "name", "清单名称不能为空（最多 200 字节）");
    if (!m->version || !*m->version || strlen(m->version) > 64)
        return errf(ERR_VALIDATION, "version", "版本不能为空（最多 64 字节）");
    if (!m->unit_type || !unit_type_name(m->unit_type))
        return errf(ERR_VALIDATION, "unit_type", "未知的网络单元类型");
    if (m->level < 1 || m->level > 5)
        return errf(ERR_VALIDATION, "level", "级别应为 1 至 5 的整数");
    return ERR_OK;
}

static int row_blank(const struct tab_row *row)
{
    for (size_t i = 0; i < row->n_cells; i++)
        if (*row->cells[i])
            return 0;
    return 1;
}

static void bad_row(json_t *bad, int line, const char *field, const char *msg)
{
    json_array_append_new(bad,
                          json_pack("{s:i,s:s,s:s}", "line", line, "field", field, "message", msg));
}

enum err checklist_rows_check(const struct tab *t, json_t **bad, size_t *n_items)
{
    int col[CL__COUNT];
    *bad = NULL;
    *n_items = 0;
    if (!t->n_rows)
        return errf(ERR_VALIDATION, "file", "文件为空");
    if (assess_checklist_columns(&t->rows[0], col)) {
        char missing[128] = "";
        for (int c = 0; c < CL__COUNT; c++)
            if (col[c] < 0)
                snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                         *missing ? "、" : "", assess_checklist_column_name(c));
        return errf(ERR_VALIDATION, "file",
                    "缺少列：%s（表头应为 序号、area、requirement、method）", missing);
    }
    static const size_t max_len[CL__COUNT] = {32, 200, 4000, 4000};
    json_t *seen = json_object();
    *bad = json_array();
    for (size_t r = 1; r < t->n_rows; r++) {
        const struct tab_row *row = &t->rows[r];
        if (row_blank(row))
            continue;
        char msg[160];
        for (int c = 0; c < CL__COUNT; c++) {
            const char *v = tab_cell(t, r, (size_t)col[c]);
            if (!*v) {
                snprintf(msg, sizeof msg, "第 %d 行：%s 为空", row->line,
                         assess_checklist_column_name(c));
                bad_row(*bad, row->line, assess_checklist_column_name(c), msg);
            } else if (strlen(v) > max_len[c]) {
                snprintf(msg, sizeof msg, "第 %d 行：%s 过长（最多 %zu 字节）", row->line,
                         assess_checklist_column_name(c), max_len[c]);
                bad_row(*bad, row->line, assess_checklist_column_name(c), msg);
            }
        }
        const char *no = tab_cell(t, r, (size_t)col[CL_NO]);
        if (*no && json_object_get(seen, no)) {
            snprintf(msg, sizeof msg, "第 %d 行：序号 %.40s 与第 %d 行重复", row->line, no,
                     (int)json_integer_value(json_object_get(seen, no)));
            bad_row(*bad, row->line, "序号", msg);
        } else if (*no) {
            json_object_set_new(seen, no, json_integer(row->line));
        }
        (*n_items)++;
    }
    json_decref(seen);
    if (!*n_items && !json_array_size(*bad)) {
        json_decref(*bad);
        *bad = NULL;
        return errf(ERR_VALIDATION, "file", "文件中没有检查项");
    }
    if (*n_items > MAX_CHECKLIST_ITEMS) {
        json_decref(*bad);
        *bad = NULL;
        return errf(ERR_VALIDATION, "file", "检查项过多（最多 %d 项）", MAX_CHECKLIST_ITEMS);
    }
    return ERR_OK;
}

static const char SQL_CL_DUP[] = "SELECT COUNT(*) FROM checklists WHERE name = $1 AND "
                                 "version = $2 AND unit_type = $3 AND level = $4";
static const char SQL_CL_INSERT[] =
    "INSERT INTO checklists (name, version, unit_type, level, source_name, item_count, "
    "imported_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char SQL_CL_ITEM[] =
    "INSERT INTO checklist_items (checklist_id, position, item_no, area, requirement, method) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

static enum err insert_items(struct db *db, long long id, const struct tab *t)
{
    int col[CL__COUNT];
    assess_checklist_columns(&t->rows[0], col);
    enum err rc = ERR_OK;
    int position = 0;
    for (size_t r = 1; !rc && r < t->n_rows; r++) {
        if (row_blank(&t->rows[r]))
            continue;
        struct db_stmt *s;
        if ((rc = db_prepare(db, SQL_CL_ITEM, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, ++position);
        for (int c = 0; c < CL__COUNT; c++)
            db_bind_text(s, 3 + c, tab_cell(t, r, (size_t)col[c]));
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

enum err checklist_insert(struct db *db, const struct audit_ctx *ax, const struct checklist_meta *m,
                          const struct tab *t, long long *id)
{
    json_t *bad;
    size_t n;
    struct db_stmt *s;
    long long dup;
    enum err rc = checklist_meta_check(m);
    if (rc || (rc = checklist_rows_check(t, &bad, &n)))
        return rc;
    size_t n_bad = json_array_size(bad);
    json_decref(bad);
    if (n_bad)
        return errf(ERR_VALIDATION, "file", "检查项清单有 %zu 行错误", n_bad);
    if ((rc = db_prepare(db, SQL_CL_DUP, &s)))
        return rc;
    db_bind_text(s, 1, m->name);
    db_bind_text(s, 2, m->version);
    db_bind_text(s, 3, m->unit_type);
    db_bind_int(s, 4, m->level);
    if ((rc = db_scalar_int(s, 0, &dup)))
        return rc;
    if (dup)
        return errf(ERR_CONFLICT, "version", "该清单的此版本已导入（名称、版本、类型和级别相同）");
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_CL_INSERT, &s)))
        return rc;
    db_bind_text(s, 1, m->name);
    db_bind_text(s, 2, m->version);
    db_bind_text(s, 3, m->unit_type);
    db_bind_int(s, 4, m->level);
    db_bind_text(s, 5, m->source_name ? m->source_name : "");
    db_bind_int(s, 6, (long long)n);
    db_bind_text(s, 7, ax->actor_name);
    db_bind_text(s, 8, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = insert_items(db, *id, t)))
        return rc;
    json_t *after;
    if ((rc = checklist_json(db, *id, 0, &after)))
        return rc;
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", *id);
    rc = audit_append(db, ax, "checklist.import", "checklist", idbuf, 0, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_CL_ONE[] =
    "SELECT id, name, version, unit_type, level, source_name, item_count, imported_by, created_at "
    "FROM checklists WHERE id = $1";
static const char SQL_CL_ITEMS[] = "SELECT id, item_no, area, requirement, method "
                                   "FROM checklist_items WHERE checklist_id = $1 ORDER BY position";

json_t *checklist_row_json(struct db_stmt *s)
{
    const char *type = db_text(s, 3);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:s,s:s}", "id", db_text(s, 0), "name",
                     db_text(s, 1), "version", db_text(s, 2), "unit_type", type, "unit_type_name",
                     unit_type_name(type) ? unit_type_name(type) : type, "level",
                     (json_int_t)db_int(s, 4), "source_name", db_text(s, 5), "item_count",
                     (json_int_t)db_int(s, 6), "imported_by", db_text(s, 7), "created_at",
                     db_text(s, 8));
}

enum err checklist_json(struct db *db, long long id, int with_items, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_CL_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *c = NULL;
    if (!(rc = db_step(s, &row)) && row)
        c = checklist_row_json(s);
    db_done(s);
    if (!rc && !c)
        rc = errf(ERR_NOT_FOUND, NULL, "检查项清单不存在");
    if (rc || !with_items || (rc = db_prepare(db, SQL_CL_ITEMS, &s)))
        goto out;
    db_bind_int(s, 1, id);
    json_t *items = json_array();
    json_object_set_new(c, "items", items);
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", db_text(s, 0), "item_no",
                                        db_text(s, 1), "area", db_text(s, 2), "requirement",
                                        db_text(s, 3), "method", db_text(s, 4)));
    db_done(s);
out:
    if (rc) {
        json_decref(c);
        c = NULL;
    }
    *out = c;
    return rc;
}
