/* Sessions in the database (the server keeps no state: several processes can share one
 * PostgreSQL), CSRF tokens, API tokens, and the password policy. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "http/http.h"
#include "store/store.h"

enum { TOUCH_EVERY_S = 60 };

static const char SQL_SESSION[] =
    "SELECT u.id, u.username, u.role, u.org_id, u.must_change_password, s.csrf_token, s.last_seen, "
    "o.kind FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN orgs o ON o.id = u.org_id "
    "WHERE s.token_hash = $1 AND u.disabled = 0";
static const char SQL_TOUCH[] = "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1";
static const char SQL_DROP[] = "DELETE FROM sessions WHERE token_hash = $1";
static const char SQL_TOKEN[] =
    "SELECT u.id, u.username, u.role, u.org_id, t.scope, t.expires_at, t.last_used, t.id, o.kind "
    "FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN orgs o ON o.id = u.org_id "
    "WHERE t.token_hash = $1 AND t.revoked = 0 AND u.disabled = 0";
static const char SQL_TOKEN_TOUCH[] = "UPDATE api_tokens SET last_used = $2 WHERE id = $1";

static int is_write(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD");
}

/* Columns 0..3: id, username, role, org_id; kind_col: the organisation's kind. */
static void fill_caller(struct caller *c, struct db_stmt *s, int kind_col)
{
    c->user_id = db_int(s, 0);
    snprintf(c->username, sizeof c->username, "%s", db_text(s, 1));
    c->role = role_parse(db_text(s, 2));
    c->org_id = db_null(s, 3) ? 0 : db_int(s, 3);
    const char *kind = db_text(s, kind_col);
    c->org_regulator = kind && !strncmp(kind, "regulator", 9);
}

/* A small write outside the request's transaction, for last-seen times. */
static void touch(struct db *db, const char *sql, const char *key, long long key_int, long long now)
{
    struct db_stmt *s;
    int row;
    if (db_begin(db))
        return;
    if (!db_prepare(db, sql, &s)) {
        if (key)
            db_bind_text(s, 1, key);
        else
            db_bind_int(s, 1, key_int);
        db_bind_int(s, 2, now);
        db_step(s, &row);
        db_done(s);
    }
    if (db_commit(db))
        db_rollback(db);
}

static enum err by_token(struct request *r, const char *token)
{
    char hash[65];
    crypto_token_hash(token, hash);
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_TOKEN, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, hash);
    int row;
    long long now = time(NULL), last = 0, id = 0;
    if (!(rc = db_step(s, &row)) && row) {
        int expired = !db_null(s, 5) && db_int(s, 5) <= now;
        if (!expired) {
            fill_caller(&r->caller, s, 8);
            r->caller.via_token = 1;
            snprintf(r->caller.token_scope, sizeof r->caller.token_scope, "%s", db_text(s, 4));
            last = db_null(s, 6) ? 0 : db_int(s, 6);
            id = db_int(s, 7);
        }
    }
    db_done(s);
    if (rc)
        return rc;
    if (!r->caller.user_id)
        return errf(ERR_UNAUTHENTICATED, NULL, "API 令牌无效、已撤销或已过期");
    if (now - last >= TOUCH_EVERY_S)
        touch(r->db, SQL_TOKEN_TOUCH, NULL, id, now);
    return ERR_OK;
}

static enum err by_cookie(struct request *r, const char *cookie)
{
    char hash[65];
    crypto_token_hash(cookie, hash);
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_SESSION, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, hash);
    int row;
    long long now = time(NULL), last = 0, idle = config_int(SET_SESSION_IDLE_MINUTES) * 60;
    if (!(rc = db_step(s, &row)) && row) {
        last = db_int(s, 6);
        if (now - last <= idle) {
            fill_caller(&r->caller, s, 7);
            r->caller.must_change_password = (int)db_int(s, 4);
            snprintf(r->caller.csrf, sizeof r->caller.csrf, "%s", db_text(s, 5));
            memcpy(r->caller.session_hash, hash, sizeof hash);
        }
    }
    db_done(s);
    if (rc)
        return rc;
    if (!r->caller.user_id) {
        if (row) /* idle too long: the session ends */
            touch(r->db, SQL_DROP, hash, 0, 0);
        return ERR_OK;
    }
    if (now - last >= TOUCH_EVERY_S)
        touch(r->db, SQL_TOUCH, hash, 0, now);
    return ERR_OK;
}

enum err auth_resolve(struct request *r)
{
    memset(&r->caller, 0, sizeof r->caller);
    const char *authz = req_header(r, "Authorization");
    if (authz && !strncasecmp(authz, "Bearer ", 7))
        return by_token(r, authz + 7);
    const char *cookie = req_cookie(r, "fanghu_session");
    if (!cookie || strlen(cookie) != 64)
        return ERR_OK;
    enum err rc = by_cookie(r, cookie);
    if (rc || !r->caller.user_id)
        return rc;
    /* CSRF: a cookie-authenticated write must echo the session's token in a header, which a
     * cross-site form or script cannot read. Login itself creates the session, so is exempt. */
    if (is_write(r->method) && (strcmp(r->method, "POST") || strcmp(r->path, "/api/v1/session"))) {
        const char *h = req_header(r, "X-CSRF-Token");
        if (!h || !crypto_streq(h, r->caller.csrf))
            return errf(ERR_CSRF, NULL, "缺少或错误的 X-CSRF-Token 请求头");
    }
    return ERR_OK;
}

enum err auth_password_policy(const char *pw, const char *username, const char *field)
{
    size_t len = strlen(pw);
    if (len < 12)
        return errf(ERR_VALIDATION, field, "密码长度至少 12 位");
    if (len > 128)
        return errf(ERR_VALIDATION, field, "密码长度不能超过 128 位");
    int lower = 0, upper = 0, digit = 0, other = 0;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
        if (islower(*p))
            lower = 1;
        else if (isupper(*p))
            upper = 1;
        else if (isdigit(*p))
            digit = 1;
        else
            other = 1;
    }
    if (lower + upper + digit + other < 3)
        return errf(ERR_VALIDATION, field,
                    "密码须包含小写字母、大写字母、数字、其他字符中的至少三类");
    if (username && !strcasecmp(pw, username))
        return errf(ERR_VALIDATION, field, "密码不能与用户名相同");
    return ERR_OK;
}

static const char SQL_NEW_SESSION[] =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, client_addr) "
    "VALUES ($1, $2, $3, $4, $4, $5)";

enum err auth_session_create(struct request *r, long long user_id, char csrf[65])
{
    char token[65], hash[65];
    crypto_random_hex(token, 32); /* 256 bits */
    crypto_random_hex(csrf, 32);
    crypto_token_hash(token, hash);
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_NEW_SESSION, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, hash);
    db_bind_int(s, 2, user_id);
    db_bind_text(s, 3, csrf);
    db_bind_int(s, 4, (long long)time(NULL));
    db_bind_text(s, 5, r->client_addr);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc)
        return rc;
    char *cookie = arena_printf(&r->arena, "fanghu_session=%s; Path=/; HttpOnly; SameSite=Strict%s",
                                token, config_bool(SET_SECURE_COOKIES) ? "; Secure" : "");
    reply_header(r, "Set-Cookie", cookie);
    return ERR_OK;
}

static const char SQL_REVOKE_ALL[] = "DELETE FROM sessions WHERE user_id = $1";
static const char SQL_REVOKE_OTHERS[] =
    "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";

enum err auth_sessions_revoke(struct request *r, long long user_id, const char *keep_hash)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, keep_hash ? SQL_REVOKE_OTHERS : SQL_REVOKE_ALL, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, user_id);
    if (keep_hash)
        db_bind_text(s, 2, keep_hash);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}
