/* 风险评估: the assessments, their identification tables, R7 risk computation on the server,
 * treatment plans, submission, and the versioned matrix tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/rules.h"
#include "assess/upload.h"
#include "audit/audit.h"
#include "duty/duty.h"
#include "duty/rules.h"
#include "risk.h"
#include "store/store.h"
#include "timeutil.h"

static const char *const METHOD_NAMES[][2] = {{"multiply", "相乘法"}, {"matrix", "矩阵法"}};
static const char *const STATUS_NAMES[][2] = {
    {"in_progress", "评估中"}, {"ended", "已结束，待报送"}, {"submitted", "已报送"}};
static const char *const ACTION_NAMES[][2] = {
    {"accept", "接受"}, {"mitigate", "降低（整改）"}, {"transfer", "转移"}, {"avoid", "规避"}};
static const char *const TREATMENT_STATUS[][2] = {
    {"open", "未开始"}, {"in_progress", "处置中"}, {"done", "已完成"}};

static const char *lookup(const char *const table[][2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(table[i][0], code))
            return table[i][1];
    return NULL;
}
#define LOOKUP(t, c) lookup(t, sizeof t / sizeof t[0], c)

static char *id_text(long long id, char buf[24])
{
    snprintf(buf, 24, "%lld", id);
    return buf;
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

/* 331号 §四: results within 30 days of the end. */
static json_t *submit_due(const char *ended_on)
{
    struct date d;
    char due[11];
    if (!ended_on || date_parse(ended_on, &d))
        return json_null();
    date_format(date_add_days(d, duty_ruleset_default()->submit_days), due);
    return json_string(due);
}

json_t *risk_assessment_row_json(struct db_stmt *s)
{
    const char *method = db_text(s, 6), *ended = db_text(s, 14), *submitted = db_text(s, 16);
    const char *status = submitted ? "submitted" : ended ? "ended" : "in_progress";
    const char *method_name = LOOKUP(METHOD_NAMES, method);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:o,"
        "s:s,s:s,s:s}",
        "id", db_text(s, 0), "unit_id", db_text(s, 1), "unit_name", db_text(s, 2), "org_id",
        db_text(s, 3), "org_name", db_text(s, 4), "scope", db_text(s, 5), "method", method,
        "method_name", method_name ? method_name : method, "table_version", db_text(s, 7),
        "pre_launch", (int)db_int(s, 8), "business", db_text(s, 9), "overview", db_text(s, 10),
        "criteria", db_text(s, 11), "conclusion", db_text(s, 12), "started_on", db_text(s, 13),
        "ended_on", json_str_or_null(ended), "status", status, "status_name",
        LOOKUP(STATUS_NAMES, status), "submit_due", submit_due(ended), "submitted_to",
        json_str_or_null(db_text(s, 15)), "submitted_at", json_str_or_null(submitted), "created_by",
        db_text(s, 17), "created_at", db_text(s, 18), "updated_at", db_text(s, 19));
}

static const char SQL_ONE[] = RISK_ASSESSMENT_COLS "WHERE ra.id = $1";

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
        *out = risk_assessment_row_json(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "风险评估记录不存在");
    return rc;
}

static const char SQL_ORG[] = "SELECT org_id FROM risk_assessments WHERE id = $1";

enum err risk_assessment_org(struct db *db, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, org_id);
    if (!rc && *org_id < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "风险评估记录不存在");
    return rc;
}

/* ---- the identification tables ---- */

#define END_FIELDS                                                                                 \
    {                                                                                              \
        NULL, 0, 0, 0, 0, 0, NULL                                                                  \
    }

struct ref {
    const char *field; /* a JT_ID field */
    const char *sql;   /* COUNT(*) of the row $1 in assessment $2 */
    const char *label;
};
struct dependant {
    const char *sql; /* COUNT(*) of rows referring to $1 */
    const char *msg;
};

struct risk_child_kind {
    const char *path;   /* the route segment and the key in the assessment's JSON */
    const char *entity; /* audit entity */
    const char *label;
    const struct jfield *fields; /* stored columns, in the order of the statements below */
    const char *derived;         /* an INTEGER column after the fields, computed by derive() */
    int (*derive)(json_t *row);
    const struct ref *refs;
    const struct dependant *dependants;
    const char *const *before_delete; /* statements on $1 = row id run before deleting it */
    int feeds_r7;                     /* a change recomputes the risks */
    /* insert: $1 ra, fields from $2, derived, created_at; RETURNING id.
     * update: $1 id, $2 ra, fields from $3, derived. one: $1 id, $2 ra. list: $1 ra. */
    const char *sql_insert, *sql_update, *sql_one, *sql_list, *sql_delete;
    const char *json_key;
};

static const struct jfield BUSINESS_FIELDS[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "业务名称"},
    {"description", JT_STRING, 0, 4000, 0, 0, "业务描述"},
    {"importance", JT_INT, 1, 0, 1, 5, "业务重要性"},
    END_FIELDS,
};
static const struct jfield ASSET_FIELDS[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "资产名称"},
    {"kind", JT_STRING, 0, 100, 0, 0, "资产类型"},
    {"description", JT_STRING, 0, 4000, 0, 0, "资产描述"},
    {"business_id", JT_ID, 0, 20, 0, 0, "所属业务"},
    {"confidentiality", JT_INT, 1, 0, 1, 5, "保密性赋值"},
    {"integrity", JT_INT, 1, 0, 1, 5, "完整性赋值"},
    {"availability", JT_INT, 1, 0, 1, 5, "可用性赋值"},
    END_FIELDS,
};
static const struct jfield THREAT_FIELDS[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "威胁名称"},
    {"category", JT_STRING, 0, 100, 0, 0, "威胁分类"},
    {"description", JT_STRING, 0, 4000, 0, 0, "威胁描述"},
    {"frequency", JT_INT, 1, 0, 1, 5, "威胁频率"},
    END_FIELDS,
};
static const struct jfield VULN_FIELDS[] = {
    {"name", JT_STRING, 1, 200, 0, 0, "脆弱性名称"},
    {"description", JT_STRING, 0, 4000, 0, 0, "脆弱性描述"},
    {"asset_id", JT_ID, 1, 20, 0, 0, "所属资产"},
    {"threat_id", JT_ID, 1, 20, 0, 0, "可利用的威胁"},
    {"severity", JT_INT, 1, 0, 1, 5, "脆弱性严重程度"},
    END_FIELDS,
};
static const struct jfield CONTROL_FIELDS[] = {
    {"description", JT_STRING, 1, 4000, 0, 0, "已有安全措施"},
    {"vuln_id", JT_ID, 0, 20, 0, 0, "关联的脆弱性"},
    END_FIELDS,
};

/* R7: the asset value from its C/I/A ratings by R1's S rule. */
static int derive_asset_value(json_t *row)
{
    int v =
        risk_asset_value((int)json_int(row, "confidentiality", 0),
                         (int)json_int(row, "integrity", 0), (int)json_int(row, "availability", 0));
    json_object_set_new(row, "value", json_integer(v));
    return v;
}

static const struct ref ASSET_REFS[] = {
    {"business_id", "SELECT COUNT(*) FROM risk_business WHERE id = $1 AND risk_assessment_id = $2",
     "所属业务"},
    {NULL, NULL, NULL},
};
static const struct ref VULN_REFS[] = {
    {"asset_id", "SELECT COUNT(*) FROM risk_assets WHERE id = $1 AND risk_assessment_id = $2",
     "所属资产"},
    {"threat_id", "SELECT COUNT(*) FROM risk_threats WHERE id = $1 AND risk_assessment_id = $2",
     "可利用的威胁"},
    {NULL, NULL, NULL},
};
static const struct ref CONTROL_REFS[] = {
    {"vuln_id", "SELECT COUNT(*) FROM risk_vulns WHERE id = $1 AND risk_assessment_id = $2",
     "关联的脆弱性"},
    {NULL, NULL, NULL},
};
static const struct ref NO_REFS[] = {{NULL, NULL, NULL}};

static const struct dependant BUSINESS_DEPS[] = {
    {"SELECT COUNT(*) FROM risk_assets WHERE business_id = $1",
     "该业务下有资产，请先修改或删除这些资产"},
    {NULL, NULL},
};
static const struct dependant ASSET_DEPS[] = {
    {"SELECT COUNT(*) FROM risk_vulns WHERE asset_id = $1",
     "该资产关联了脆弱性，请先删除这些脆弱性"},
    {NULL, NULL},
};
static const struct dependant THREAT_DEPS[] = {
    {"SELECT COUNT(*) FROM risk_vulns WHERE threat_id = $1",
     "该威胁关联了脆弱性，请先删除这些脆弱性"},
    {NULL, NULL},
};
static const struct dependant VULN_DEPS[] = {
    {"SELECT COUNT(*) FROM risk_controls WHERE vuln_id = $1",
     "该脆弱性关联了已有安全措施，请先修改或删除这些措施"},
    {NULL, NULL},
};
static const struct dependant NO_DEPS[] = {{NULL, NULL}};

/* A vulnerability's risk (and its treatment) goes with it. */
static const char *const VULN_BEFORE_DELETE[] = {
    "DELETE FROM risk_treatments WHERE risk_id IN (SELECT id FROM risks WHERE vuln_id = $1)",
    "DELETE FROM risks WHERE vuln_id = $1",
    NULL,
};
static const char *const NOTHING_BEFORE[] = {NULL};

static const struct risk_child_kind KINDS[] = {
    {
        .path = "business",
        .entity = "risk_business",
        .label = "业务",
        .fields = BUSINESS_FIELDS,
        .refs = NO_REFS,
        .dependants = BUSINESS_DEPS,
        .before_delete = NOTHING_BEFORE,
        .sql_insert = "INSERT INTO risk_business (risk_assessment_id, name, description, "
                      "importance, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        .sql_update = "UPDATE risk_business SET name = $3, description = $4, importance = $5 "
                      "WHERE id = $1 AND risk_assessment_id = $2",
        .sql_one = "SELECT id, name, description, importance, created_at FROM risk_business "
                   "WHERE id = $1 AND risk_assessment_id = $2",
        .sql_list = "SELECT id, name, description, importance, created_at FROM risk_business "
                    "WHERE risk_assessment_id = $1 ORDER BY id",
        .sql_delete = "DELETE FROM risk_business WHERE id = $1 AND risk_assessment_id = $2",
        .json_key = "business_entries",
    },
    {
        .path = "assets",
        .entity = "risk_asset",
        .label = "资产",
        .fields = ASSET_FIELDS,
        .derived = "value",
        .derive = derive_asset_value,
        .refs = ASSET_REFS,
        .dependants = ASSET_DEPS,
        .before_delete = NOTHING_BEFORE,
        .feeds_r7 = 1,
        .sql_insert = "INSERT INTO risk_assets (risk_assessment_id, name, kind, description, "
                      "business_id, confidentiality, integrity, availability, value, created_at) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        .sql_update = "UPDATE risk_assets SET name = $3, kind = $4, description = $5, "
                      "business_id = $6, confidentiality = $7, integrity = $8, availability = $9, "
                      "value = $10 WHERE id = $1 AND risk_assessment_id = $2",
        .sql_one = "SELECT id, name, kind, description, business_id, confidentiality, integrity, "
                   "availability, value, created_at FROM risk_assets "
                   "WHERE id = $1 AND risk_assessment_id = $2",
        .sql_list = "SELECT id, name, kind, description, business_id, confidentiality, integrity, "
                    "availability, value, created_at FROM risk_assets "
                    "WHERE risk_assessment_id = $1 ORDER BY id",
        .sql_delete = "DELETE FROM risk_assets WHERE id = $1 AND risk_assessment_id = $2",
        .json_key = "assets",
    },
    {
        .path = "threats",
        .entity = "risk_threat",
        .label = "威胁",
        .fields = THREAT_FIELDS,
        .refs = NO_REFS,
        .dependants = THREAT_DEPS,
        .before_delete = NOTHING_BEFORE,
        .feeds_r7 = 1,
        .sql_insert = "INSERT INTO risk_threats (risk_assessment_id, name, category, description, "
                      "frequency, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        .sql_update = "UPDATE risk_threats SET name = $3, category = $4, description = $5, "
                      "frequency = $6 WHERE id = $1 AND risk_assessment_id = $2",
        .sql_one = "SELECT id, name, category, description, frequency, created_at "
                   "FROM risk_threats WHERE id = $1 AND risk_assessment_id = $2",
        .sql_list = "SELECT id, name, category, description, frequency, created_at "
                    "FROM risk_threats WHERE risk_assessment_id = $1 ORDER BY id",
        .sql_delete = "DELETE FROM risk_threats WHERE id = $1 AND risk_assessment_id = $2",
        .json_key = "threats",
    },
    {
        .path = "vulns",
        .entity = "risk_vuln",
        .label = "脆弱性",
        .fields = VULN_FIELDS,
        .refs = VULN_REFS,
        .dependants = VULN_DEPS,
        .before_delete = VULN_BEFORE_DELETE,
        .feeds_r7 = 1,
        .sql_insert = "INSERT INTO risk_vulns (risk_assessment_id, name, description, asset_id, "
                      "threat_id, severity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                      "RETURNING id",
        .sql_update = "UPDATE risk_vulns SET name = $3, description = $4, asset_id = $5, "
                      "threat_id = $6, severity = $7 WHERE id = $1 AND risk_assessment_id = $2",
        .sql_one = "SELECT id, name, description, asset_id, threat_id, severity, created_at "
                   "FROM risk_vulns WHERE id = $1 AND risk_assessment_id = $2",
        .sql_list = "SELECT id, name, description, asset_id, threat_id, severity, created_at "
                    "FROM risk_vulns WHERE risk_assessment_id = $1 ORDER BY id",
        .sql_delete = "DELETE FROM risk_vulns WHERE id = $1 AND risk_assessment_id = $2",
        .json_key = "vulns",
    },
    {
        .path = "controls",
        .entity = "risk_control",
        .label = "已有安全措施",
        .fields = CONTROL_FIELDS,
        .refs = CONTROL_REFS,
        .dependants = NO_DEPS,
        .before_delete = NOTHING_BEFORE,
        .sql_insert = "INSERT INTO risk_controls (risk_assessment_id, description, vuln_id, "
                      "created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        .sql_update = "UPDATE risk_controls SET description = $3, vuln_id = $4 "
                      "WHERE id = $1 AND risk_assessment_id = $2",
        .sql_one = "SELECT id, description, vuln_id, created_at FROM risk_controls "
                   "WHERE id = $1 AND risk_assessment_id = $2",
        .sql_list = "SELECT id, description, vuln_id, created_at FROM risk_controls "
                    "WHERE risk_assessment_id = $1 ORDER BY id",
        .sql_delete = "DELETE FROM risk_controls WHERE id = $1 AND risk_assessment_id = $2",
        .json_key = "controls",
    },
};
enum { N_KINDS = sizeof KINDS / sizeof KINDS[0] };

const struct risk_child_kind *risk_child_kind_find(const char *path)
{
    for (size_t i = 0; path && i < N_KINDS; i++)
        if (!strcmp(KINDS[i].path, path))
            return &KINDS[i];
    return NULL;
}

const struct jfield *risk_child_fields(const struct risk_child_kind *k, int patch,
                                       struct jfield *buf)
{
    size_t n = 0;
    for (; k->fields[n].name; n++) {
        buf[n] = k->fields[n];
        if (patch && buf[n].required)
            buf[n].required = 2;
    }
    buf[n] = (struct jfield)END_FIELDS;
    return buf;
}

static json_t *child_row_json(const struct risk_child_kind *k, struct db_stmt *s)
{
    json_t *o = json_object();
    int col = 0;
    json_object_set_new(o, "id", json_string(db_text(s, col++)));
    for (const struct jfield *f = k->fields; f->name; f++, col++) {
        json_t *v;
        if (db_null(s, col))
            v = json_null();
        else if (f->type == JT_INT)
            v = json_integer(db_int(s, col));
        else
            v = json_string(db_text(s, col));
        json_object_set_new(o, f->name, v);
    }
    if (k->derived)
        json_object_set_new(o, k->derived, json_integer(db_int(s, col++)));
    json_object_set_new(o, "created_at", json_string(db_text(s, col)));
    return o;
}

enum err risk_child_json(struct db *db, const struct risk_child_kind *k, long long ra, long long id,
                         json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, k->sql_one, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, ra);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = child_row_json(k, s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "%s不存在", k->label);
    return rc;
}

enum err risk_child_list_json(struct db *db, const struct risk_child_kind *k, long long ra,
                              json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, k->sql_list, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, ra);
    json_t *arr = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(arr, child_row_json(k, s));
    db_done(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return ERR_OK;
}

/* Binds the stored columns of row from index first: the fields, then the derived column. */
static int bind_row(const struct risk_child_kind *k, struct db_stmt *s, int idx, json_t *row)
{
    for (const struct jfield *f = k->fields; f->name; f++, idx++) {
        json_t *v = json_object_get(row, f->name);
        if (f->type == JT_INT)
            db_bind_int(s, idx, json_integer_value(v));
        else if (f->type == JT_ID && json_is_string(v))
            db_bind_int(s, idx, id_parse(json_string_value(v)));
        else if (f->type == JT_ID)
            db_bind_null(s, idx);
        else
            db_bind_text(s, idx, json_is_string(v) ? json_string_value(v) : "");
    }
    if (k->derived)
        db_bind_int(s, idx++, json_integer_value(json_object_get(row, k->derived)));
    return idx;
}

/* References must be rows of the same assessment. */
static enum err check_refs(struct db *db, const struct risk_child_kind *k, long long ra,
                           json_t *row)
{
    for (const struct ref *ref = k->refs; ref->field; ref++) {
        const char *v = json_str(row, ref->field);
        if (!v)
            continue;
        struct db_stmt *s;
        long long n;
        enum err rc = db_prepare(db, ref->sql, &s);
        if (rc)
            return rc;
        db_bind_int(s, 1, id_parse(v));
        db_bind_int(s, 2, ra);
        if ((rc = db_scalar_int(s, 0, &n)))
            return rc;
        if (!n)
            return errf(ERR_VALIDATION, ref->field, "%s不存在（应为本次评估中的记录）", ref->label);
    }
    if (k->derive)
        k->derive(row);
    return ERR_OK;
}

static enum err child_audit(struct db *db, const struct audit_ctx *ax,
                            const struct risk_child_kind *k, const char *verb, long long ra,
                            long long id, json_t *before, json_t *after)
{
    long long org;
    char action[48], idbuf[24];
    enum err rc = risk_assessment_org(db, ra, &org);
    if (rc)
        return rc;
    snprintf(action, sizeof action, "%s.%s", k->entity, verb);
    /* The record names the assessment too, so its history can be read in one place. */
    json_t *b = NULL, *a = NULL;
    id_text(ra, idbuf);
    if (before) {
        b = json_pack("{s:s}", "risk_assessment_id", idbuf);
        json_object_update(b, before);
    }
    if (after) {
        a = json_pack("{s:s}", "risk_assessment_id", idbuf);
        json_object_update(a, after);
    }
    rc = audit_append(db, ax, action, k->entity, id_text(id, idbuf), org, b, a);
    json_decref(b);
    json_decref(a);
    return rc;
}

static enum err risk_recompute(struct db *db, long long ra);

enum err risk_child_add(struct db *db, const struct audit_ctx *ax, const struct risk_child_kind *k,
                        long long ra, json_t *in, long long *id)
{
    json_t *row = json_deep_copy(in), *after = NULL;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = risk_assessment_check_open(db, ra);
    if (rc || (rc = check_refs(db, k, ra, row)) || (rc = db_prepare(db, k->sql_insert, &s)))
        goto out;
    db_bind_int(s, 1, ra);
    db_bind_text(s, bind_row(k, s, 2, row), now);
    int r;
    if (!(rc = db_step(s, &r)) && r)
        *id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = risk_child_json(db, k, ra, *id, &after)) ||
        (rc = child_audit(db, ax, k, "create", ra, *id, NULL, after)))
        goto out;
    if (k->feeds_r7)
        rc = risk_recompute(db, ra);
out:
    json_decref(row);
    json_decref(after);
    return rc;
}

enum err risk_child_update(struct db *db, const struct audit_ctx *ax,
                           const struct risk_child_kind *k, long long ra, long long id, json_t *in)
{
    json_t *before = NULL, *row = NULL, *after = NULL;
    enum err rc = risk_assessment_check_open(db, ra);
    if (rc || (rc = risk_child_json(db, k, ra, id, &before)))
        return rc;
    /* The stored fields, the change on top, then the whole row checked as if it were new. */
    row = json_object();
    for (const struct jfield *f = k->fields; f->name; f++)
        json_object_set(row, f->name, json_object_get(before, f->name));
    json_object_update(row, in);
    struct db_stmt *s;
    if ((rc = json_check(row, k->fields)) || (rc = check_refs(db, k, ra, row)) ||
        (rc = db_prepare(db, k->sql_update, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, ra);
    bind_row(k, s, 3, row);
    int r;
    rc = db_step(s, &r);
    db_done(s);
    if (rc || (rc = risk_child_json(db, k, ra, id, &after)) ||
        (rc = child_audit(db, ax, k, "update", ra, id, before, after)))
        goto out;
    if (k->feeds_r7)
        rc = risk_recompute(db, ra);
out:
    json_decref(before);
    json_decref(row);
    json_decref(after);
    return rc;
}

enum err risk_child_delete(struct db *db, const struct audit_ctx *ax,
                           const struct risk_child_kind *k, long long ra, long long id)
{
    json_t *before = NULL;
    enum err rc = risk_assessment_check_open(db, ra);
    if (rc || (rc = risk_child_json(db, k, ra, id, &before)))
        return rc;
    for (const struct dependant *d = k->dependants; d->sql && !rc; d++) {
        struct db_stmt *s;
        long long n;
        if ((rc = db_prepare(db, d->sql, &s)))
            break;
        db_bind_int(s, 1, id);
        if (!(rc = db_scalar_int(s, 0, &n)) && n)
            rc = errf(ERR_CONFLICT, NULL, "%s", d->msg);
    }
    for (const char *const *sql = k->before_delete; *sql && !rc; sql++)
        rc = run_id(db, *sql, id);
    if (!rc) {
        struct db_stmt *s;
        if (!(rc = db_prepare(db, k->sql_delete, &s))) {
            db_bind_int(s, 1, id);
            db_bind_int(s, 2, ra);
            int r;
            rc = db_step(s, &r);
            db_done(s);
        }
    }
    if (!rc)
        rc = child_audit(db, ax, k, "delete", ra, id, before, NULL);
    if (!rc && k->feeds_r7)
        rc = risk_recompute(db, ra);
    json_decref(before);
    return rc;
}

/* ---- R7 on the server ---- */

static const char SQL_MATRIX_CURRENT[] = "SELECT body FROM risk_matrices ORDER BY id DESC LIMIT 1";
static const char SQL_MATRIX_VERSION[] = "SELECT body FROM risk_matrices WHERE version = $1";

static enum err matrix_from_body(const char *body, struct risk_matrix *m, char version[65])
{
    json_t *j = json_loads(body, 0, NULL);
    enum err rc =
        j ? risk_matrix_from_json(j, m, version) : errf(ERR_INTERNAL, NULL, "风险矩阵数据损坏");
    json_decref(j);
    return rc;
}

static void matrix_default(struct risk_matrix *m, char version[65])
{
    *m = *risk_matrix_default();
    snprintf(version, 65, "%s", m->version);
    m->version = version;
}

enum err risk_matrix_current(struct db *db, struct risk_matrix *m, char version[65])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_MATRIX_CURRENT, &s);
    if (rc)
        return rc;
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        rc = matrix_from_body(db_text(s, 0), m, version);
    }
    db_done(s);
    if (!rc && !found)
        matrix_default(m, version);
    return rc;
}

/* The table a stored assessment names: its results stay reproducible after a new version. */
static enum err matrix_by_version(struct db *db, const char *wanted, struct risk_matrix *m,
                                  char version[65])
{
    if (!strcmp(wanted, risk_matrix_default()->version)) {
        matrix_default(m, version);
        return ERR_OK;
    }
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_MATRIX_VERSION, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, wanted);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        rc = matrix_from_body(db_text(s, 0), m, version);
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_CONFLICT, "table_version", "风险矩阵版本 %s 不存在", wanted);
    return rc;
}

static const char SQL_RA_METHOD[] =
    "SELECT method, table_version FROM risk_assessments WHERE id = $1";
static const char SQL_RISK_INPUTS[] =
    "SELECT v.id, a.value, t.frequency, v.severity FROM risk_vulns v "
    "JOIN risk_assets a ON a.id = v.asset_id JOIN risk_threats t ON t.id = v.threat_id "
    "WHERE v.risk_assessment_id = $1 ORDER BY v.id";
static const char SQL_RISK_UPSERT[] =
    "INSERT INTO risks (risk_assessment_id, vuln_id, asset_value, threat_frequency, severity, "
    "likelihood, loss, value, level, level_name, method, table_version, computed_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
    "ON CONFLICT (vuln_id) DO UPDATE SET asset_value = excluded.asset_value, "
    "threat_frequency = excluded.threat_frequency, severity = excluded.severity, "
    "likelihood = excluded.likelihood, loss = excluded.loss, value = excluded.value, "
    "level = excluded.level, level_name = excluded.level_name, method = excluded.method, "
    "table_version = excluded.table_version, computed_at = excluded.computed_at";

static enum err upsert_risk(struct db *db, long long ra, long long vuln, int ia, int t, int va,
                            const struct risk_result *res, const char *now)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RISK_UPSERT, &s);
    if (rc)
        return rc;
    long long ints[] = {ra, vuln, ia, t, va, res->likelihood, res->loss, res->value, res->level};
    for (int i = 0; i < 9; i++)
        db_bind_int(s, 1 + i, ints[i]);
    db_bind_text(s, 10, res->level_name);
    db_bind_text(s, 11, res->method);
    db_bind_text(s, 12, res->version);
    db_bind_text(s, 13, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

/* R7: every risk of the assessment from the stored ratings, by its method and table version. */
static enum err risk_recompute(struct db *db, long long ra)
{
    struct db_stmt *s;
    char method[16] = "", table[65] = "", version[65], now[40];
    struct risk_matrix m;
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_RA_METHOD, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, ra);
    int row;
    if (!(rc = db_step(s, &row)) && row) {
        snprintf(method, sizeof method, "%s", db_text(s, 0));
        snprintf(table, sizeof table, "%s", db_text(s, 1));
    }
    db_done(s);
    int matrix = !strcmp(method, "matrix");
    if (rc || (matrix && (rc = matrix_by_version(db, table, &m, version))) ||
        (rc = db_prepare(db, SQL_RISK_INPUTS, &s)))
        return rc;
    db_bind_int(s, 1, ra);
    while (!(rc = db_step(s, &row)) && row) {
        int ia = (int)db_int(s, 1), t = (int)db_int(s, 2), va = (int)db_int(s, 3);
        struct risk_result res;
        if ((rc = matrix ? risk_calc_matrix(&m, ia, t, va, &res)
                         : risk_calc_multiply(ia, t, va, &res)) ||
            (rc = upsert_risk(db, ra, db_int(s, 0), ia, t, va, &res, now)))
            break;
    }
    db_done(s);
    return rc;
}

static const char SQL_RISKS[] =
    "SELECT r.id, r.vuln_id, v.name, a.id, a.name, t.id, t.name, r.asset_value, "
    "r.threat_frequency, r.severity, r.likelihood, r.loss, r.value, r.level, r.level_name, "
    "r.method, r.table_version, r.computed_at, tr.action, tr.owner, tr.due_date, tr.status, "
    "tr.note, tr.updated_by, tr.updated_at FROM risks r JOIN risk_vulns v ON v.id = r.vuln_id "
    "JOIN risk_assets a ON a.id = v.asset_id JOIN risk_threats t ON t.id = v.threat_id "
    "LEFT JOIN risk_treatments tr ON tr.risk_id = r.id WHERE r.risk_assessment_id = $1 "
    "ORDER BY r.value DESC, r.id";

static json_t *treatment_json(struct db_stmt *s, int c)
{
    if (db_null(s, c))
        return json_null();
    const char *action = db_text(s, c), *status = db_text(s, c + 3);
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s}", "action", action, "action_name",
                     LOOKUP(ACTION_NAMES, action) ? LOOKUP(ACTION_NAMES, action) : action, "owner",
                     db_text(s, c + 1), "due_date", json_str_or_null(db_text(s, c + 2)), "status",
                     status, "status_name",
                     LOOKUP(TREATMENT_STATUS, status) ? LOOKUP(TREATMENT_STATUS, status) : status,
                     "note", db_text(s, c + 4), "updated_by", db_text(s, c + 5), "updated_at",
                     db_text(s, c + 6));
}

enum err risk_list_json(struct db *db, long long ra, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RISKS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, ra);
    json_t *arr = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        static const char *const ints[] = {
            "asset_value", "threat_frequency", "severity", "likelihood", "loss", "value", "level"};
        json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", db_text(s, 0), "vuln_id",
                              db_text(s, 1), "vuln_name", db_text(s, 2), "asset_id", db_text(s, 3),
                              "asset_name", db_text(s, 4), "threat_id", db_text(s, 5),
                              "threat_name", db_text(s, 6));
        for (int i = 0; i < 7; i++)
            json_object_set_new(r, ints[i], json_integer(db_int(s, 7 + i)));
        json_object_set_new(r, "level_name", json_string(db_text(s, 14)));
        json_object_set_new(r, "method", json_string(db_text(s, 15)));
        json_object_set_new(r, "table_version", json_string(db_text(s, 16)));
        json_object_set_new(r, "computed_at", json_string(db_text(s, 17)));
        json_object_set_new(r, "treatment", treatment_json(s, 18));
        json_array_append_new(arr, r);
    }
    db_done(s);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return ERR_OK;
}

/* 风险评价: how many risks per level, and what still lacks a plan (中 and above). */
static json_t *summary_of(json_t *risks)
{
    long long by_level[6] = {0}, untreated = 0, open = 0;
    size_t i;
    json_t *r;
    json_array_foreach (risks, i, r) {
        long long level = json_int(r, "level", 0);
        json_t *t = json_object_get(r, "treatment");
        if (level >= 1 && level <= 5)
            by_level[level]++;
        if (level >= 3 && !json_is_object(t))
            untreated++;
        if (json_is_object(t) && strcmp(json_str(t, "status"), "done"))
            open++;
    }
    json_t *levels = json_array();
    for (int l = 1; l <= 5; l++)
        json_array_append_new(levels,
                              json_pack("{s:i,s:s,s:I}", "level", l, "name", risk_level_name(l),
                                        "count", (json_int_t)by_level[l]));
    return json_pack("{s:I,s:o,s:I,s:I}", "total", (json_int_t)json_array_size(risks), "by_level",
                     levels, "untreated", (json_int_t)untreated, "treatments_open",
                     (json_int_t)open);
}

enum err risk_assessment_json(struct db *db, long long id, int full, json_t **out)
{
    json_t *ra, *v;
    enum err rc = row_json(db, id, &ra);
    if (rc || !full)
        goto out;
    for (size_t i = 0; i < N_KINDS && !rc; i++)
        if (!(rc = risk_child_list_json(db, &KINDS[i], id, &v)))
            json_object_set_new(ra, KINDS[i].json_key, v);
    if (rc || (rc = risk_list_json(db, id, &v)))
        goto out;
    json_object_set_new(ra, "risks", v);
    json_object_set_new(ra, "summary", summary_of(v));
    if (!(rc = file_links_json(db, FILE_OF_RISK, id, &v, NULL)))
        json_object_set_new(ra, "files", v);
out:
    if (rc) {
        json_decref(ra);
        ra = NULL;
    }
    *out = ra;
    return rc;
}

/* ---- the assessments ---- */

static const char *const EDITABLE[] = {"scope",      "method",     "pre_launch",
                                       "business",   "overview",   "criteria",
                                       "conclusion", "started_on", "ended_on"};

static json_t *editable_of(json_t *ra)
{
    json_t *e = json_object();
    for (size_t i = 0; i < sizeof EDITABLE / sizeof EDITABLE[0]; i++) {
        json_t *v = json_object_get(ra, EDITABLE[i]);
        json_object_set(e, EDITABLE[i], v ? v : json_null());
    }
    return e;
}

static const char SQL_UNIT[] = "SELECT org_id, status FROM units WHERE id = $1";

static enum err unit_info(struct db *db, long long unit_id, long long *org, char status[16])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNIT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, unit_id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        *org = db_int(s, 0);
        snprintf(status, 16, "%s", db_text(s, 1));
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "网络单元不存在");
    return rc;
}

/* Cross-field rules; was_pre_launch tells whether the stored row already had the flag. */
static enum err check_ra(json_t *a, int was_pre_launch, const char *unit_status)
{
    const char *method = json_str(a, "method");
    if (!method || !LOOKUP(METHOD_NAMES, method))
        return errf(ERR_VALIDATION, "method",
                    "风险计算方法应为 multiply（相乘法）或 matrix（矩阵法）");
    enum err rc = assess_dates_check(json_str(a, "started_on"), json_str(a, "ended_on"),
                                     date_today_shanghai(), "started_on", "ended_on");
    if (rc)
        return rc;
    /* 331号 §四: 上线前评估 is for a unit not yet in operation. */
    if (json_is_true(json_object_get(a, "pre_launch")) && !was_pre_launch &&
        strcmp(unit_status, "planned"))
        return errf(ERR_VALIDATION, "pre_launch", "上线前评估只适用于规划建设中的网络单元");
    return ERR_OK;
}

/* The table version stored with an assessment: R7's for multiplication, the current matrix's. */
static enum err table_version_for(struct db *db, const char *method, char version[65])
{
    struct risk_matrix m;
    if (strcmp(method, "matrix")) {
        snprintf(version, 65, "%s", RISK_MULTIPLY_VERSION);
        return ERR_OK;
    }
    return risk_matrix_current(db, &m, version);
}

static void bind_ra(struct db_stmt *s, int idx, json_t *a, const char *version)
{
    const char *t;
    db_bind_text(s, idx, (t = json_str(a, "scope")) ? t : "");
    db_bind_text(s, idx + 1, json_str(a, "method"));
    db_bind_text(s, idx + 2, version);
    db_bind_int(s, idx + 3, json_is_true(json_object_get(a, "pre_launch")));
    static const char *const texts[] = {"business", "overview", "criteria", "conclusion"};
    for (int i = 0; i < 4; i++)
        db_bind_text(s, idx + 4 + i, (t = json_str(a, texts[i])) ? t : "");
    db_bind_text(s, idx + 8, json_str(a, "started_on"));
    db_bind_text(s, idx + 9, json_str(a, "ended_on"));
}

/* Duties: the submission of this assessment and the unit's next 风险评估 / 上线前评估. */
static enum err refresh(struct db *db, long long id, long long unit_id)
{
    enum err rc = duty_refresh(db, "risk", id);
    return rc ? rc : duty_refresh(db, "unit", unit_id);
}

static enum err audit(struct db *db, const struct audit_ctx *ax, const char *action, long long id,
                      long long org, json_t *before, json_t *after)
{
    char idbuf[24];
    return audit_append(db, ax, action, "risk_assessment", id_text(id, idbuf), org, before, after);
}

static const char SQL_INSERT[] =
    "INSERT INTO risk_assessments (unit_id, org_id, scope, method, table_version, pre_launch, "
    "business, overview, criteria, conclusion, started_on, ended_on, created_by, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) "
    "RETURNING id";

enum err risk_assessment_create(struct db *db, const struct audit_ctx *ax, long long unit_id,
                                json_t *in, long long *id)
{
    long long org;
    char status[16], version[65], now[40];
    json_t *a = json_pack("{s:s,s:b}", "method", "multiply", "pre_launch", 0), *after = NULL;
    json_object_update(a, in);
    if (json_is_null(json_object_get(a, "method")))
        json_object_set_new(a, "method", json_string("multiply"));
    struct db_stmt *s;
    time_now_iso(now);
    enum err rc = unit_info(db, unit_id, &org, status);
    if (!rc && !strcmp(status, "retired"))
        rc = errf(ERR_CONFLICT, NULL, "网络单元已注销，不能新建风险评估");
    if (rc || (rc = check_ra(a, 0, status)) ||
        (rc = table_version_for(db, json_str(a, "method"), version)) ||
        (rc = db_prepare(db, SQL_INSERT, &s)))
        goto out;
    db_bind_int(s, 1, unit_id);
    db_bind_int(s, 2, org);
    bind_ra(s, 3, a, version);
    db_bind_text(s, 13, ax->actor_name);
    db_bind_text(s, 14, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = row_json(db, *id, &after)) ||
        (rc = audit(db, ax, "risk_assessment.create", *id, org, NULL, after)))
        goto out;
    rc = refresh(db, *id, unit_id);
out:
    json_decref(a);
    json_decref(after);
    return rc;
}

static enum err open_row(struct db *db, long long id, json_t **row)
{
    enum err rc = row_json(db, id, row);
    if (rc)
        return rc;
    if (json_str(*row, "submitted_at")) {
        json_decref(*row);
        *row = NULL;
        return errf(ERR_CONFLICT, NULL, "风险评估结果已报送，不能再修改");
    }
    return ERR_OK;
}

enum err risk_assessment_check_open(struct db *db, long long id)
{
    json_t *row;
    enum err rc = open_row(db, id, &row);
    json_decref(row);
    return rc;
}

static const char SQL_UPDATE[] =
    "UPDATE risk_assessments SET scope = $2, method = $3, table_version = $4, pre_launch = $5, "
    "business = $6, overview = $7, criteria = $8, conclusion = $9, started_on = $10, "
    "ended_on = $11, updated_at = $12 WHERE id = $1";

enum err risk_assessment_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before, *a = NULL, *after = NULL;
    long long org;
    char status[16], version[65], now[40];
    enum err rc = open_row(db, id, &before);
    if (rc)
        return rc;
    long long unit_id = id_parse(json_str(before, "unit_id"));
    a = editable_of(before);
    json_object_update(a, in);
    if (json_is_null(json_object_get(a, "pre_launch")))
        json_object_set_new(a, "pre_launch", json_false());
    int method_changed =
        strcmp(json_str(a, "method") ? json_str(a, "method") : "", json_str(before, "method"));
    snprintf(version, sizeof version, "%s", json_str(before, "table_version"));
    struct db_stmt *s;
    time_now_iso(now);
    if ((rc = unit_info(db, unit_id, &org, status)) ||
        (rc = check_ra(a, json_is_true(json_object_get(before, "pre_launch")), status)) ||
        (method_changed && (rc = table_version_for(db, json_str(a, "method"), version))) ||
        (rc = db_prepare(db, SQL_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    bind_ra(s, 2, a, version);
    db_bind_text(s, 12, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (method_changed && (rc = risk_recompute(db, id))) ||
        (rc = row_json(db, id, &after)) ||
        (rc = audit(db, ax, "risk_assessment.update", id, org, before, after)))
        goto out;
    rc = refresh(db, id, unit_id);
out:
    json_decref(before);
    json_decref(a);
    json_decref(after);
    return rc;
}

static const char *const SQL_DELETE_ALL[] = {
    "DELETE FROM risk_treatments WHERE risk_id IN "
    "(SELECT id FROM risks WHERE risk_assessment_id = $1)",
    "DELETE FROM risks WHERE risk_assessment_id = $1",
    "DELETE FROM risk_controls WHERE risk_assessment_id = $1",
    "DELETE FROM risk_vulns WHERE risk_assessment_id = $1",
    "DELETE FROM risk_assets WHERE risk_assessment_id = $1",
    "DELETE FROM risk_business WHERE risk_assessment_id = $1",
    "DELETE FROM risk_threats WHERE risk_assessment_id = $1",
};
static const char SQL_DELETE[] = "DELETE FROM risk_assessments WHERE id = $1";

enum err risk_assessment_delete(struct db *db, const struct audit_ctx *ax, long long id)
{
    json_t *before;
    enum err rc = open_row(db, id, &before);
    if (rc)
        return rc;
    long long unit_id = id_parse(json_str(before, "unit_id"));
    long long org = id_parse(json_str(before, "org_id"));
    for (size_t i = 0; !rc && i < sizeof SQL_DELETE_ALL / sizeof SQL_DELETE_ALL[0]; i++)
        rc = run_id(db, SQL_DELETE_ALL[i], id);
    if (!rc && !(rc = file_links_clear(db, FILE_OF_RISK, id)) &&
        !(rc = run_id(db, SQL_DELETE, id)) &&
        !(rc = audit(db, ax, "risk_assessment.delete", id, org, before, NULL)))
        rc = refresh(db, id, unit_id);
    json_decref(before);
    return rc;
}

static const char SQL_UNTREATED[] =
    "SELECT COUNT(*) FROM risks r LEFT JOIN risk_treatments t ON t.risk_id = r.id "
    "WHERE r.risk_assessment_id = $1 AND r.level >= 3 AND t.risk_id IS NULL";
static const char SQL_SUBMIT[] =
    "UPDATE risk_assessments SET submitted_to = $2, submitted_at = $3, updated_at = $3 "
    "WHERE id = $1 AND submitted_at IS NULL";

enum err risk_assessment_submit(struct db *db, const struct audit_ctx *ax, long long id,
                                const char *submitted_to)
{
    json_t *a, *after = NULL, *files = NULL;
    struct db_stmt *s;
    long long untreated;
    int has_report, row;
    enum err rc = row_json(db, id, &a);
    if (rc)
        return rc;
    if (json_str(a, "submitted_at")) {
        rc = errf(ERR_CONFLICT, NULL, "风险评估结果已报送");
        goto out;
    }
    if (!submitted_to || !*submitted_to) {
        rc = errf(ERR_VALIDATION, "submitted_to", "请填写报送对象（电信主管部门）");
        goto out;
    }
    if (!json_str(a, "ended_on")) {
        rc = errf(ERR_VALIDATION, "ended_on", "风险评估尚未结束，不能报送");
        goto out;
    }
    if ((rc = db_prepare(db, SQL_UNTREATED, &s)))
        goto out;
    db_bind_int(s, 1, id);
    if ((rc = db_scalar_int(s, 0, &untreated)))
        goto out;
    if (untreated) {
        rc = errf(ERR_VALIDATION, "risks", "尚有 %lld 项中及以上风险没有处置计划", untreated);
        goto out;
    }
    if ((rc = file_links_json(db, FILE_OF_RISK, id, &files, &has_report)))
        goto out;
    if (!has_report) {
        rc = errf(ERR_VALIDATION, "report", "请先上传并关联风险评估报告");
        goto out;
    }
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_SUBMIT, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, submitted_to);
    db_bind_text(s, 3, now);
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = row_json(db, id, &after)))
        goto out;
    long long org = id_parse(json_str(a, "org_id")), unit = id_parse(json_str(a, "unit_id"));
    if (!(rc = audit(db, ax, "risk_assessment.submit", id, org, a, after)))
        rc = refresh(db, id, unit);
out:
    json_decref(a);
    json_decref(after);
    json_decref(files);
    return rc;
}

/* ---- treatment ---- */

static const char SQL_RISK_OF[] =
    "SELECT COUNT(*) FROM risks WHERE id = $1 AND risk_assessment_id = $2";
static const char SQL_TREATMENT[] =
    "SELECT action, owner, due_date, status, note FROM risk_treatments WHERE risk_id = $1";
static const char SQL_TREATMENT_SET[] =
    "INSERT INTO risk_treatments (risk_id, action, owner, due_date, status, note, updated_by, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (risk_id) DO UPDATE SET "
    "action = excluded.action, owner = excluded.owner, due_date = excluded.due_date, "
    "status = excluded.status, note = excluded.note, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at";

static enum err check_treatment(json_t *in)
{
    const char *action = json_str(in, "action"), *status = json_str(in, "status");
    if (!LOOKUP(ACTION_NAMES, action))
        return errf(
            ERR_VALIDATION, "action",
            "处置方式应为 accept（接受）、mitigate（降低）、transfer（转移）或 avoid（规避）");
    if (status && !LOOKUP(TREATMENT_STATUS, status))
        return errf(ERR_VALIDATION, "status", "处置状态应为 open、in_progress 或 done");
    if (strcmp(action, "accept") && !json_str(in, "due_date"))
        return errf(ERR_VALIDATION, "due_date", "除接受风险外，处置计划须有完成期限");
    return ERR_OK;
}

enum err risk_treatment_set(struct db *db, const struct audit_ctx *ax, long long ra,
                            long long risk_id, json_t *in)
{
    struct db_stmt *s;
    long long n;
    json_t *before = NULL;
    enum err rc = db_prepare(db, SQL_RISK_OF, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, risk_id);
    db_bind_int(s, 2, ra);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (!n)
        return errf(ERR_NOT_FOUND, NULL, "风险不存在");
    if ((rc = check_treatment(in)) || (rc = db_prepare(db, SQL_TREATMENT, &s)))
        return rc;
    db_bind_int(s, 1, risk_id);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        before = json_pack("{s:s,s:s,s:o,s:s,s:s}", "action", db_text(s, 0), "owner", db_text(s, 1),
                           "due_date", json_str_or_null(db_text(s, 2)), "status", db_text(s, 3),
                           "note", db_text(s, 4));
    db_done(s);
    char now[40];
    time_now_iso(now);
    if (rc || (rc = db_prepare(db, SQL_TREATMENT_SET, &s)))
        goto out;
    const char *status = json_str(in, "status"), *note = json_str(in, "note");
    db_bind_int(s, 1, risk_id);
    db_bind_text(s, 2, json_str(in, "action"));
    db_bind_text(s, 3, json_str(in, "owner"));
    db_bind_text(s, 4, json_str(in, "due_date"));
    db_bind_text(s, 5, status ? status : "open");
    db_bind_text(s, 6, note ? note : "");
    db_bind_text(s, 7, ax->actor_name);
    db_bind_text(s, 8, now);
    rc = db_step(s, &row);
    db_done(s);
    long long org;
    char idbuf[24];
    if (rc || (rc = risk_assessment_org(db, ra, &org)))
        goto out;
    json_t *after =
        json_pack("{s:s,s:O}", "risk_assessment_id", id_text(ra, idbuf), "treatment", in);
    rc =
        audit_append(db, ax, "risk.treatment", "risk", id_text(risk_id, idbuf), org, before, after);
    json_decref(after);
out:
    json_decref(before);
    return rc;
}

/* ---- matrices ---- */

static enum err table5(json_t *in, const char *key, int out[5][5])
{
    json_t *rows = json_object_get(in, key), *r, *v;
    size_t i, j;
    if (!json_is_array(rows) || json_array_size(rows) != 5)
        return errf(ERR_VALIDATION, key, "%s 应为 5×5 的整数表", key);
    json_array_foreach (rows, i, r) {
        if (!json_is_array(r) || json_array_size(r) != 5)
            return errf(ERR_VALIDATION, key, "%s 应为 5×5 的整数表", key);
        json_array_foreach (r, j, v) {
            if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000)
                return errf(ERR_VALIDATION, key, "%s 第 %zu 行第 %zu 列应为 1 至 1000 的整数", key,
                            i + 1, j + 1);
            out[i][j] = (int)json_integer_value(v);
        }
    }
    return ERR_OK;
}

enum err risk_matrix_from_json(json_t *in, struct risk_matrix *m, char version[65])
{
    const char *v = json_str(in, "version");
    if (!v || !*v || strlen(v) > 64)
        return errf(ERR_VALIDATION, "version", "版本不能为空（最多 64 字节）");
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return errf(ERR_VALIDATION, "version", "版本含有控制字符");
    struct risk_matrix tmp = {0};
    enum err rc;
    if ((rc = table5(in, "likelihood", tmp.likelihood)) || (rc = table5(in, "loss", tmp.loss)) ||
        (rc = table5(in, "risk", tmp.risk)))
        return rc;
    json_t *bands = json_object_get(in, "band_min"), *b;
    size_t i;
    if (!json_is_array(bands) || json_array_size(bands) != 5)
        return errf(ERR_VALIDATION, "band_min", "band_min 应为 5 个整数（各风险等级的下限）");
    json_array_foreach (bands, i, b) {
        if (!json_is_integer(b) || json_integer_value(b) < 1 || json_integer_value(b) > 1000)
            return errf(ERR_VALIDATION, "band_min", "band_min 应为 1 至 1000 的整数");
        tmp.band_min[i] = (int)json_integer_value(b);
    }
    if ((rc = risk_matrix_check(&tmp)))
        return rc;
    snprintf(version, 65, "%s", v);
    tmp.version = version;
    *m = tmp;
    return ERR_OK;
}

static json_t *table_json(const int t[5][5])
{
    json_t *rows = json_array();
    for (int i = 0; i < 5; i++) {
        json_t *r = json_array();
        for (int j = 0; j < 5; j++)
            json_array_append_new(r, json_integer(t[i][j]));
        json_array_append_new(rows, r);
    }
    return rows;
}

json_t *risk_matrix_to_json(const struct risk_matrix *m)
{
    json_t *bands = json_array();
    for (int i = 0; i < 5; i++)
        json_array_append_new(bands, json_integer(m->band_min[i]));
    return json_pack("{s:s,s:o,s:o,s:o,s:o}", "version", m->version, "likelihood",
                     table_json(m->likelihood), "loss", table_json(m->loss), "risk",
                     table_json(m->risk), "band_min", bands);
}

static const char SQL_MATRIX_DUP[] = "SELECT COUNT(*) FROM risk_matrices WHERE version = $1";
static const char SQL_MATRIX_INSERT[] =
    "INSERT INTO risk_matrices (version, body, source, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";

enum err risk_matrix_add(struct db *db, const struct audit_ctx *ax, json_t *in)
{
    struct risk_matrix m;
    char version[65], now[40], idbuf[24];
    struct db_stmt *s;
    long long n, id = 0;
    enum err rc = risk_matrix_from_json(in, &m, version);
    if (rc)
        return rc;
    if (!strcmp(version, risk_matrix_default()->version))
        return errf(ERR_CONFLICT, "version", "该版本号是内置默认矩阵的版本");
    if ((rc = db_prepare(db, SQL_MATRIX_DUP, &s)))
        return rc;
    db_bind_text(s, 1, version);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    if (n)
        return errf(ERR_CONFLICT, "version", "该版本的风险矩阵已存在");
    json_t *body = risk_matrix_to_json(&m);
    char *canon = json_canonical(body);
    const char *source = json_str(in, "source");
    time_now_iso(now);
    if (!(rc = db_prepare(db, SQL_MATRIX_INSERT, &s))) {
        db_bind_text(s, 1, version);
        db_bind_text(s, 2, canon);
        db_bind_text(s, 3, source ? source : "");
        db_bind_text(s, 4, ax->actor_name);
        db_bind_text(s, 5, now);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            id = db_int(s, 0);
        db_done(s);
    }
    if (!rc) {
        json_object_set_new(body, "source", json_string(source ? source : ""));
        rc = audit_append(db, ax, "risk_matrix.create", "risk_matrix", id_text(id, idbuf), 0, NULL,
                          body);
    }
    free(canon);
    json_decref(body);
    return rc;
}

static const char SQL_MATRICES[] =
    "SELECT body, source, created_by, created_at FROM risk_matrices ORDER BY id DESC";

enum err risk_matrices_json(struct db *db, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_MATRICES, &s);
    if (rc)
        return rc;
    json_t *items = json_array();
    int row;
    while (!rc && !(rc = db_step(s, &row)) && row) {
        struct risk_matrix m;
        char version[65];
        if ((rc = matrix_from_body(db_text(s, 0), &m, version)))
            break;
        json_t *j = risk_matrix_to_json(&m);
        json_object_set_new(j, "source", json_string(db_text(s, 1)));
        json_object_set_new(j, "created_by", json_string(db_text(s, 2)));
        json_object_set_new(j, "created_at", json_string(db_text(s, 3)));
        json_object_set_new(j, "builtin", json_false());
        json_array_append_new(items, j);
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    json_t *d = risk_matrix_to_json(risk_matrix_default());
    json_object_set_new(d, "source",
                        json_string("内置默认：GB/T 20984 附录 A 矩阵法示例（仅供参考）"));
    json_object_set_new(d, "created_by", json_null());
    json_object_set_new(d, "created_at", json_null());
    json_object_set_new(d, "builtin", json_true());
    json_array_append_new(items, d);
    json_t *first = json_array_get(items, 0);
    *out = json_pack("{s:s,s:s,s:o}", "current", json_str(first, "version"), "multiply_version",
                     RISK_MULTIPLY_VERSION, "items", items);
    return ERR_OK;
}
