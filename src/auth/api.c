/* HTTP: health, login and logout, the caller's own account, and API tokens. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "http/export.h"
#include "http/http.h"
#include "store/store.h"
#include "timeutil.h"
#include "user/user.h"

static enum err health(struct request *r)
{
    reply_json(r, 200,
               json_pack("{s:s,s:s,s:s}", "status", "ok", "version", FANGHU_VERSION, "db",
                         store_engine_name(r->store)));
    return ERR_OK;
}

/* Throttling by client address: failures within a 15-minute window. */
static const char SQL_ADDR_GET[] =
    "SELECT failures, window_start FROM login_failures WHERE client_addr = $1";
static const char SQL_ADDR_FAIL[] =
    "INSERT INTO login_failures (client_addr, failures, window_start) VALUES ($1, 1, $2) "
    "ON CONFLICT (client_addr) DO UPDATE SET "
    "failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 "
    "END, "
    "window_start = CASE WHEN login_failures.window_start < $3 THEN $2 ELSE "
    "login_failures.window_start END";

enum { ADDR_WINDOW_S = 15 * 60 };

static enum err addr_blocked(struct request *r, long long now, long long *retry_after)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_ADDR_GET, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, r->client_addr);
    int row;
    *retry_after = 0;
    if (!(rc = db_step(s, &row)) && row) {
        long long failures = db_int(s, 0), start = db_int(s, 1);
        if (start + ADDR_WINDOW_S > now && failures >= config_int(SET_ADDR_MAX_FAILURES))
            *retry_after = start + ADDR_WINDOW_S - now;
    }
    db_done(s);
    return rc;
}

static enum err addr_failed(struct request *r, long long now)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_ADDR_FAIL, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, r->client_addr);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, now - ADDR_WINDOW_S);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static const char SQL_LOGIN_USER[] =
    "SELECT id, password_hash, disabled, locked_until, must_change_password, org_id "
    "FROM users WHERE username = $1";
static const char SQL_FAILED[] =
    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins";
static const char SQL_LOCK[] =
    "UPDATE users SET locked_until = $2, failed_logins = 0 WHERE id = $1";
static const char SQL_LOGGED_IN[] =
    "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1";

struct login_user {
    long long id, locked_until, org_id;
    int disabled, must_change;
    char hash[128];
};

static enum err load_login_user(struct request *r, const char *username, struct login_user *u)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_LOGIN_USER, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, username);
    int row;
    memset(u, 0, sizeof *u);
    if (!(rc = db_step(s, &row)) && row) {
        u->id = db_int(s, 0);
        snprintf(u->hash, sizeof u->hash, "%s", db_text(s, 1));
        u->disabled = (int)db_int(s, 2);
        u->locked_until = db_null(s, 3) ? 0 : db_int(s, 3);
        u->must_change = (int)db_int(s, 4);
        u->org_id = db_null(s, 5) ? 0 : db_int(s, 5);
    }
    db_done(s);
    return rc;
}

/* Records a failed login (and locks the account at the threshold), then commits. */
static enum err login_failed(struct request *r, const struct login_user *u, const char *username,
                             const char *why, long long now, enum err answer)
{
    enum err rc = db_begin(r->db);
    if (rc)
        return rc;
    rc = addr_failed(r, now);
    int locked_now = 0;
    if (!rc && u->id && answer == ERR_BAD_CREDENTIALS) {
        struct db_stmt *s;
        int row;
        long long failures = 0;
        if (!(rc = db_prepare(r->db, SQL_FAILED, &s))) {
            db_bind_int(s, 1, u->id);
            if (!(rc = db_step(s, &row)) && row)
                failures = db_int(s, 0);
            db_done(s);
        }
        if (!rc && failures >= config_int(SET_LOCKOUT_THRESHOLD) &&
            !(rc = db_prepare(r->db, SQL_LOCK, &s))) {
            db_bind_int(s, 1, u->id);
            db_bind_int(s, 2, now + config_int(SET_LOCKOUT_MINUTES) * 60);
            rc = db_step(s, &row);
            db_done(s);
            locked_now = 1;
        }
    }
    json_t *after =
        json_pack("{s:s,s:s,s:b}", "username", username, "reason", why, "locked", locked_now);
    struct audit_ctx ax = audit_ctx_of(r);
    char id[24];
    snprintf(id, sizeof id, "%lld", u->id);
    if (!rc)
        rc = audit_append(r->db, &ax, "session.login_failed", "user", u->id ? id : NULL, u->org_id,
                          NULL, after);
    json_decref(after);
    if (rc || (rc = db_commit(r->db))) {
        db_rollback(r->db);
        return rc;
    }
    if (answer == ERR_LOCKED)
        return errf(ERR_LOCKED, NULL, "账号已锁定，请 %lld 分钟后再试",
                    (u->locked_until - now + 59) / 60);
    return errf(answer, NULL, NULL);
}

static const struct jfield LOGIN[] = {
    {"username", JT_STRING, 1, 64, 0, 0, "用户名"},
    {"password", JT_STRING, 1, 256, 0, 0, "密码"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err me_reply(struct request *r, long long user_id, const char *csrf, int status,
                         int must_change);

static enum err login(struct request *r)
{
    json_t *in;
    enum err rc = req_json(r, LOGIN, &in);
    if (rc)
        return rc;
    const char *username = json_str(in, "username"), *password = json_str(in, "password");
    long long now = time(NULL), retry;
    if ((rc = addr_blocked(r, now, &retry)))
        return rc;
    if (retry) {
        char secs[24];
        snprintf(secs, sizeof secs, "%lld", retry);
        reply_header(r, "Retry-After", secs);
        return errf(ERR_RATE_LIMITED, NULL, "登录失败次数过多，请 %lld 秒后再试", retry);
    }
    struct login_user u;
    if ((rc = load_login_user(r, username, &u)))
        return rc;
    /* The password check runs outside any transaction: argon2id takes tens of milliseconds. */
    if (!u.id) {
        char dummy[128];
        crypto_password_hash("fanghu-timing-equaliser", dummy);
        return login_failed(r, &u, username, "unknown_user", now, ERR_BAD_CREDENTIALS);
    }
    if (u.locked_until > now)
        return login_failed(r, &u, username, "locked", now, ERR_LOCKED);
    if (!crypto_password_verify(u.hash, password))
        return login_failed(r, &u, username, "bad_password", now, ERR_BAD_CREDENTIALS);
    if (u.disabled)
        return login_failed(r, &u, username, "disabled", now, ERR_BAD_CREDENTIALS);

    char csrf[65], nowiso[40];
    time_now_iso(nowiso);
    if ((rc = db_begin(r->db)))
        return rc;
    struct db_stmt *s;
    int row;
    if (!(rc = db_prepare(r->db, SQL_LOGGED_IN, &s))) {
        db_bind_int(s, 1, u.id);
        db_bind_text(s, 2, nowiso);
        rc = db_step(s, &row);
        db_done(s);
    }
    r->caller.user_id = u.id;
    snprintf(r->caller.username, sizeof r->caller.username, "%s", username);
    if (!rc)
        rc = auth_session_create(r, u.id, csrf);
    if (!rc)
        rc = audit_request(r, "session.login", "user", u.id, u.org_id, NULL, NULL);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        return rc;
    }
    return me_reply(r, u.id, csrf, 200, u.must_change);
}

static enum err me_reply(struct request *r, long long user_id, const char *csrf, int status,
                         int must_change)
{
    json_t *user;
    enum err rc = user_json(r->db, user_id, &user);
    if (rc)
        return rc;
    reply_json(r, status,
               json_pack("{s:s,s:b,s:o}", "csrf_token", csrf, "must_change_password", must_change,
                         "user", user));
    return ERR_OK;
}

static enum err logout(struct request *r)
{
    if (r->caller.via_token)
        return errf(ERR_VALIDATION, NULL, "API 令牌没有会话");
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, "DELETE FROM sessions WHERE token_hash = $1", &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, r->caller.session_hash);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = audit_request(r, "session.logout", "user", r->caller.user_id, r->caller.org_id,
                                  NULL, NULL)))
        return rc;
    reply_header(r, "Set-Cookie", "fanghu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    reply_empty(r, 204);
    return ERR_OK;
}

static enum err logout_all(struct request *r)
{
    enum err rc = auth_sessions_revoke(r, r->caller.user_id, NULL);
    if (rc || (rc = audit_request(r, "session.logout_all", "user", r->caller.user_id,
                                  r->caller.org_id, NULL, NULL)))
        return rc;
    reply_header(r, "Set-Cookie", "fanghu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    reply_empty(r, 204);
    return ERR_OK;
}

static enum err me(struct request *r)
{
    return me_reply(r, r->caller.user_id, r->caller.csrf, 200, r->caller.must_change_password);
}

static const struct jfield CHANGE_PW[] = {
    {"old_password", JT_STRING, 1, 256, 0, 0, "原密码"},
    {"new_password", JT_STRING, 1, 256, 0, 0, "新密码"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err change_password(struct request *r)
{
    json_t *in;
    if (r->caller.via_token)
        return errf(ERR_FORBIDDEN, NULL, "API 令牌不能修改密码");
    enum err rc = req_json(r, CHANGE_PW, &in);
    if (rc)
        return rc;
    const char *old_pw = json_str(in, "old_password"), *new_pw = json_str(in, "new_password");
    struct login_user u;
    if ((rc = load_login_user(r, r->caller.username, &u)))
        return rc;
    if (!crypto_password_verify(u.hash, old_pw))
        return errf(ERR_VALIDATION, "old_password", "原密码不正确");
    if ((rc = auth_password_policy(new_pw, r->caller.username, "new_password")))
        return rc;
    if (!strcmp(old_pw, new_pw))
        return errf(ERR_VALIDATION, "new_password", "新密码不能与原密码相同");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = db_begin(r->db)))
        return rc;
    rc = user_set_password(r->db, &ax, u.id, new_pw, 0, "user.password_change");
    if (!rc)
        rc = auth_sessions_revoke(r, u.id, r->caller.session_hash);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        return rc;
    }
    reply_empty(r, 204);
    return ERR_OK;
}

/* API tokens: "fh_" + 256 random bits, stored only as a hash. */
static const char SQL_TOKENS[] =
    "SELECT t.id, t.name, t.scope, t.user_id, t.created_at, t.expires_at, t.last_used, u.username "
    "FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "WHERE t.revoked = 0 AND ($1 = 1 OR t.user_id = $2) ORDER BY t.id DESC LIMIT $3 OFFSET $4";
static const char SQL_TOKENS_COUNT[] =
    "SELECT COUNT(*) FROM api_tokens t WHERE t.revoked = 0 AND ($1 = 1 OR t.user_id = $2)";

static json_t *token_json(struct db_stmt *s)
{
    char id[24], uid[24], exp[40], used[40];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(uid, sizeof uid, "%lld", db_int(s, 3));
    if (!db_null(s, 5))
        time_iso((time_t)db_int(s, 5), exp);
    if (!db_null(s, 6))
        time_iso((time_t)db_int(s, 6), used);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", id, "name", db_text(s, 1), "scope",
                     db_text(s, 2), "user_id", uid, "username", db_text(s, 7), "created_at",
                     db_text(s, 4), "expires_at", db_null(s, 5) ? json_null() : json_string(exp),
                     "last_used_at", db_null(s, 6) ? json_null() : json_string(used));
}

static enum err tokens_list(struct request *r)
{
    long long limit, offset, total;
    enum err rc = req_page(r, &limit, &offset);
    struct db_stmt *s;
    int all = r->caller.role == ROLE_SYSADMIN;
    if (rc || (rc = db_prepare(r->db, SQL_TOKENS_COUNT, &s)))
        return rc;
    db_bind_int(s, 1, all);
    db_bind_int(s, 2, r->caller.user_id);
    if ((rc = db_scalar_int(s, 0, &total)) || (rc = db_prepare(r->db, SQL_TOKENS, &s)))
        return rc;
    db_bind_int(s, 1, all);
    db_bind_int(s, 2, r->caller.user_id);
    db_bind_int(s, 3, limit);
    db_bind_int(s, 4, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, token_json(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static const struct jfield NEW_TOKEN[] = {
    {"name", JT_STRING, 1, 100, 0, 0, "名称"},
    {"scope", JT_STRING, 1, 24, 0, 0, "权限范围"},
    {"expires_at", JT_TIME, 0, 40, 0, 0, "过期时间"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const char SQL_NEW_TOKEN[] =
    "INSERT INTO api_tokens (user_id, name, scope, token_hash, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_TOKEN_BY_ID[] =
    "SELECT t.id, t.name, t.scope, t.user_id, t.created_at, t.expires_at, t.last_used, u.username "
    "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1";

static enum err token_create(struct request *r)
{
    json_t *in;
    if (r->caller.via_token)
        return errf(ERR_FORBIDDEN, NULL, "不能用 API 令牌创建令牌");
    enum err rc = req_json(r, NEW_TOKEN, &in);
    if (rc)
        return rc;
    const char *scope = json_str(in, "scope"), *exp = json_str(in, "expires_at");
    if (strcmp(scope, "read") && strcmp(scope, "events:write"))
        return errf(ERR_VALIDATION, "scope", "权限范围应为 read 或 events:write");
    time_t expires = 0;
    if (exp && (time_parse_iso(exp, &expires) || expires <= time(NULL)))
        return errf(ERR_VALIDATION, "expires_at", "过期时间应为将来的时间");
    char secret[70], hash[65], now[40];
    snprintf(secret, 4, "fh_");
    crypto_random_hex(secret + 3, 32);
    crypto_token_hash(secret, hash);
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(r->db, SQL_NEW_TOKEN, &s)))
        return rc;
    db_bind_int(s, 1, r->caller.user_id);
    db_bind_text(s, 2, json_str(in, "name"));
    db_bind_text(s, 3, scope);
    db_bind_text(s, 4, hash);
    db_bind_text(s, 5, now);
    if (expires)
        db_bind_int(s, 6, (long long)expires);
    else
        db_bind_null(s, 6);
    int row;
    long long id = 0;
    if (!(rc = db_step(s, &row)) && row)
        id = db_int(s, 0);
    db_done(s);
    if (rc || (rc = db_prepare(r->db, SQL_TOKEN_BY_ID, &s)))
        return rc;
    db_bind_int(s, 1, id);
    json_t *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        out = token_json(s);
    db_done(s);
    if (rc || !out)
        return rc ? rc : ERR_INTERNAL;
    if ((rc = audit_request(r, "token.create", "api_token", id, r->caller.org_id, NULL, out))) {
        json_decref(out);
        return rc;
    }
    json_object_set_new(out, "token", json_string(secret));
    reply_json(r, 201, out);
    return ERR_OK;
}

static const char SQL_REVOKE[] =
    "UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND revoked = 0 AND ($2 = 1 OR user_id = $3)";

static enum err token_delete(struct request *r)
{
    long long id;
    enum err rc = req_param_id(r, 0, &id);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(r->db, SQL_REVOKE, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_int(s, 2, r->caller.role == ROLE_SYSADMIN);
    db_bind_int(s, 3, r->caller.user_id);
    int row;
    rc = db_step(s, &row);
    long long changed = db_changes(s);
    db_done(s);
    if (rc)
        return rc;
    if (!changed)
        return errf(ERR_NOT_FOUND, NULL, "令牌不存在");
    if ((rc = audit_request(r, "token.revoke", "api_token", id, r->caller.org_id, NULL, NULL)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

/* The token list as the console shows it; the secret is never stored, so never exported. */
static const struct export_col token_cols[] = {
    {"name", "名称", NULL},
    {"scope", "权限范围", "read=只读（read）|events:write=事件上报（events:write）"},
    {"username", "所属用户", NULL},
    {"created_at", "创建时间", NULL},
    {"expires_at", "有效期至", "=长期有效"},
    {"last_used_at", "最近使用", "=从未使用"},
    {NULL, NULL, NULL},
};

const struct list_export auth_exports[] = {
    {"/api/v1/tokens", "API 令牌", token_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route auth_routes[] = {
    {"GET", "/api/v1/health", health, R_PUBLIC},
    {"POST", "/api/v1/session", login, R_PUBLIC | R_OWN_TX},
    {"DELETE", "/api/v1/session", logout, R_PW_CHANGE},
    {"DELETE", "/api/v1/me/sessions", logout_all, 0},
    {"GET", "/api/v1/me", me, R_PW_CHANGE},
    {"POST", "/api/v1/me/password", change_password, R_PW_CHANGE | R_OWN_TX},
    {"GET", "/api/v1/tokens", tokens_list, 0},
    {"POST", "/api/v1/tokens", token_create, 0},
    {"DELETE", "/api/v1/tokens/:id", token_delete, 0},
    {NULL, NULL, NULL, 0},
};
