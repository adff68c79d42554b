/* The users' SQL and the rules of creating and changing accounts. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "crypto.h"
#include "json.h"
#include "org/org.h"
#include "store/store.h"
#include "timeutil.h"
#include "user.h"

static const char SQL_GET[] =
    "SELECT u.id, u.username, u.display_name, u.role, CAST(u.org_id AS TEXT), o.name, u.disabled, "
    "u.must_change_password, u.locked_until, u.last_login_at, u.created_at "
    "FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE u.id = $1";

/* Builds USER from a row of the column order of SQL_GET (also used by lists). */
json_t *user_row_json(struct db_stmt *s);
json_t *user_row_json(struct db_stmt *s)
{
    char idbuf[24], locked[40];
    snprintf(idbuf, sizeof idbuf, "%lld", db_int(s, 0));
    long long until = db_null(s, 8) ? 0 : db_int(s, 8);
    if (until > time(NULL))
        time_iso((time_t)until, locked);
    enum role role = role_parse(db_text(s, 3));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:b,s:b,s:o,s:o,s:s}", "id", idbuf, "username",
                     db_text(s, 1), "display_name", db_text(s, 2), "role", db_text(s, 3),
                     "role_name", role_name(role), "org_id", json_str_or_null(db_text(s, 4)),
                     "org_name", json_str_or_null(db_text(s, 5)), "disabled", (int)db_int(s, 6),
                     "must_change_password", (int)db_int(s, 7), "locked_until",
                     until > time(NULL) ? json_string(locked) : json_null(), "last_login_at",
                     json_str_or_null(db_text(s, 9)), "created_at", db_text(s, 10));
}

enum err user_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_GET, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = user_row_json(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "用户不存在");
    return rc;
}

static enum err check_username(const char *u)
{
    size_t n = strlen(u);
    if (n < 3 || n > 64)
        return errf(ERR_VALIDATION, "username", "用户名长度应为 3 至 64 个字符");
    for (const char *p = u; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._-@", *p))
            return errf(ERR_VALIDATION, "username", "用户名只能包含字母、数字和 . _ - @");
    return ERR_OK;
}

enum err user_role_fits(struct db *db, enum role role, long long org_id)
{
    if (role == ROLE_NONE)
        return errf(ERR_VALIDATION, "role", "未知角色");
    if (!org_id) {
        if (role == ROLE_SYSADMIN || role == ROLE_AUDITOR)
            return ERR_OK;
        return errf(ERR_VALIDATION, "org_id", "该角色必须属于一个组织机构");
    }
    char kind[32];
    enum err rc = org_kind_of(db, org_id, kind);
    if (rc)
        return errf(ERR_NOT_FOUND, "org_id", "组织机构不存在");
    const struct org_kind *k = org_kind_find(kind);
    if (role_is_regulator(role) && !k->regulator)
        return errf(ERR_VALIDATION, "role", "监管角色只能属于监管机构");
    if (role_is_operator(role) && k->regulator)
        return errf(ERR_VALIDATION, "role", "运行单位角色不能属于监管机构");
    if (role == ROLE_SYSADMIN)
        return errf(ERR_VALIDATION, "org_id", "系统管理员不属于任何组织机构");
    return ERR_OK;
}

static const char SQL_INSERT[] =
    "INSERT INTO users (username, display_name, role, org_id, password_hash, "
    "must_change_password, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) "
    "RETURNING id";
static const char SQL_TAKEN[] = "SELECT COUNT(*) FROM users WHERE username = $1";

enum err user_create(struct db *db, const struct audit_ctx *ax, const struct user_new *u,
                     long long *id, char initial_password[32])
{
    enum err rc = check_username(u->username);
    if (rc)
        return rc;
    if (!u->display_name || !*u->display_name || strlen(u->display_name) > 100)
        return errf(ERR_VALIDATION, "display_name", "姓名不能为空且不超过 100 字节");
    if ((rc = user_role_fits(db, u->role, u->org_id)))
        return rc;
    const char *pw = u->password;
    initial_password[0] = '\0';
    if (!pw) {
        crypto_random_password(initial_password);
        pw = initial_password;
    } else if ((rc = auth_password_policy(pw, u->username, "password"))) {
        return rc;
    }
    struct db_stmt *s;
    long long taken = 0;
    if ((rc = db_prepare(db, SQL_TAKEN, &s)))
        return rc;
    db_bind_text(s, 1, u->username);
    if ((rc = db_scalar_int(s, 0, &taken)))
        return rc;
    if (taken)
        return errf(ERR_CONFLICT, "username", "用户名已存在");
    char hash[128], now[40];
    if ((rc = crypto_password_hash(pw, hash)))
        return rc;
    time_now_iso(now);
    if ((rc = db_prepare(db, SQL_INSERT, &s)))
        return rc;
    db_bind_text(s, 1, u->username);
    db_bind_text(s, 2, u->display_name);
    db_bind_text(s, 3, role_code(u->role));
    if (u->org_id)
        db_bind_int(s, 4, u->org_id);
    else
        db_bind_null(s, 4);
    db_bind_text(s, 5, hash);
    db_bind_text(s, 6, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    if (rc)
        return rc;
    json_t *after;
    if ((rc = user_json(db, *id, &after)))
        return rc;
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", *id);
    rc = audit_append(db, ax, "user.create", "user", idbuf, u->org_id, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_SET_PW[] =
    "UPDATE users SET password_hash = $2, must_change_password = $3, failed_logins = 0, "
    "locked_until = NULL, updated_at = $4 WHERE id = $1";

enum err user_set_password(struct db *db, const struct audit_ctx *ax, long long id,
                           const char *password, int must_change, const char *action)
{
    char hash[128], now[40], idbuf[24];
    enum err rc = crypto_password_hash(password, hash);
    if (rc)
        return rc;
    time_now_iso(now);
    struct db_stmt *s;
    if ((rc = db_prepare(db, SQL_SET_PW, &s)))
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, hash);
    db_bind_int(s, 3, must_change);
    db_bind_text(s, 4, now);
    int row;
    rc = db_step(s, &row);
    long long changed = db_changes(s);
    db_done(s);
    if (rc)
        return rc;
    if (!changed)
        return errf(ERR_NOT_FOUND, NULL, "用户不存在");
    json_t *after = json_pack("{s:b}", "must_change_password", must_change);
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    long long org = 0;
    rc = audit_append(db, ax, action, "user", idbuf, org, NULL, after);
    json_decref(after);
    return rc;
}

static const char SQL_FIND[] = "SELECT id, org_id FROM users WHERE username = $1";

enum err user_find(struct db *db, const char *username, long long *id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_FIND, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, username);
    int row;
    *id = 0;
    if (!(rc = db_step(s, &row)) && row) {
        *id = db_int(s, 0);
        *org_id = db_null(s, 1) ? 0 : db_int(s, 1);
    }
    db_done(s);
    if (!rc && !*id)
        rc = errf(ERR_NOT_FOUND, "username", "用户 %s 不存在", username);
    return rc;
}
