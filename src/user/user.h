/* Users: accounts with a role and an organisation. Shared by the HTTP handlers and the CLI. */
#ifndef FANGHU_USER_H
#define FANGHU_USER_H
#include <jansson.h>

#include "auth/auth.h"
#include "err.h"

struct db;
struct audit_ctx;

struct user_new {
    const char *username;
    const char *display_name;
    enum role role;
    long long org_id;     /* 0: none (only sysadmin and auditor) */
    const char *password; /* NULL: a random one is generated into initial_password */
};

/* The public JSON of a user (no secrets), or ERR_NOT_FOUND. The caller owns *out. */
enum err user_json(struct db *db, long long id, json_t **out);

/* Validates and inserts a user (must change password at first login) with its audit record,
 * inside the caller's write transaction. initial_password receives the generated password when
 * u->password is NULL. */
enum err user_create(struct db *db, const struct audit_ctx *ax, const struct user_new *u,
                     long long *id, char initial_password[32]);

/* Sets a new password (hashing it), clears or sets must_change_password, audits. */
enum err user_set_password(struct db *db, const struct audit_ctx *ax, long long id,
                           const char *password, int must_change, const char *action);

/* Looks a user up by name: id and org (0 when none); ERR_NOT_FOUND. */
enum err user_find(struct db *db, const char *username, long long *id, long long *org_id);

/* Checks that a role fits an organisation kind (operator roles need an operator organisation,
 * regulator roles a regulator, sysadmin none). Error on field "role" or "org_id". */
enum err user_role_fits(struct db *db, enum role role, long long org_id);

#endif
