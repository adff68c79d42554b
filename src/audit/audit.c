/* The hash-chained audit log. Updating audit_head first takes its row lock, which orders
 * writers across processes on PostgreSQL (SQLite has one writer at a time anyway). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "crypto.h"
#include "http/http.h"
#include "json.h"
#include "store/store.h"
#include "timeutil.h"

struct audit_ctx audit_ctx_of(const struct request *r)
{
    struct audit_ctx ctx = {r->caller.user_id, r->caller.user_id ? r->caller.username : "anonymous",
                            r->request_id, r->client_addr};
    return ctx;
}

/* The canonical bytes of a record: a compact JSON array of its stored fields in a fixed order. */
static char *canonical(long long seq, const char *at, const char *actor_id, const char *actor_name,
                       const char *action, const char *entity, const char *entity_id,
                       const char *org_id, const char *before, const char *after,
                       const char *request_id, const char *client_addr)
{
    json_t *a =
        json_pack("[I,s,o,o,s,s,o,o,o,o,o,o]", (json_int_t)seq, at, json_str_or_null(actor_id),
                  json_str_or_null(actor_name), action, entity, json_str_or_null(entity_id),
                  json_str_or_null(org_id), json_str_or_null(before), json_str_or_null(after),
                  json_str_or_null(request_id), json_str_or_null(client_addr));
    char *s = json_canonical(a);
    json_decref(a);
    return s;
}

static enum err chain_hash(const char *prev, const char *bytes, char out[65])
{
    size_t lp = strlen(prev), lb = strlen(bytes);
    char *buf = malloc(lp + lb + 1);
    if (!buf)
        return ERR_INTERNAL;
    memcpy(buf, prev, lp);
    memcpy(buf + lp, bytes, lb + 1);
    enum err rc = crypto_sm3_hex(buf, lp + lb, out);
    free(buf);
    return rc;
}

static const char SQL_TAKE_HEAD[] =
    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash";
static const char SQL_INSERT[] =
    "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, org_id, "
    "before_json, after_json, request_id, client_addr, prev_hash, hash) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
static const char SQL_SET_HEAD[] = "UPDATE audit_head SET hash = $1 WHERE id = 1";

enum err audit_append(struct db *db, const struct audit_ctx *ctx, const char *action,
                      const char *entity, const char *entity_id, long long org_id,
                      const json_t *before, const json_t *after)
{
    struct db_stmt *s;
    int row = 0;
    char prev[65] = "", hash[65], at[40], actor_id[24] = "", org[24] = "";
    char *before_s = before ? json_canonical(before) : NULL;
    char *after_s = after ? json_canonical(after) : NULL;
    char *bytes = NULL;
    long long seq = 0;
    enum err rc = db_prepare(db, SQL_TAKE_HEAD, &s);
    if (rc)
        goto out;
    rc = db_step(s, &row);
    if (!rc && row) {
        seq = db_int(s, 0);
        snprintf(prev, sizeof prev, "%s", db_text(s, 1));
    }
    db_done(s);
    if (rc || !row) {
        rc = rc ? rc : errf(ERR_INTERNAL, NULL, "审计链头缺失");
        goto out;
    }
    time_now_iso(at);
    if (ctx->actor_id)
        snprintf(actor_id, sizeof actor_id, "%lld", ctx->actor_id);
    if (org_id)
        snprintf(org, sizeof org, "%lld", org_id);
    bytes =
        canonical(seq, at, *actor_id ? actor_id : NULL, ctx->actor_name, action, entity, entity_id,
                  *org ? org : NULL, before_s, after_s, ctx->request_id, ctx->client_addr);
    if ((rc = chain_hash(prev, bytes, hash)) || (rc = db_prepare(db, SQL_INSERT, &s)))
        goto out;
    db_bind_int(s, 1, seq);
    db_bind_text(s, 2, at);
    if (ctx->actor_id)
        db_bind_int(s, 3, ctx->actor_id);
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, ctx->actor_name);
    db_bind_text(s, 5, action);
    db_bind_text(s, 6, entity);
    db_bind_text(s, 7, entity_id);
    if (org_id)
        db_bind_int(s, 8, org_id);
    else
        db_bind_null(s, 8);
    db_bind_text(s, 9, before_s);
    db_bind_text(s, 10, after_s);
    db_bind_text(s, 11, ctx->request_id);
    db_bind_text(s, 12, ctx->client_addr);
    db_bind_text(s, 13, prev);
    db_bind_text(s, 14, hash);
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = db_prepare(db, SQL_SET_HEAD, &s)))
        goto out;
    db_bind_text(s, 1, hash);
    rc = db_step(s, &row);
    db_done(s);
out:
    free(before_s);
    free(after_s);
    free(bytes);
    return rc;
}

enum err audit_request(struct request *r, const char *action, const char *entity,
                       long long entity_id, long long org_id, const json_t *before,
                       const json_t *after)
{
    struct audit_ctx ctx = audit_ctx_of(r);
    char id[24] = "";
    if (entity_id)
        snprintf(id, sizeof id, "%lld", entity_id);
    return audit_append(r->db, &ctx, action, entity, entity_id ? id : NULL, org_id, before, after);
}

static const char SQL_PAGE[] =
    "SELECT seq, at, CAST(actor_id AS TEXT), actor_name, action, entity, entity_id, "
    "CAST(org_id AS TEXT), before_json, after_json, request_id, client_addr, prev_hash, hash "
    "FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 2000";
static const char SQL_HEAD[] = "SELECT seq, hash FROM audit_head WHERE id = 1";

enum err audit_verify(struct db *db, long long *checked, long long *first_bad)
{
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    long long last = 0;
    *checked = 0;
    *first_bad = 0;
    for (;;) {
        struct db_stmt *s;
        enum err rc = db_prepare(db, SQL_PAGE, &s);
        if (rc)
            return rc;
        db_bind_int(s, 1, last);
        int row, n = 0;
        while (!(rc = db_step(s, &row)) && row) {
            n++;
            long long seq = db_int(s, 0);
            char hash[65];
            char *bytes = canonical(seq, db_text(s, 1), db_text(s, 2), db_text(s, 3), db_text(s, 4),
                                    db_text(s, 5), db_text(s, 6), db_text(s, 7), db_text(s, 8),
                                    db_text(s, 9), db_text(s, 10), db_text(s, 11));
            rc = chain_hash(prev, bytes, hash);
            free(bytes);
            const char *stored_prev = db_text(s, 12), *stored = db_text(s, 13);
            if (rc || seq != last + 1 || !stored_prev || strcmp(stored_prev, prev) || !stored ||
                strcmp(stored, hash)) {
                *first_bad = seq != last + 1 ? last + 1 : seq;
                db_done(s);
                return rc;
            }
            memcpy(prev, hash, sizeof prev);
            last = seq;
            (*checked)++;
        }
        db_done(s);
        if (rc)
            return rc;
        if (n == 0)
            break;
    }
    struct db_stmt *h;
    enum err rc = db_prepare(db, SQL_HEAD, &h);
    if (rc)
        return rc;
    int row;
    rc = db_step(h, &row);
    if (!rc && row && (db_int(h, 0) != last || strcmp(db_text(h, 1), prev)))
        *first_bad = last + 1; /* records after `last` were removed, or the head was altered */
    db_done(h);
    return rc;
}
