/* Spot checks (抽查): the recorded 双随机 draw, item scores and the quantified score, and the
 * rectification notices (网络安全问题整改通知书) closed by the organisation's report. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "crypto.h"
#include "duty/duty.h"
#include "inspect.h"
#include "json.h"
#include "store/store.h"
#include "timeutil.h"

static struct date today_of(void)
{
    return date_today_shanghai();
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

static json_t *points(long long centi)
{
    char buf[24];
    inspect_points_format(centi, buf);
    return json_string(buf);
}

/* ---- the draw ---- */

/* The group of an organisation is the root of its tree (R10: an inspector never inspects the
 * group he belongs to): the ancestor of the greatest depth. */
static const char SQL_POOL[] =
    "SELECT t.org_id, o.name, (SELECT ot.ancestor FROM org_tree ot WHERE ot.descendant = t.org_id "
    "ORDER BY ot.depth DESC LIMIT 1) FROM inspect_targets t JOIN orgs o ON o.id = t.org_id "
    "WHERE t.campaign_id = $1 ORDER BY t.org_id";
static const char SQL_INSPECTOR_POOL[] =
    "SELECT i.id, i.name, i.org_id, (SELECT ot.ancestor FROM org_tree ot WHERE ot.descendant = "
    "i.org_id ORDER BY ot.depth DESC LIMIT 1) FROM inspect_inspectors i "
    "WHERE i.regulator_org_id = $1 AND i.active = 1 ORDER BY i.id";

static json_t *id_or_null(struct db_stmt *s, int col)
{
    char buf[24];
    if (db_null(s, col))
        return json_null();
    id_text(db_int(s, col), buf);
    return json_string(buf);
}

static enum err pool_snapshot(struct db *db, long long campaign, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_POOL, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    json_t *pool = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(pool, json_pack("{s:o,s:s,s:o}", "org_id", id_or_null(s, 0), "name",
                                              db_text(s, 1), "group_id", id_or_null(s, 2)));
    db_done(s);
    *out = pool;
    return rc;
}

/* The regulator's active inspectors, or those of them named in ids (each must be one). */
static enum err inspector_snapshot(struct db *db, long long regulator, json_t *ids, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_INSPECTOR_POOL, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, regulator);
    json_t *all = json_array(), *chosen = json_array(), *v, *e;
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(all, json_pack("{s:o,s:s,s:o,s:o}", "id", id_or_null(s, 0), "name",
                                             db_text(s, 1), "org_id", id_or_null(s, 2), "group_id",
                                             id_or_null(s, 3)));
    db_done(s);
    size_t i, k;
    json_array_foreach (ids, i, v) {
        int found = 0;
        for (size_t j = 0; j < i && !rc; j++)
            if (json_equal(json_array_get(ids, j), v))
                rc = errf(ERR_VALIDATION, "inspector_ids", "第 %zu 项检查人员重复", i + 1);
        json_array_foreach (all, k, e) {
            found |= json_equal(json_object_get(e, "id"), v);
        }
        if (!rc && !found)
            rc = errf(ERR_VALIDATION, "inspector_ids", "第 %zu 项不是本机关在册的检查人员", i + 1);
    }
    json_array_foreach (all, k, e) {
        int wanted = !json_array_size(ids);
        json_array_foreach (ids, i, v) {
            wanted |= json_equal(json_object_get(e, "id"), v);
        }
        if (wanted)
            json_array_append(chosen, e);
    }
    json_decref(all);
    if (rc) {
        json_decref(chosen);
        return rc;
    }
    *out = chosen;
    return ERR_OK;
}

static enum err seed_of(json_t *in, char hex[2 * INSPECT_SEED_BYTES + 1])
{
    unsigned char seed[INSPECT_SEED_BYTES];
    const char *given = json_str(in, "seed");
    enum err rc;
    if (given && (rc = inspect_seed_parse(given, seed)))
        return rc;
    if (!given)
        randombytes_buf(seed, sizeof seed);
    sodium_bin2hex(hex, 2 * INSPECT_SEED_BYTES + 1, seed, sizeof seed);
    return ERR_OK;
}

static const char SQL_DRAW_INSERT[] =
    "INSERT INTO inspect_draws (campaign_id, algorithm, seed, n, team_size, pool, inspectors, "
    "result, drawn_by, drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
static const char SQL_SPOT_INSERT[] =
    "INSERT INTO inspect_spot_checks (campaign_id, draw_id, seq, org_id, team, status) "
    "VALUES ($1, $2, $3, $4, $5, 'drawn')";
static const char SQL_DRAW_EXISTS[] = "SELECT COUNT(*) FROM inspect_draws WHERE campaign_id = $1";

struct draw_rec {
    const char *seed;
    long long n, team_size;
    char *pool, *inspectors, *result; /* canonical JSON */
};

static enum err insert_draw(struct db *db, const struct audit_ctx *ax, long long campaign,
                            const struct draw_rec *d, json_t *result, long long *draw_id)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    enum err rc = db_prepare(db, SQL_DRAW_INSERT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    db_bind_text(s, 2, INSPECT_DRAW_ALGORITHM);
    db_bind_text(s, 3, d->seed);
    db_bind_int(s, 4, d->n);
    db_bind_int(s, 5, d->team_size);
    db_bind_text(s, 6, d->pool);
    db_bind_text(s, 7, d->inspectors);
    db_bind_text(s, 8, d->result);
    db_bind_text(s, 9, ax->actor_name);
    db_bind_text(s, 10, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *draw_id = db_int(s, 0);
    db_done(s);
    size_t k;
    json_t *e;
    json_array_foreach (result, k, e) {
        if (rc || (rc = db_prepare(db, SQL_SPOT_INSERT, &s)))
            break;
        char *team = json_canonical(json_object_get(e, "team"));
        db_bind_int(s, 1, campaign);
        db_bind_int(s, 2, *draw_id);
        db_bind_int(s, 3, (long long)k + 1);
        db_bind_int(s, 4, id_parse(json_str(e, "org_id")));
        db_bind_text(s, 5, team);
        rc = step_once(s);
        free(team);
    }
    return rc;
}

/* The audit record keeps the seed, the result and the SM3 of both snapshots. */
static enum err audit_draw(struct db *db, const struct audit_ctx *ax, long long campaign,
                           long long draw_id, const struct draw_rec *d, json_t *result)
{
    char pool_sm3[65], insp_sm3[65], idb[24];
    long long regulator;
    enum err rc = inspect_campaign_regulator(db, campaign, &regulator);
    if (rc || (rc = crypto_sm3_hex(d->pool, strlen(d->pool), pool_sm3)) ||
        (rc = crypto_sm3_hex(d->inspectors, strlen(d->inspectors), insp_sm3)))
        return rc;
    id_text(draw_id, idb);
    json_t *after = json_pack("{s:I,s:s,s:s,s:I,s:I,s:s,s:s,s:O}", "campaign_id",
                              (json_int_t)campaign, "algorithm", INSPECT_DRAW_ALGORITHM, "seed",
                              d->seed, "n", (json_int_t)d->n, "team_size", (json_int_t)d->team_size,
                              "pool_sm3", pool_sm3, "inspectors_sm3", insp_sm3, "result", result);
    rc = audit_append(db, ax, "inspect.draw", "inspect_draw", idb, regulator, NULL, after);
    json_decref(after);
    return rc;
}

enum err inspect_draw_run(struct db *db, const struct audit_ctx *ax, long long campaign, json_t *in,
                          long long *draw_id)
{
    struct db_stmt *s;
    long long exists, regulator;
    char seed[2 * INSPECT_SEED_BYTES + 1];
    json_t *pool = NULL, *inspectors = NULL, *result = NULL;
    enum err rc = inspect_campaign_regulator(db, campaign, &regulator);
    if (rc || (rc = db_prepare(db, SQL_DRAW_EXISTS, &s)))
        return rc;
    db_bind_int(s, 1, campaign);
    if ((rc = db_scalar_int(s, 0, &exists)))
        return rc;
    if (exists)
        return errf(ERR_CONFLICT, NULL, "本次检查已完成抽取；抽取结果不能重抽");
    struct draw_rec d = {seed, json_int(in, "n", 0), json_int(in, "team_size", 2), NULL, NULL,
                         NULL};
    if ((rc = seed_of(in, seed)) || (rc = pool_snapshot(db, campaign, &pool)) ||
        (rc = inspector_snapshot(db, regulator, json_object_get(in, "inspector_ids"),
                                 &inspectors)) ||
        (rc = inspect_draw_json(seed, pool, inspectors, d.n, d.team_size, &result)))
        goto out;
    d.pool = json_canonical(pool);
    d.inspectors = json_canonical(inspectors);
    d.result = json_canonical(result);
    if (!(rc = insert_draw(db, ax, campaign, &d, result, draw_id)))
        rc = audit_draw(db, ax, campaign, *draw_id, &d, result);
out:
    free(d.pool);
    free(d.inspectors);
    free(d.result);
    json_decref(pool);
    json_decref(inspectors);
    json_decref(result);
    return rc;
}

static const char SQL_DRAW_BY_CAMPAIGN[] =
    "SELECT id, campaign_id, algorithm, seed, n, team_size, pool, inspectors, result, drawn_by, "
    "drawn_at FROM inspect_draws WHERE campaign_id = $1";
static const char SQL_DRAW_BY_ID[] =
    "SELECT id, campaign_id, algorithm, seed, n, team_size, pool, inspectors, result, drawn_by, "
    "drawn_at FROM inspect_draws WHERE id = $1";

static enum err draw_query(struct db *db, const char *sql, long long key, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, key);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row) {
        char id[24], camp[24];
        id_text(db_int(s, 0), id);
        id_text(db_int(s, 1), camp);
        long long n = db_int(s, 4), k = db_int(s, 5);
        *out =
            json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:o,s:s,s:s}", "id", id, "campaign_id",
                      camp, "algorithm", db_text(s, 2), "seed", db_text(s, 3), "n", (json_int_t)n,
                      "team_size", (json_int_t)k, "pool", parsed_or(db_text(s, 6), json_array()),
                      "inspectors", parsed_or(db_text(s, 7), json_array()), "result",
                      parsed_or(db_text(s, 8), json_array()), "drawn_by", db_text(s, 9), "drawn_at",
                      db_text(s, 10));
        char cli[256];
        snprintf(cli, sizeof cli,
                 "fanghu inspect draw --seed %s --pool pool.json --inspectors inspectors.json "
                 "--n %lld --team-size %lld --verify draw.json",
                 db_text(s, 3), n, k);
        json_object_set_new(*out, "rerun", json_string(cli));
    }
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "抽取记录不存在");
    return rc;
}

enum err inspect_draw_record(struct db *db, long long campaign, json_t **out)
{
    return draw_query(db, SQL_DRAW_BY_CAMPAIGN, campaign, out);
}

enum err inspect_draw_campaign(struct db *db, long long draw_id, long long *campaign)
{
    json_t *d;
    enum err rc = draw_query(db, SQL_DRAW_BY_ID, draw_id, &d);
    if (rc)
        return rc;
    *campaign = id_parse(json_str(d, "campaign_id"));
    json_decref(d);
    return ERR_OK;
}

enum err inspect_draw_check(struct db *db, long long draw_id, json_t **out)
{
    json_t *d, *again = NULL;
    enum err rc = draw_query(db, SQL_DRAW_BY_ID, draw_id, &d);
    if (rc)
        return rc;
    if (strcmp(json_str(d, "algorithm"), INSPECT_DRAW_ALGORITHM))
        rc = errf(ERR_CONFLICT, NULL, "抽取算法 %s 不受本版本支持", json_str(d, "algorithm"));
    else
        rc = inspect_draw_json(json_str(d, "seed"), json_object_get(d, "pool"),
                               json_object_get(d, "inspectors"), json_int(d, "n", 0),
                               json_int(d, "team_size", 0), &again);
    if (!rc) {
        char *a = json_canonical(again), *b = json_canonical(json_object_get(d, "result"));
        *out = json_pack("{s:b,s:s,s:s,s:o,s:O}", "reproducible", !strcmp(a, b), "algorithm",
                         INSPECT_DRAW_ALGORITHM, "seed", json_str(d, "seed"), "result", again,
                         "recorded", json_object_get(d, "result"));
        free(a);
        free(b);
    }
    json_decref(d);
    return rc;
}

/* ---- spot checks ---- */

json_t *inspect_spot_row(struct db_stmt *s)
{
    char id[24], camp[24], draw[24], org[24], reg[24], pct[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), camp);
    id_text(db_int(s, 3), draw);
    id_text(db_int(s, 5), org);
    id_text(db_int(s, 14), reg);
    int scored = !strcmp(db_text(s, 8), "scored");
    inspect_points_format(inspect_percent_centi(db_int(s, 9), db_int(s, 10)), pct);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "id", id,
        "campaign_id", camp, "campaign_title", db_text(s, 2), "draw_id", draw, "seq",
        (json_int_t)db_int(s, 4), "org_id", org, "org_name", db_text(s, 6), "team",
        parsed_or(db_text(s, 7), json_array()), "status", db_text(s, 8), "status_name",
        scored ? "已评分" : "待检查", "score", scored ? points(db_int(s, 9)) : json_null(),
        "max_score", scored ? points(db_int(s, 10)) : json_null(), "percent",
        scored ? json_string(pct) : json_null(), "summary", json_str_or_null(db_text(s, 11)),
        "completed_at", json_str_or_null(db_text(s, 12)), "completed_by",
        json_str_or_null(db_text(s, 13)), "regulator_org_id", reg);
}

static const char SQL_SPOT_ORG[] =
    "SELECT org_id, campaign_id FROM inspect_spot_checks WHERE id = $1";

enum err inspect_spot_org(struct db *db, long long id, long long *org_id, long long *campaign)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SPOT_ORG, &s);
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
        rc = errf(ERR_NOT_FOUND, NULL, "抽查记录不存在");
    return rc;
}

static const char SQL_SPOT[] = INSPECT_SPOT_COLS "s.id = $1";
static const char SQL_SPOT_ITEMS[] =
    "SELECT i.id, i.seq, i.area, i.point, i.method, i.evidence, i.criteria, i.max_centi, "
    "sc.score_centi, sc.na, sc.note, sc.item_id FROM inspect_items i "
    "LEFT JOIN inspect_scores sc ON sc.item_id = i.id AND sc.spot_id = $2 "
    "WHERE i.campaign_id = $1 ORDER BY i.seq";

/* Items with their scores; tallies: scored (or not applicable), the points so far. */
struct tally {
    long long score, max;
    int done, missing;
    struct sbuf missing_names;
};

static enum err spot_items(struct db *db, long long campaign, long long id, json_t **out,
                           struct tally *t)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SPOT_ITEMS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, campaign);
    db_bind_int(s, 2, id);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char iid[24];
        id_text(db_int(s, 0), iid);
        int has = !db_null(s, 11), na = has && db_int(s, 9);
        if (has && !na) {
            t->score += db_int(s, 8);
            t->max += db_int(s, 7);
        }
        if (has) {
            t->done++;
        } else if (t->missing++ < 10) {
            sbuf_addf(&t->missing_names, "%s第 %lld 项「%.60s」", t->missing_names.len ? "、" : "",
                      db_int(s, 1), db_text(s, 3));
        }
        if (out)
            json_array_append_new(
                items, json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:o}", "id", iid, "seq",
                                 (json_int_t)db_int(s, 1), "area", db_text(s, 2), "point",
                                 db_text(s, 3), "method", db_text(s, 4), "evidence", db_text(s, 5),
                                 "criteria", db_text(s, 6), "max_score", points(db_int(s, 7)),
                                 "score", has && !na ? points(db_int(s, 8)) : json_null(), "na", na,
                                 "note", has ? json_string(db_text(s, 10)) : json_null()));
    }
    db_done(s);
    if (out)
        *out = items;
    else
        json_decref(items);
    return rc;
}

enum err inspect_spot_json(struct db *db, long long id, int with_items, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SPOT, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    json_t *spot = NULL;
    long long campaign = 0;
    if (!(rc = db_step(s, &row)) && row) {
        spot = inspect_spot_row(s);
        campaign = db_int(s, 1);
    }
    db_done(s);
    if (rc || !spot)
        return rc ? rc : errf(ERR_NOT_FOUND, NULL, "抽查记录不存在");
    if (with_items) {
        json_t *items;
        struct tally t = {0};
        sbuf_init(&t.missing_names, 4096);
        rc = spot_items(db, campaign, id, &items, &t);
        sbuf_release(&t.missing_names);
        if (rc) {
            json_decref(spot);
            return rc;
        }
        json_object_set_new(spot, "items", items);
        json_object_set_new(spot, "progress",
                            json_pack("{s:i,s:i,s:o,s:o}", "scored", t.done, "unscored", t.missing,
                                      "score", points(t.score), "max_score", points(t.max)));
    }
    *out = spot;
    return ERR_OK;
}

static enum err spot_open(struct db *db, long long id, json_t **spot)
{
    enum err rc = inspect_spot_json(db, id, 0, spot);
    if (rc)
        return rc;
    if (!strcmp(json_str(*spot, "status"), "scored")) {
        json_decref(*spot);
        *spot = NULL;
        return errf(ERR_CONFLICT, NULL, "抽查已完成评分，不能修改");
    }
    return ERR_OK;
}

static const char SQL_ITEM_MAX[] =
    "SELECT max_centi FROM inspect_items WHERE id = $1 AND campaign_id = $2";

/* One score element: {item_id, score?, na?, note?}; *centi < 0 for not applicable. */
static enum err check_score(struct db *db, long long campaign, json_t *e, size_t i,
                            long long *centi)
{
    static const struct jfield FIELDS[] = {
        {"item_id", JT_ID, 1, 20, 0, 0, "检查项"},
        {"score", JT_STRING, 0, 16, 0, 0, "得分"},
        {"na", JT_BOOL, 0, 0, 0, 0, "不适用"},
        {"note", JT_STRING, 0, 4000, 0, 0, "评分说明"},
        {NULL, 0, 0, 0, 0, 0, NULL},
    };
    json_t *score = json_object_get(e, "score");
    char buf[40];
    /* A number is read as written (12.5), a string as given ("12.5"). */
    if (json_is_integer(score) || json_is_real(score)) {
        if (json_is_integer(score))
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(score));
        else
            snprintf(buf, sizeof buf, "%.10g", json_real_value(score));
        json_object_set_new(e, "score", json_string(buf));
    }
    if (!json_is_object(e) || json_check(e, FIELDS)) {
        char msg[400];
        snprintf(msg, sizeof msg, "%.300s", json_is_object(e) ? err_last()->msg : "");
        return errf(ERR_VALIDATION, "items", "第 %zu 项应为 {item_id, score, na?, note?}%s%s",
                    i + 1, *msg ? "：" : "", msg);
    }
    struct db_stmt *s;
    long long max;
    enum err rc = db_prepare(db, SQL_ITEM_MAX, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id_parse(json_str(e, "item_id")));
    db_bind_int(s, 2, campaign);
    if ((rc = db_scalar_int(s, -1, &max)))
        return rc;
    if (max < 0)
        return errf(ERR_VALIDATION, "items", "第 %zu 项：检查项 %s 不属于本次检查", i + 1,
                    json_str(e, "item_id"));
    int na = json_is_true(json_object_get(e, "na"));
    const char *sc = json_str(e, "score");
    if (na) {
        if (sc)
            return errf(ERR_VALIDATION, "items", "第 %zu 项：不适用的检查项不评分", i + 1);
        *centi = -1;
        return ERR_OK;
    }
    char maxs[24];
    inspect_points_format(max, maxs);
    if (!sc || inspect_points_parse(sc, "items", centi) || *centi > max)
        return errf(ERR_VALIDATION, "items", "第 %zu 项：得分应为 0 至 %s 分（最多两位小数）",
                    i + 1, maxs);
    return ERR_OK;
}

static const char SQL_SCORE_UPSERT[] =
    "INSERT INTO inspect_scores (spot_id, item_id, score_centi, na, note, updated_at) "
    "VALUES ($1, $2, $3, $4, COALESCE($5, ''), $6) ON CONFLICT (spot_id, item_id) DO UPDATE SET "
    "score_centi = excluded.score_centi, na = excluded.na, note = excluded.note, "
    "updated_at = excluded.updated_at";

enum err inspect_scores_put(struct db *db, const struct audit_ctx *ax, long long id, json_t *items)
{
    json_t *spot, *e;
    size_t i;
    enum err rc = spot_open(db, id, &spot);
    if (rc)
        return rc;
    long long campaign = id_parse(json_str(spot, "campaign_id"));
    long long regulator = id_parse(json_str(spot, "regulator_org_id"));
    json_decref(spot);
    size_t n = json_array_size(items);
    long long *centi = xcalloc(n + 1, sizeof *centi);
    if (!n)
        rc = errf(ERR_VALIDATION, "items", "请至少给一个检查项评分");
    json_array_foreach (items, i, e) {
        if (rc || (rc = check_score(db, campaign, e, i, &centi[i])))
            break;
    }
    char now[40];
    time_now_iso(now);
    json_array_foreach (items, i, e) {
        struct db_stmt *s;
        if (rc || (rc = db_prepare(db, SQL_SCORE_UPSERT, &s)))
            break;
        db_bind_int(s, 1, id);
        db_bind_int(s, 2, id_parse(json_str(e, "item_id")));
        if (centi[i] >= 0)
            db_bind_int(s, 3, centi[i]);
        else
            db_bind_null(s, 3);
        db_bind_int(s, 4, centi[i] < 0);
        db_bind_text(s, 5, json_str(e, "note"));
        db_bind_text(s, 6, now);
        rc = step_once(s);
    }
    free(centi);
    if (rc)
        return rc;
    char idb[24];
    id_text(id, idb);
    json_t *after = json_pack("{s:O}", "items", items);
    rc = audit_append(db, ax, "inspect.scores", "inspect_spot_check", idb, regulator, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_SPOT_COMPLETE[] =
    "UPDATE inspect_spot_checks SET status = 'scored', score_centi = $2, max_centi = $3, "
    "summary = $4, completed_at = $5, completed_by = $6 WHERE id = $1 AND status = 'drawn'";

enum err inspect_spot_complete(struct db *db, const struct audit_ctx *ax, long long id,
                               const char *summary)
{
    json_t *spot;
    enum err rc = spot_open(db, id, &spot);
    if (rc)
        return rc;
    long long campaign = id_parse(json_str(spot, "campaign_id"));
    long long regulator = id_parse(json_str(spot, "regulator_org_id"));
    json_decref(spot);
    struct tally t = {0};
    sbuf_init(&t.missing_names, 4096);
    if (!(rc = spot_items(db, campaign, id, NULL, &t)) && t.missing)
        rc = errf(ERR_VALIDATION, "items", "还有 %d 个检查项未评分：%s%s", t.missing,
                  t.missing_names.buf, t.missing > 10 ? " 等" : "");
    if (!rc && !t.done)
        rc = errf(ERR_CONFLICT, NULL, "检查项清单尚未导入");
    sbuf_release(&t.missing_names);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(db, SQL_SPOT_COMPLETE, &s)))
        return rc;
    char now[40], idb[24], pct[24];
    time_now_iso(now);
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, t.score);
    db_bind_int(s, 3, t.max);
    db_bind_text(s, 4, summary ? summary : "");
    db_bind_text(s, 5, now);
    db_bind_text(s, 6, ax->actor_name);
    if ((rc = step_once(s)))
        return rc;
    id_text(id, idb);
    inspect_points_format(inspect_percent_centi(t.score, t.max), pct);
    json_t *after = json_pack("{s:o,s:o,s:s}", "score", points(t.score), "max_score", points(t.max),
                              "percent", pct);
    rc = audit_append(db, ax, "inspect.spot_complete", "inspect_spot_check", idb, regulator, NULL,
                      after);
    json_decref(after);
    return rc;
}

/* ---- rectification notices ---- */

json_t *inspect_notice_row(struct db_stmt *s, struct date today)
{
    char id[24], camp[24], spot[24], org[24], reg[24];
    id_text(db_int(s, 0), id);
    id_text(db_int(s, 1), camp);
    id_text(db_int(s, 3), spot);
    id_text(db_int(s, 4), org);
    id_text(db_int(s, 6), reg);
    struct date due, closed;
    int is_closed = !strcmp(db_text(s, 14), "closed");
    int has_due = !date_parse(db_text(s, 11), &due);
    int overdue = !is_closed && has_due && date_cmp(due, today) < 0;
    int late =
        is_closed && has_due && !date_parse(db_text(s, 19), &closed) && date_cmp(closed, due) > 0;
    const char *status = is_closed ? "closed" : overdue ? "overdue" : "issued";
    const char *status_name = is_closed ? "已整改关闭" : overdue ? "逾期未整改" : "整改中";
    long days = has_due ? date_to_days(due) - date_to_days(today) : 0;
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:i,"
        "s:o,s:o,s:o,s:o,s:o,s:b}",
        "id", id, "title", "网络安全问题整改通知书", "campaign_id", camp, "campaign_title",
        db_text(s, 2), "spot_check_id", spot, "org_id", org, "org_name", db_text(s, 5),
        "regulator_org_id", reg, "regulator_name", db_text(s, 7), "number", db_text(s, 8),
        "problems", parsed_or(db_text(s, 9), json_array()), "requirements", db_text(s, 10),
        "due_date", db_text(s, 11), "issued_at", db_text(s, 12), "issued_by", db_text(s, 13),
        "status", status, "status_name", status_name, "days_left", (int)days, "rectification",
        json_str_or_null(db_text(s, 15)), "accountability", json_str_or_null(db_text(s, 16)),
        "reported_at", json_str_or_null(db_text(s, 17)), "reported_by",
        json_str_or_null(db_text(s, 18)), "closed_on", json_str_or_null(db_text(s, 19)),
        "closed_late", late);
}

static enum err check_problems(struct db *db, long long campaign, json_t *problems)
{
    json_t *set, *e;
    size_t i;
    enum err rc = ERR_OK;
    if (!json_is_array(problems) || !json_array_size(problems) || json_array_size(problems) > 100)
        return errf(ERR_VALIDATION, "problems", "整改通知书应列明 1 至 100 个问题");
    if ((rc = inspect_item_set(db, campaign, &set)))
        return rc;
    json_array_foreach (problems, i, e) {
        const char *item = json_str(e, "item_id"), *desc = json_str(e, "description");
        size_t keys = json_object_size(e);
        if (!json_is_object(e) || !desc || !*desc || strlen(desc) > 4000 ||
            keys != (json_has(e, "item_id") ? 2u : 1u)) {
            rc = errf(ERR_VALIDATION, "problems", "第 %zu 个问题应为 {item_id?, description}",
                      i + 1);
            break;
        }
        if (json_has(e, "item_id") && (!item || !json_object_get(set, item))) {
            rc = errf(ERR_VALIDATION, "problems", "第 %zu 个问题：检查项不属于本次检查", i + 1);
            break;
        }
    }
    json_decref(set);
    return rc;
}

static const char SQL_NOTICE_INSERT[] =
    "INSERT INTO inspect_notices (campaign_id, spot_id, org_id, regulator_org_id, number, "
    "problems, requirements, due_date, issued_at, issued_by, status) "
    "VALUES ($1, $2, $3, $4, COALESCE($5, ''), $6, COALESCE($7, ''), $8, $9, $10, 'issued') "
    "RETURNING id";
static const char SQL_NOTICE_NUMBER[] =
    "UPDATE inspect_notices SET number = $2 WHERE id = $1 AND number = ''";

static enum err insert_notice(struct db *db, const struct audit_ctx *ax, json_t *spot, json_t *in,
                              long long *id)
{
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    char *problems = json_canonical(json_object_get(in, "problems"));
    enum err rc = db_prepare(db, SQL_NOTICE_INSERT, &s);
    if (!rc) {
        db_bind_int(s, 1, id_parse(json_str(spot, "campaign_id")));
        db_bind_int(s, 2, id_parse(json_str(spot, "id")));
        db_bind_int(s, 3, id_parse(json_str(spot, "org_id")));
        db_bind_int(s, 4, id_parse(json_str(spot, "regulator_org_id")));
        db_bind_text(s, 5, json_str(in, "number"));
        db_bind_text(s, 6, problems);
        db_bind_text(s, 7, json_str(in, "requirements"));
        db_bind_text(s, 8, json_str(in, "due_date"));
        db_bind_text(s, 9, now);
        db_bind_text(s, 10, ax->actor_name);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            *id = db_int(s, 0);
        db_done(s);
    }
    free(problems);
    if (rc || (rc = db_prepare(db, SQL_NOTICE_NUMBER, &s)))
        return rc;
    char number[64];
    snprintf(number, sizeof number, "网安整改〔%.4s〕%lld号", now, *id);
    db_bind_int(s, 1, *id);
    db_bind_text(s, 2, number);
    return step_once(s);
}

enum err inspect_notice_issue(struct db *db, const struct audit_ctx *ax, long long spot_id,
                              json_t *in, long long *id)
{
    json_t *spot, *after;
    struct date due;
    enum err rc = inspect_spot_json(db, spot_id, 0, &spot);
    if (rc)
        return rc;
    long long campaign = id_parse(json_str(spot, "campaign_id"));
    if (strcmp(json_str(spot, "status"), "scored"))
        rc = errf(ERR_CONFLICT, NULL, "抽查评分完成后方可下发整改通知书");
    else if (date_parse(json_str(in, "due_date"), &due) || date_cmp(due, today_of()) < 0)
        rc = errf(ERR_VALIDATION, "due_date", "整改期限应为今天或以后的日期");
    if (rc || (rc = check_problems(db, campaign, json_object_get(in, "problems"))) ||
        (rc = insert_notice(db, ax, spot, in, id)) ||
        (rc = inspect_notice_json(db, *id, today_of(), &after)))
        goto out;
    char idb[24];
    id_text(*id, idb);
    rc = audit_append(db, ax, "inspect.notice_issue", "inspect_notice", idb,
                      id_parse(json_str(spot, "org_id")), NULL, after);
    json_decref(after);
    if (!rc)
        rc = duty_refresh(db, "inspection", campaign);
out:
    json_decref(spot);
    return rc;
}

static const char SQL_NOTICE_ORG[] =
    "SELECT org_id, regulator_org_id FROM inspect_notices WHERE id = $1";

enum err inspect_notice_org(struct db *db, long long id, long long *org_id, long long *regulator)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_NOTICE_ORG, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        *org_id = db_int(s, 0);
        *regulator = db_int(s, 1);
    }
    db_done(s);
    if (!rc && !found)
        rc = errf(ERR_NOT_FOUND, NULL, "整改通知书不存在");
    return rc;
}

static const char SQL_NOTICE[] = INSPECT_NOTICE_COLS "n.id = $1";

enum err inspect_notice_json(struct db *db, long long id, struct date today, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_NOTICE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = inspect_notice_row(s, today);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "整改通知书不存在");
    return rc;
}

static const char SQL_NOTICE_REPORT[] =
    "UPDATE inspect_notices SET status = 'closed', rectification = $2, accountability = $3, "
    "reported_at = $4, reported_by = $5, closed_on = $6 WHERE id = $1 AND status = 'issued'";

enum err inspect_notice_report(struct db *db, const struct audit_ctx *ax, long long id, json_t *in)
{
    json_t *before, *after;
    enum err rc = inspect_notice_json(db, id, today_of(), &before);
    if (rc)
        return rc;
    long long campaign = id_parse(json_str(before, "campaign_id"));
    long long org = id_parse(json_str(before, "org_id"));
    struct db_stmt *s;
    char now[40], today[11], idb[24];
    time_now_iso(now);
    date_format(today_of(), today);
    if (!strcmp(json_str(before, "status"), "closed"))
        rc = errf(ERR_CONFLICT, NULL, "整改通知书已关闭");
    if (rc || (rc = db_prepare(db, SQL_NOTICE_REPORT, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, json_str(in, "rectification"));
    db_bind_text(s, 3, json_str(in, "accountability"));
    db_bind_text(s, 4, now);
    db_bind_text(s, 5, ax->actor_name);
    db_bind_text(s, 6, today);
    if ((rc = step_once(s)) || (rc = inspect_notice_json(db, id, today_of(), &after)))
        goto out;
    id_text(id, idb);
    rc = audit_append(db, ax, "inspect.notice_report", "inspect_notice", idb, org, before, after);
    json_decref(after);
    if (!rc)
        rc = duty_refresh(db, "inspection", campaign);
out:
    json_decref(before);
    return rc;
}
