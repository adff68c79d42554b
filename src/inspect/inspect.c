/* Inspection campaigns: scope and targets, the checklist, the inspectors' roster, the
 * self-inspections, and the "inspection" duties. The draw, spot checks and notices are in
 * spot.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "duty/duty.h"
#include "inspect.h"
#include "json.h"
#include "org/org.h"
#include "org/rules.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"

static struct date today_of(void)
{
    return date_today_shanghai();
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

static void id_text(long long id, char out[24])
{
    snprintf(out, 24, "%lld", id);
}

static json_t *parsed_or(const char *text, json_t *fallback)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (v) {
        json_decref(fallback);
        return v;
    }
    return fallback;
}

static enum err step_once(struct db_stmt *s)
{
    int row;
    enum err rc = db_step(s, &row);
    db_done(s);
    return rc;
}

/* ---- campaigns ---- */

/* scope: {kinds: [organisation kinds, not regulators], provinces: [GB/T 2260 codes]} */
static enum err check_scope(json_t *scope)
{
    json_t *kinds = json_object_get(scope, "kinds"),
           *provinces = json_object_get(scope, "provinces");
    json_t *v;
    size_t i;
    if (!json_is_object(scope) || json_object_size(scope) != 2 || !json_is_array(kinds) ||
        !json_is_array(provinces))
        return errf(ERR_VALIDATION, "scope",
                    "检查范围应为 {kinds: [单位类型], provinces: [省份代码]}");
    if (!json_array_size(kinds) || json_array_size(kinds) > 20)
        return errf(ERR_VALIDATION, "scope", "检查范围应列出 1 至 20 种单位类型");
    json_array_foreach (kinds, i, v) {
        const struct org_kind *k = org_kind_find(json_string_value(v));
        if (!k || k->regulator)
            return errf(ERR_VALIDATION, "scope", "检查范围第 %zu 种单位类型不是被检查单位的类型",
                        i + 1);
    }
    if (!json_array_size(provinces) || json_array_size(provinces) > 40)
        return errf(ERR_VALIDATION, "scope", "检查范围应列出 1 至 40 个省份");
    json_array_foreach (provinces, i, v) {
        if (!province_name(json_string_value(v)))
            return errf(ERR_VALIDATION, "scope", "检查范围第 %zu 个省份代码不合法（GB/T 2260）",
                        i + 1);
    }
    return ERR_OK;
}

static int listed(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach (arr, i, v) {
        if (s && json_is_string(v) && !strcmp(json_string_value(v), s))
            return 1;
    }
    return 0;
}

static const char SQL_CAMPAIGN_INSERT[] =
    "INSERT INTO inspect_campaigns (regulator_org_id, title, focus, scope_kinds, scope_provinces, "
    "self_due, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
    "RETURNING id";
static const char *const SQL_SCOPE_ORGS[3] =
    SCOPED("SELECT o.id, o.kind, o.province FROM orgs o WHERE ", "o.id", " ORDER BY o.id");
static const char SQL_TARGET_INSERT[] =
    "INSERT INTO inspect_targets (campaign_id, org_id) VALUES ($1, $2)";

/* The organisations the regulator sees whose kind and province are in scope. */
static enum err add_targets(struct db *db, const struct caller *c, long long id, json_t *scope,
                            long long *n)
{
    struct db_stmt *s, *ins;
    enum err rc = db_prepare(db, scope_sql(c, SQL_SCOPE_ORGS), &s);
    if (rc)
        return rc;
    scope_bind(s, c);
    json_t *ids = json_array(), *v;
    int row;
    while (!(rc = db_step(s, &row)) && row)
        if (listed(json_object_get(scope, "kinds"), db_text(s, 1)) &&
            listed(json_object_get(scope, "provinces"), db_text(s, 2)))
            json_array_append_new(ids, json_integer(db_int(s, 0)));
    db_done(s);
    size_t i;
    json_array_foreach (ids, i, v) {
        if (rc || (rc = db_prepare(db, SQL_TARGET_INSERT, &ins)))
            break;
        db_bind_int(ins, 1, id);
        db_bind_int(ins, 2, json_integer_value(v));
        rc = step_once(ins);
    }
    *n = (long long)json_array_size(ids);
    json_decref(ids);
    return rc;
}

enum err inspect_campaign_create(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                                 json_t *in, long long *id)
{
    json_t *scope = json_object_get(in, "scope");
    struct date due;
    enum err rc = check_scope(scope);
    if (rc)
        return rc;
    if (date_parse(json_str(in, "self_due"), &due) || date_cmp(due, today_of()) < 0)
        return errf(ERR_VALIDATION, "self_due", "自查报告报送期限应为今天或以后的日期");
    char *kinds = json_canonical(json_object_get(scope, "kinds"));
    char *provinces = json_canonical(json_object_get(scope, "provinces")), now[40];
    time_now_iso(now);
    struct db_stmt *s;
    if (!(rc = db_prepare(db, SQL_CAMPAIGN_INSERT, &s))) {
        db_bind_int(s, 1, c->org_id);
        db_bind_text(s, 2, json_str(in, "title"));
        db_bind_text(s, 3, json_str(in, "focus"));
        db_bind_text(s, 4, kinds);
        db_bind_text(s, 5, provinces);
        db_bind_text(s, 6, json_str(in, "self_due"));
        db_bind_text(s, 7, ax->actor_name);
        db_bind_text(s, 8, now);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            *id = db_int(s, 0);
        db_done(s);
    }
    free(kinds);
    free(provinces);
    long long n = 0;
    if (rc || (rc = add_targets(db, c, *id, scope, &n)))
        return rc;
    if (!n)
        return errf(ERR_VALIDATION, "scope", "检查范围内没有本机关管辖的单位");
    json_t *after;
    if ((rc = inspect_campaign_json(db, *id, 1, &after)))
        return rc;
    char idb[24];
    id_text(*id, idb);
    rc = audit_append(db, ax, "inspect.campaign_create", "inspect_campaign", idb, c->org_id, NULL,
                      after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "inspection", *id);
}

static const char SQL_CAMPAIGN[] = INSPECT_CAMPAIGN_COLS "c.id = $1";
static const char SQL_SUMMARY[] =
    "SELECT (SELECT COUNT(*) FROM inspect_targets WHERE campaign_id = $1), "
    "(SELECT COUNT(*) FROM inspect_targets WHERE campaign_id = $1 AND submitted_at IS NOT NULL), "
    "(SELECT COUNT(*) FROM inspect_spot_checks WHERE campaign_id = $1), "
    "(SELECT COUNT(*) FROM inspect_spot_checks WHERE campaign_id = $1 AND status = 'scored'), "
    "(SELECT COUNT(*) FROM inspect_notices WHERE campaign_id = $1), "
    "(SELECT COUNT(*) FROM inspect_notices WHERE campaign_id = $1 AND status = 'closed'), "
    "(SELECT COUNT(*) FROM inspect_notices WHERE campaign_id = $1 AND status = 'issued' "
    "AND due_date < $2)";

static json_t *named_list(const char *text, int kinds)
{
    json_t *arr = parsed_or(text, json_array()), *out = json_array(), *v;
    size_t i;
    json_array_foreach (arr, i, v) {
        const char *code = json_string_value(v);
        const struct org_kind *k = kinds ? org_kind_find(code) : NULL;
        const char *name = kinds ? (k ? k->name : "") : province_name(code);
        json_array_append_new(
            out, json_pack("{s:s,s:s}", "code", code ? code : "", "name", name ? name : ""));
    }
    json_decref(arr);
    return out;
}

json_t *inspect_campaign_row(struct db_stmt *s)
{
    char id[24], reg[24], draw[24], max[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), reg);
    id_text(db_int(s, 15), draw);
    inspect_points_format(db_int(s, 14), max);
    json_t *c = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:{s:o,s:o},s:s,s:s,s:s}", "id", id, "regulator_org_id", reg,
        "regulator_name", db_text(s, 2), "title", db_text(s, 3), "focus", db_text(s, 4), "scope",
        "kinds", named_list(db_text(s, 5), 1), "provinces", named_list(db_text(s, 6), 0),
        "self_due", db_text(s, 7), "created_by", db_text(s, 11), "created_at", db_text(s, 12));
    json_object_set_new(c, "checklist",
                        db_null(s, 10) ? json_null()
                                       : json_pack("{s:I,s:s,s:s,s:s,s:s}", "item_count",
                                                   (json_int_t)db_int(s, 13), "max_total", max,
                                                   "source_name", db_text(s, 8), "sm3",
                                                   db_text(s, 9), "imported_at", db_text(s, 10)));
    json_object_set_new(c, "draw",
                        db_null(s, 15)
                            ? json_null()
                            : json_pack("{s:s,s:I,s:I,s:s}", "id", draw, "n",
                                        (json_int_t)db_int(s, 16), "team_size",
                                        (json_int_t)db_int(s, 17), "drawn_at", db_text(s, 18)));
    return c;
}

static enum err add_summary(struct db *db, long long id, json_t *c)
{
    struct db_stmt *s;
    char today[11];
    date_format(today_of(), today);
    enum err rc = db_prepare(db, SQL_SUMMARY, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, today);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        json_object_set_new(
            c, "summary",
            json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "targets", (json_int_t)db_int(s, 0),
                      "self_submitted", (json_int_t)db_int(s, 1), "spot_checks",
                      (json_int_t)db_int(s, 2), "spot_checks_scored", (json_int_t)db_int(s, 3),
                      "notices", (json_int_t)db_int(s, 4), "notices_closed",
                      (json_int_t)db_int(s, 5), "notices_overdue", (json_int_t)db_int(s, 6)));
    db_done(s);
    return rc;
}

enum err inspect_campaign_json(struct db *db, long long id, int with_summary, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_CAMPAIGN, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = inspect_campaign_row(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "检查工作不存在");
    if (!rc && with_summary)
        rc = add_summary(db, id, *out);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static const char SQL_CAMPAIGN_REG[] =
    "SELECT regulator_org_id FROM inspect_campaigns WHERE id = $1";

enum err inspect_campaign_regulator(struct db *db, long long id, long long *regulator_org)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_CAMPAIGN_REG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, regulator_org);
    if (!rc && *regulator_org < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "检查工作不存在");
    return rc;
}

/* ---- the checklist ---- */

static const char SQL_ITEMS_USED[] =
    "SELECT (SELECT COUNT(*) FROM inspect_findings f JOIN inspect_items i ON i.id = f.item_id "
    "WHERE i.campaign_id = $1) + (SELECT COUNT(*) FROM inspect_scores sc JOIN inspect_items i "
    "ON i.id = sc.item_id WHERE i.campaign_id = $1)";
static const char SQL_ITEMS_DELETE[] = "DELETE FROM inspect_items WHERE campaign_id = $1";
static const char SQL_ITEM_INSERT[] =
    "INSERT INTO inspect_items (campaign_id, seq, area, point, method, evidence, criteria, "
    "max_centi) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_CHECKLIST_SET[] =
    "UPDATE inspect_campaigns SET checklist_source = $2, checklist_sm3 = $3, checklist_at = $4, "
    "updated_at = $4 WHERE id = $1";

static enum err insert_items(struct db *db, long long campaign, const struct checklist_item *items,
                             size_t n)
{
    struct db_stmt *s;
    enum err rc = ERR_OK;
    for (size_t k = 0; k < n && !rc; k++) {
        if ((rc = db_prepare(db, SQL_ITEM_INSERT, &s)))
            break;
        db_bind_int(s, 1, campaign);
        db_bind_int(s, 2, (long long)k + 1);
        db_bind_text(s, 3, items[k].area);
        db_bind_text(s, 4, items[k].point);
        db_bind_text(s, 5, items[k].method);
        db_bind_text(s, 6, items[k].evidence);
        db_bind_text(s, 7, items[k].criteria);
        db_bind_int(s, 8, items[k].max_centi);
        rc = step_once(s);
    }
    return rc;
}

enum err inspect_checklist_store(struct db *db, const struct audit_ctx *ax, long long campaign,
                                 const struct checklist_item *items, size_t n,
                                 const char *source_name, const char *sm3)
{
    struct db_stmt *s;
    long long used, regulator;
    enum err rc = inspect_campaign_regulator(db, campaign, &regulator);
    if (rc || (rc = db_prepare(db, SQL_ITEMS_USED, &s)))
        return rc;
    db_bind_int(s, 1, campaign);
    if ((rc = db_scalar_int(s, 0, &used)))
        return rc;
    if (used)
        return errf(ERR_CONFLICT, "file", "已有单位按该清单记录了检查结果，不能更换检查项清单");
    if ((rc = db_prepare(db, SQL_ITEMS_DELETE, &s)))
        return rc;
    db_bind_int(s, 1, campaign);
    if ((rc = step_once(s)) || (rc = insert_items(db, campaign, items, n)) ||
        (rc = db_prepare(db, SQL_CHECKLIST_SET, &s)))
        return rc;
    char now[40], idb[24], max[24];
    time_now_iso(now);
    db_bind_int(s, 1, campaign);
    db_bind_text(s, 2, source_name);
    db_bind_text(s, 3, sm3);
    db_bind_text(s, 4, now);
    if ((rc = step_once(s)))
        return rc;
    long long total = 0;
    for (size_t k = 0; k < n; k++)
        total += items[k].max_centi;
    inspect_points_format(total, max);
    id_text(campaign, idb);
    json_t *after = json_pack("{s:s,s:s,s:I,s:s}", "source_name", source_name, "file_sm3", sm3,
                              "item_count", (json_int_t)n, "max_total", max);
    rc = audit_append(db, ax, "inspect.checklist", "inspect_campaign", idb, regulator, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_ITEMS[] =
    "SELECT id, seq, area, point, method, evidence, criteria, max_centi FROM inspect_items "
    "WHERE campaign_id = $1 ORDER BY seq";

static json_t *item_row(struct db_stmt *s)
{
    char id[24], max[24];
    id_text(db_int(s, 0), id);
    inspect_points_format(db_int(s, 7), max);
    return json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", id, "seq", (json_int_t)db_int(s, 1),
                     "area", db_text(s, 2), "point", db_text(s, 3), "method", db_text(s, 4),
                     "evidence", db_text(s, 5), "criteria", db_text(s, 6), "max_score", max);
}

enum err inspect_items_json(struct db *db, long long campaign, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ITEMS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, item_row(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = items;
    return ERR_OK;
}

/* ---- inspectors ---- */

json_t *inspect_inspector_row(struct db_stmt *s)
{
    char id[24], reg[24], org[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), reg);
    id_text(db_int(s, 3), org);
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:b,s:s}", "id", id, "regulator_org_id", reg, "name",
                     db_text(s, 2), "org_id", db_null(s, 3) ? json_null() : json_string(org),
                     "org_name", json_str_or_null(db_text(s, 4)), "expertise", db_text(s, 5),
                     "active", (int)db_int(s, 6), "created_at", db_text(s, 7));
}

static const char SQL_INSPECTOR[] = INSPECT_INSPECTOR_COLS "i.id = $1";

enum err inspect_inspector_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_INSPECTOR, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = inspect_inspector_row(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "检查人员不存在");
    return rc;
}

static const char SQL_INSPECTOR_REG[] =
    "SELECT regulator_org_id FROM inspect_inspectors WHERE id = $1";

enum err inspect_inspector_regulator(struct db *db, long long id, long long *regulator_org)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_INSPECTOR_REG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, regulator_org);
    if (!rc && *regulator_org < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "检查人员不存在");
    return rc;
}

static const char SQL_INSPECTOR_INSERT[] =
    "INSERT INTO inspect_inspectors (regulator_org_id, name, org_id, expertise, created_at, "
    "updated_at) VALUES ($1, $2, $3, COALESCE($4, ''), $5, $5) RETURNING id";

static enum err audit_inspector(struct db *db, const struct audit_ctx *ax, const char *action,
                                long long id, json_t *before)
{
    json_t *after;
    long long reg;
    char idb[24];
    enum err rc = inspect_inspector_json(db, id, &after);
    if (rc)
        return rc;
    reg = id_parse(json_str(after, "regulator_org_id"));
    id_text(id, idb);
    rc = audit_append(db, ax, action, "inspect_inspector", idb, reg, before, after);
    json_decref(after);
    return rc;
}

enum err inspect_inspector_add(struct db *db, const struct audit_ctx *ax, long long regulator_org,
                               json_t *in, long long *id)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_INSPECTOR_INSERT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, regulator_org);
    db_bind_text(s, 2, json_str(in, "name"));
    if (json_str(in, "org_id"))
        db_bind_int(s, 3, id_parse(json_str(in, "org_id")));
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, json_str(in, "expertise"));
    db_bind_text(s, 5, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    return rc ? rc : audit_inspector(db, ax, "inspect.inspector_add", *id, NULL);
}

static const char SQL_INSPECTOR_UPDATE[] =
    "UPDATE inspect_inspectors SET name = COALESCE($2, name), "
    "expertise = COALESCE($3, expertise), active = COALESCE(CAST($4 AS INTEGER), active), "
    "updated_at = $5 WHERE id = $1";

enum err inspect_inspector_update(struct db *db, const struct audit_ctx *ax, long long id,
                                  json_t *in)
{
    json_t *before;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = inspect_inspector_json(db, id, &before);
    if (rc)
        return rc;
    if (!(rc = db_prepare(db, SQL_INSPECTOR_UPDATE, &s))) {
        db_bind_int(s, 1, id);
        db_bind_text(s, 2, json_str(in, "name"));
        db_bind_text(s, 3, json_str(in, "expertise"));
        json_t *active = json_object_get(in, "active");
        if (json_is_boolean(active))
            db_bind_int(s, 4, json_is_true(active));
        else
            db_bind_null(s, 4);
        db_bind_text(s, 5, now);
        rc = step_once(s);
    }
    if (!rc)
        rc = audit_inspector(db, ax, "inspect.inspector_update", id, before);
    json_decref(before);
    return rc;
}

/* ---- self-inspections ---- */

json_t *inspect_target_row(struct db_stmt *s, struct date today)
{
    char id[24], camp[24], org[24], reg[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), camp);
    id_text(db_int(s, 3), org);
    id_text(db_int(s, 10), reg);
    struct date due;
    int submitted = !db_null(s, 8);
    int overdue = !submitted && !date_of(db_text(s, 6), &due) && date_cmp(due, today) < 0;
    const char *status = submitted ? "submitted" : overdue ? "overdue" : "pending";
    const char *status_name = submitted ? "已报送" : overdue ? "逾期未报送" : "未报送";
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:I}", "id", id, "campaign_id",
        camp, "campaign_title", db_text(s, 2), "regulator_org_id", reg, "org_id", org, "org_name",
        db_text(s, 4), "province", db_text(s, 5), "self_due", db_text(s, 6), "status", status,
        "status_name", status_name, "summary", json_str_or_null(db_text(s, 7)), "submitted_at",
        json_str_or_null(db_text(s, 8)), "submitted_by", json_str_or_null(db_text(s, 9)),
        "findings_count", (json_int_t)db_int(s, 11), "item_count", (json_int_t)db_int(s, 12));
}

static const char SQL_TARGET_ORG[] =
    "SELECT org_id, campaign_id FROM inspect_targets WHERE id = $1";

enum err inspect_target_org(struct db *db, long long id, long long *org_id, long long *campaign)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_TARGET_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        *org_id = db_int(s, 0);
        *campaign = db_int(s, 1);
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "自查记录不存在");
    return rc;
}

static const char SQL_TARGET[] = INSPECT_TARGET_COLS "t.id = $1";
static const char SQL_TARGET_FINDINGS[] =
    "SELECT i.id, i.seq, i.area, i.point, i.method, i.evidence, i.criteria, i.max_centi, "
    "f.result, f.finding, f.action, f.updated_at FROM inspect_items i "
    "LEFT JOIN inspect_findings f ON f.item_id = i.id AND f.target_id = $2 "
    "WHERE i.campaign_id = $1 ORDER BY i.seq";

static enum err add_findings(struct db *db, long long campaign, long long id, json_t *t)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_TARGET_FINDINGS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    db_bind_int(s, 2, id);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        json_t *it = item_row(s);
        const char *result = db_text(s, 8);
        json_object_set_new(
            it, "finding",
            result ? json_pack("{s:s,s:s,s:s,s:s,s:s}", "result", result, "result_name",
                               inspect_result_name(result) ? inspect_result_name(result) : "",
                               "finding", db_text(s, 9), "action", db_text(s, 10), "updated_at",
                               db_text(s, 11))
                   : json_null());
        json_array_append_new(items, it);
    }
    db_done(s);
    json_object_set_new(t, "items", items);
    return rc;
}

enum err inspect_target_json(struct db *db, long long id, int with_findings, struct date today,
                             json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_TARGET, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *t = NULL;
    long long campaign = 0;
    if (!(rc = db_step(s, &row)) && row) {
        t = inspect_target_row(s, today);
        campaign = db_int(s, 1);
    }
    db_done(s);
    if (rc || !t)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "自查记录不存在");
    if (with_findings && (rc = add_findings(db, campaign, id, t))) {
        json_decref(t);
        return rc;
    }
    *out = t;
    return ERR_OK;
}

static const char SQL_CAMPAIGN_ITEM_IDS[] = "SELECT id FROM inspect_items WHERE campaign_id = $1";

enum err inspect_item_set(struct db *db, long long campaign, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_CAMPAIGN_ITEM_IDS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    json_t *set = json_object();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24];
        id_text(db_int(s, 0), id);
        json_object_set_new(set, id, json_true());
    }
    db_done(s);
    if (rc) {
        json_decref(set);
        return rc;
    }
    *out = set;
    return ERR_OK;
}

static enum err check_finding(json_t *e, size_t i, json_t *set)
{
    static const struct jfield FIELDS[] = {
        {"item_id", JT_ID, 1, 20, 0, 0, "检查项"},
        {"result", JT_STRING, 1, 16, 0, 0, "检查结果"},
        {"finding", JT_STRING, 0, 4000, 0, 0, "发现的问题"},
        {"action", JT_STRING, 0, 4000, 0, 0, "整改措施"},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    if (!json_is_object(e))
        return errf(ERR_VALIDATION, "items", "第 %zu 项应为 {item_id, result, finding?, action?}",
                    i + 1);
    if (json_check(e, FIELDS)) {
        char msg[400];
        snprintf(msg, sizeof msg, "%.300s", err_last()->msg);
        return errf(ERR_VALIDATION, "items", "第 %zu 项：%s", i + 1, msg);
    }
    if (!json_object_get(set, json_str(e, "item_id")))
        return errf(ERR_VALIDATION, "items", "第 %zu 项：检查项 %s 不属于本次检查", i + 1,
                    json_str(e, "item_id"));
    const char *result = json_str(e, "result");
    if (!inspect_result_name(result))
        return errf(ERR_VALIDATION, "items",
                    "第 %zu 项：检查结果应为 conform（符合）、nonconform（不符合）或 na（不适用）",
                    i + 1);
    if (!strcmp(result, "nonconform") && (!json_str(e, "finding") || !*json_str(e, "finding")))
        return errf(ERR_VALIDATION, "items", "第 %zu 项：不符合的检查项须说明发现的问题", i + 1);
    return ERR_OK;
}

static const char SQL_FINDING_UPSERT[] =
    "INSERT INTO inspect_findings (target_id, item_id, result, finding, action, updated_at) "
    "VALUES ($1, $2, $3, COALESCE($4, ''), COALESCE($5, ''), $6) ON CONFLICT (target_id, item_id) "
    "DO UPDATE SET result = excluded.result, finding = excluded.finding, action = excluded.action, "
    "updated_at = excluded.updated_at";

static enum err target_open(struct db *db, long long id, long long *org, long long *campaign)
{
    json_t *t;
    enum err rc = inspect_target_org(db, id, org, campaign);
    if (rc || (rc = inspect_target_json(db, id, 0, today_of(), &t)))
        return rc;
    int submitted = !strcmp(json_str(t, "status"), "submitted");
    long long items = json_integer_value(json_object_get(t, "item_count"));
    json_decref(t);
    if (submitted)
        return errf(ERR_CONFLICT, NULL, "自查报告已报送，不能修改");
    if (!items)
        return errf(ERR_CONFLICT, NULL, "检查项清单尚未导入");
    return ERR_OK;
}

enum err inspect_findings_put(struct db *db, const struct audit_ctx *ax, long long id,
                              json_t *items)
{
    long long org, campaign;
    json_t *set, *e;
    size_t i;
    enum err rc = target_open(db, id, &org, &campaign);
    if (rc || (rc = inspect_item_set(db, campaign, &set)))
        return rc;
    if (!json_is_array(items) || !json_array_size(items))
        rc = errf(ERR_VALIDATION, "items", "请至少填写一个检查项的结果");
    json_array_foreach (items, i, e) {
        if (rc || (rc = check_finding(e, i, set)))
            break;
    }
    json_decref(set);
    char now[40];
    time_now_iso(now);
    json_array_foreach (items, i, e) {
        struct db_stmt *s;
        if (rc || (rc = db_prepare(db, SQL_FINDING_UPSERT, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, id_parse(json_str(e, "item_id")));
        db_bind_text(s, 3, json_str(e, "result"));
        db_bind_text(s, 4, json_str(e, "finding"));
        db_bind_text(s, 5, json_str(e, "action"));
        db_bind_text(s, 6, now);
        rc = step_once(s);
    }
    if (rc)
        return rc;
    char idb[24];
    id_text(id, idb);
    json_t *after = json_pack("{s:O}", "items", items);
    rc = audit_append(db, ax, "inspect.findings", "inspect_target", idb, org, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_UNANSWERED[] =
    "SELECT i.seq, i.point FROM inspect_items i WHERE i.campaign_id = $1 AND NOT EXISTS "
    "(SELECT 1 FROM inspect_findings f WHERE f.target_id = $2 AND f.item_id = i.id) "
    "ORDER BY i.seq";
static const char SQL_TARGET_SUBMIT[] =
    "UPDATE inspect_targets SET summary = $2, submitted_at = $3, submitted_by = $4 "
    "WHERE id = $1 AND submitted_at IS NULL";

/* Every item must have a finding before the report goes: the missing ones are named. */
static enum err check_answered(struct db *db, long long campaign, long long id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_UNANSWERED, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    db_bind_int(s, 2, id);
    struct sbuf names;
    sbuf_init(&names, 2048);
    int row, n = 0;
    while (!(rc = db_step(s, &row)) && row) {
        if (n++ < 10)
            sbuf_addf(&names, "%s第 %lld 项「%.60s」", names.len ? "、" : "", db_int(s, 0),
                      db_text(s, 1));
    }
    db_done(s);
    if (!rc && n)
        rc = errf(ERR_VALIDATION, "items", "还有 %d 个检查项未填写自查结果：%s%s", n, names.buf,
                  n > 10 ? " 等" : "");
    sbuf_release(&names);
    return rc;
}

enum err inspect_target_submit(struct db *db, const struct audit_ctx *ax, long long id,
                               const char *summary)
{
    long long org, campaign;
    struct db_stmt *s;
    char now[40], idb[24];
    enum err rc = target_open(db, id, &org, &campaign);
    if (rc || (rc = check_answered(db, campaign, id)) ||
        (rc = db_prepare(db, SQL_TARGET_SUBMIT, &s)))
        return rc;
    time_now_iso(now);
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, summary);
    db_bind_text(s, 3, now);
    db_bind_text(s, 4, ax->actor_name);
    if ((rc = step_once(s)))
        return rc;
    id_text(id, idb);
    json_t *after = json_pack("{s:s,s:s}", "summary", summary, "submitted_at", now);
    rc = audit_append(db, ax, "inspect.self_submit", "inspect_target", idb, org, NULL, after);
    json_decref(after);
    return rc ? rc : duty_refresh(db, "inspection", campaign);
}

/* ---- duties ---- */

static const char SQL_DUTY_TARGETS[] =
    "SELECT c.id, t.org_id, c.title, c.self_due, t.submitted_at FROM inspect_campaigns c "
    "JOIN inspect_targets t ON t.campaign_id = c.id "
    "WHERE CAST($1 AS BIGINT) IS NULL OR c.id = $1 ORDER BY c.id, t.org_id";
static const char SQL_DUTY_NOTICES[] =
    "SELECT n.id, n.campaign_id, n.org_id, n.regulator_org_id, n.number, n.due_date, n.closed_on, "
    "o.name FROM inspect_notices n JOIN orgs o ON o.id = n.org_id "
    "WHERE CAST($1 AS BIGINT) IS NULL OR n.campaign_id = $1 ORDER BY n.id";

static const char SOURCE[] = "工信厅网安函〔2018〕261号";

static enum err target_duty(struct duty_sink *sink, struct db_stmt *s)
{
    char title[320], suffix[48];
    struct duty_item it = {.kind = DUTY_INSPECTION, .org_id = db_int(s, 1), .title = title};
    if (date_of(db_text(s, 3), &it.due))
        return ERR_OK;
    snprintf(title, sizeof title, "网络安全检查自查报告：%.200s", db_text(s, 2));
    it.fulfils = "对照检查重点自查自纠，报送自查工作总结报告";
    it.source = "工信厅网安函〔2018〕261号 三（二）";
    it.rule = SOURCE;
    it.done = !date_of(db_text(s, 4), &it.done_on);
    snprintf(suffix, sizeof suffix, "self:%lld", it.org_id);
    duty_item_name(&it, "inspection", db_int(s, 0), suffix);
    return duty_emit(sink, &it);
}

/* The notice's rectification for the organisation; for the issuing regulator, once the notice
 * is overdue and open (or was closed late), the escalation (逾期未整改). */
static enum err notice_duties(struct duty_sink *sink, struct db_stmt *s, struct date today)
{
    char title[320], suffix[48];
    struct date due, closed;
    if (date_of(db_text(s, 5), &due))
        return ERR_OK;
    int is_closed = !date_of(db_text(s, 6), &closed);
    struct duty_item it = {.kind = DUTY_CORRECTION,
                           .org_id = db_int(s, 2),
                           .title = title,
                           .due = due,
                           .done = is_closed,
                           .done_on = closed};
    snprintf(title, sizeof title, "网络安全问题整改通知书（%.100s）整改及问责情况报告",
             db_text(s, 4));
    it.fulfils = "完成整改，报告整改和问责情况";
    it.source = "工信厅网安函〔2018〕261号 四（三）";
    it.rule = SOURCE;
    snprintf(suffix, sizeof suffix, "notice:%lld", db_int(s, 0));
    duty_item_name(&it, "inspection", db_int(s, 1), suffix);
    enum err rc = duty_emit(sink, &it);
    if (rc || (is_closed ? date_cmp(closed, due) <= 0 : date_cmp(today, due) <= 0))
        return rc;
    struct duty_item up = it;
    up.org_id = db_int(s, 3);
    snprintf(title, sizeof title, "逾期未整改督办：%.100s（%.100s）", db_text(s, 7), db_text(s, 4));
    up.title = title;
    up.fulfils = "督促逾期未整改单位整改，或依法处理";
    snprintf(suffix, sizeof suffix, "escalate:%lld", db_int(s, 0));
    duty_item_name(&up, "inspection", db_int(s, 1), suffix);
    return duty_emit(sink, &up);
}

enum err inspect_produce(struct db *db, long long id, struct date today, struct duty_sink *sink)
{
    struct db_stmt *s;
    enum err rc = ERR_OK;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        if ((rc = db_prepare(db, pass ? SQL_DUTY_NOTICES : SQL_DUTY_TARGETS, &s)))
            break;
        if (id)
            db_bind_int(s, 1, id);
        else
            db_bind_null(s, 1);
        int row;
        while (!(rc = db_step(s, &row)) && row)
            if ((rc = pass ? notice_duties(sink, s, today) : target_duty(sink, s)))
                break;
        db_done(s);
    }
    return rc;
}
