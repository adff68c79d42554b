/* HTTP: user administration within the caller's scope. Operator administrators manage operator
 * accounts of their own organisation tree; system administrators manage everyone. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "crypto.h"
#include "http/export.h"
#include "http/http.h"
#include "org/org.h"
#include "store/store.h"
#include "timeutil.h"
#include "user.h"

json_t *user_row_json(struct db_stmt *s);

#define USER_COLS                                                                                  \
    "SELECT u.id, u.username, u.display_name, u.role, CAST(u.org_id AS TEXT), o.name, "            \
    "u.disabled, "                                                                                 \
    "u.must_change_password, u.locked_until, u.last_login_at, u.created_at "                       \
    "FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE "
#define USER_FILTERS                                                                               \
    " AND (CAST($2 AS TEXT) IS NULL OR u.username LIKE $2 ESCAPE '\\' OR u.display_name LIKE $2 "  \
    "ESCAPE '\\')"                                                                                 \
    " AND (CAST($3 AS BIGINT) IS NULL OR u.org_id = $3) AND (CAST($4 AS TEXT) IS NULL OR u.role "  \
    "= $4)"

static const char *const SQL_LIST[3] =
    SCOPED(USER_COLS, "u.org_id", USER_FILTERS " ORDER BY u.id LIMIT $5 OFFSET $6");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM users u WHERE ", "u.org_id", USER_FILTERS);

static void bind_filters(struct request *r, struct db_stmt *s)
{
    scope_bind(s, &r->caller);
    const char *org = req_query(r, "org_id"), *role = req_query(r, "role");
    db_bind_text(s, 2, req_like(r, "q"));
    if (org && id_parse(org) >= 0)
        db_bind_int(s, 3, id_parse(org));
    else if (org && *org)
        db_bind_int(s, 3, -1);
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, role && *role ? role : NULL);
}

static enum err list(struct request *r)
{
    long long limit, offset, total;
    enum err rc = req_page(r, &limit, &offset);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_COUNT), &s)))
        return rc;
    bind_filters(r, s);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST), &s)))
        return rc;
    bind_filters(r, s);
    db_bind_int(s, 5, limit);
    db_bind_int(s, 6, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, user_row_json(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static const char SQL_ORG_OF[] = "SELECT org_id FROM users WHERE id = $1";

/* Loads the user's organisation and checks the caller may see the user (404 otherwise). */
static enum err visible_user(struct request *r, long long id, long long *org_id)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_ORG_OF, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row, found = 0;
    if (!(rc = db_step(s, &row)) && row) {
        found = 1;
        *org_id = db_null(s, 0) ? 0 : db_int(s, 0);
    }
    db_done(s);
    if (rc)
        return rc;
    if (!found)
        return errf(ERR_NOT_FOUND, NULL, "用户不存在");
    if (!*org_id)
        return scope_mode(&r->caller) == SCOPE_ALL ? ERR_OK
                                                   : errf(ERR_NOT_FOUND, NULL, "用户不存在");
    return scope_check_org(r, *org_id);
}

/* May the caller administer accounts of org_id with role? */
static enum err may_manage(struct request *r, long long org_id, enum role role)
{
    if (r->caller.role == ROLE_SYSADMIN)
        return ERR_OK;
    if (r->caller.role != ROLE_OPERATOR_ADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有管理员可以管理用户");
    if (role != ROLE_NONE && !role_is_operator(role))
        return errf(ERR_FORBIDDEN, "role", "运行单位管理员只能分配运行单位角色");
    if (!org_id)
        return errf(ERR_VALIDATION, "org_id", "必须指定组织机构");
    return scope_check_org(r, org_id);
}

static enum err get(struct request *r)
{
    long long id, org;
    enum err rc = req_param_id(r, 0, &id);
    json_t *out;
    if (rc || (rc = visible_user(r, id, &org)) || (rc = user_json(r->db, id, &out)))
        return rc;
    reply_json(r, 200, out);
    return ERR_OK;
}

static const struct jfield NEW_USER[] = {
    {"username", JT_STRING, 1, 64, 0, 0, "用户名"},
    {"display_name", JT_STRING, 1, 100, 0, 0, "姓名"},
    {"role", JT_STRING, 1, 32, 0, 0, "角色"},
    {"org_id", JT_ID, 0, 20, 0, 0, "组织机构"},
    {"password", JT_STRING, 0, 128, 0, 0, "密码"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static enum err create(struct request *r)
{
    json_t *in;
    enum err rc = req_json(r, NEW_USER, &in);
    if (rc)
        return rc;
    struct user_new u = {json_str(in, "username"), json_str(in, "display_name"),
                         role_parse(json_str(in, "role")), id_parse(json_str(in, "org_id")),
                         json_str(in, "password")};
    if (u.org_id < 0)
        u.org_id = 0;
    if (u.role == ROLE_NONE)
        return errf(ERR_VALIDATION, "role", "未知角色：%s", json_str(in, "role"));
    if ((rc = may_manage(r, u.org_id, u.role))) {
        if (rc == ERR_NOT_FOUND) /* an organisation the caller cannot see does not exist for it */
            return errf(ERR_NOT_FOUND, "org_id", "组织机构不存在");
        return rc;
    }
    long long id;
    char initial[32];
    struct audit_ctx ax = audit_ctx_of(r);
    json_t *user;
    if ((rc = user_create(r->db, &ax, &u, &id, initial)) || (rc = user_json(r->db, id, &user)))
        return rc;
    json_t *out = json_pack("{s:o}", "user", user);
    if (initial[0])
        json_object_set_new(out, "initial_password", json_string(initial));
    reply_json(r, 201, out);
    return ERR_OK;
}

static const struct jfield PATCH_USER[] = {
    {"display_name", JT_STRING, 2, 100, 0, 0, "姓名"},
    {"role", JT_STRING, 2, 32, 0, 0, "角色"},
    {"disabled", JT_BOOL, 0, 0, 0, 0, "停用"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const char SQL_UPDATE[] =
    "UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role), "
    "disabled = COALESCE($4, disabled), updated_at = $5 WHERE id = $1";

static enum err update(struct request *r)
{
    long long id, org;
    json_t *in, *before = NULL, *after = NULL;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = visible_user(r, id, &org)) || (rc = req_json(r, PATCH_USER, &in)))
        return rc;
    enum role role = ROLE_NONE;
    if (json_str(in, "role") && (role = role_parse(json_str(in, "role"))) == ROLE_NONE)
        return errf(ERR_VALIDATION, "role", "未知角色");
    if ((rc = may_manage(r, org, role)))
        return rc;
    if (role != ROLE_NONE && (rc = user_role_fits(r->db, role, org)))
        return rc;
    json_t *dis = json_object_get(in, "disabled");
    if (id == r->caller.user_id && (json_is_true(dis) || role != ROLE_NONE))
        return errf(ERR_VALIDATION, json_is_true(dis) ? "disabled" : "role",
                    "不能停用自己或修改自己的角色");
    if ((rc = user_json(r->db, id, &before)))
        return rc;
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    if ((rc = db_prepare(r->db, SQL_UPDATE, &s)))
        goto out;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, json_str(in, "display_name"));
    db_bind_text(s, 3, role != ROLE_NONE ? role_code(role) : NULL);
    if (json_is_boolean(dis))
        db_bind_int(s, 4, json_is_true(dis));
    else
        db_bind_null(s, 4);
    db_bind_text(s, 5, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc || (rc = user_json(r->db, id, &after)))
        goto out;
    /* A disabled account loses its sessions at once (its API tokens stop with it). */
    if (json_is_true(dis) && (rc = auth_sessions_revoke(r, id, NULL)))
        goto out;
    if ((rc = audit_request(r, "user.update", "user", id, org, before, after)))
        goto out;
    reply_json(r, 200, after);
    after = NULL;
out:
    json_decref(before);
    json_decref(after);
    return rc;
}

static const struct jfield NO_FIELDS[] = {{NULL, 0, 0, 0, 0, 0, NULL}};

static enum err reset_password(struct request *r)
{
    long long id, org;
    json_t *in;
    enum err rc = req_param_id(r, 0, &id);
    if (!rc && r->body.len && (rc = req_json(r, NO_FIELDS, &in)))
        return rc;
    if (rc || (rc = visible_user(r, id, &org)) || (rc = may_manage(r, org, ROLE_NONE)))
        return rc;
    char pw[32];
    crypto_random_password(pw);
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = user_set_password(r->db, &ax, id, pw, 1, "user.password_reset")) ||
        (rc = auth_sessions_revoke(r, id, NULL)))
        return rc;
    reply_json(r, 200, json_pack("{s:s}", "initial_password", pw));
    return ERR_OK;
}

/* The console's columns; its 状态 tag (停用, 锁定, 待改密) as its three parts. */
/* 状态 as the console shows it: 已停用, 已锁定 (until a time still ahead) or 正常, and 待改密. */
static void user_export_prepare(json_t *u)
{
    char now[40];
    time_now_iso(now);
    const char *locked = json_str(u, "locked_until");
    int disabled = json_is_true(json_object_get(u, "disabled"));
    char text[64];
    snprintf(text, sizeof text, "%s%s",
             disabled                            ? "已停用"
             : locked && strcmp(locked, now) > 0 ? "已锁定"
                                                 : "正常",
             !disabled && json_is_true(json_object_get(u, "must_change_password")) ? "、待改密"
                                                                                   : "");
    json_object_set_new(u, "status_text", json_string(text));
}

static const struct export_col user_cols[] = {
    {"username", "用户名", NULL},        {"display_name", "姓名", NULL},
    {"role_name", "角色", NULL},         {"org_name", "所属单位", NULL},
    {"status_text", "状态", NULL},       {"disabled", "已停用", NULL},
    {"locked_until", "锁定至", NULL},    {"must_change_password", "待改密", NULL},
    {"last_login_at", "最近登录", NULL}, {NULL, NULL, NULL},
};

const struct list_export user_exports[] = {
    {"/api/v1/users", "用户", user_cols, NULL, user_export_prepare},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route user_routes[] = {
    {"GET", "/api/v1/users", list, 0},
    {"POST", "/api/v1/users", create, 0},
    {"GET", "/api/v1/users/:id", get, 0},
    {"PATCH", "/api/v1/users/:id", update, 0},
    {"POST", "/api/v1/users/:id/password", reset_password, 0},
    {NULL, NULL, NULL, 0},
};
