/* Who is calling, and what they may see and do: roles, the caller record, sessions, CSRF,
 * API tokens, the password policy, and the one scope function every tenant query uses. */
#ifndef FANGHU_AUTH_H
#define FANGHU_AUTH_H
#include <stddef.h>

#include "err.h"

struct request;
struct db_stmt;

enum role {
    ROLE_NONE,
    ROLE_SYSADMIN,
    ROLE_OPERATOR_ADMIN,
    ROLE_OPERATOR_STAFF,
    ROLE_REGULATOR,
    ROLE_NATIONAL_REGULATOR,
    ROLE_AUDITOR,
    ROLE__COUNT
};

/* How far a caller sees: everything, its organisation's subtree, or a regulator's jurisdiction. */
enum scope_mode { SCOPE_ALL, SCOPE_TREE, SCOPE_JURIS };

struct caller {
    long long user_id; /* 0: anonymous */
    char username[65];
    enum role role;
    long long org_id;  /* 0: none (system administrators, system auditors) */
    int org_regulator; /* the organisation is a regulator */
    int must_change_password;
    int via_token;         /* authenticated by an API token */
    char token_scope[24];  /* "read" | "events:write" */
    char session_hash[65]; /* cookie session, "" for tokens */
    char csrf[65];
};

const char *role_code(enum role r);
const char *role_name(enum role r);
enum role role_parse(const char *code); /* ROLE_NONE when unknown */
int role_is_regulator(enum role r);
int role_is_operator(enum role r);

enum scope_mode scope_mode(const struct caller *c);

/* Scoped SQL: three variants of one statement, picked by the caller's mode. The scope predicate
 * always uses $1 = the caller's organisation id (bind it with scope_bind); the statement's own
 * parameters start at $2. Example:
 *   static const char *const q[3] = SCOPED("SELECT … FROM orgs o WHERE ", "o.id", " AND …");  */
#define SCOPE_PRED_ALL(col)  "(CAST($1 AS BIGINT) IS NULL OR 1 = 1)"
#define SCOPE_PRED_TREE(col) "(" col " IN (SELECT descendant FROM org_tree WHERE ancestor = $1))"
#define SCOPE_PRED_JURIS(col)                                                                      \
    "(" col " IN (SELECT sr.org_id FROM regulator_scope sr WHERE sr.regulator_id = $1))"
#define SCOPED(head, col, tail)                                                                    \
    {                                                                                              \
        head SCOPE_PRED_ALL(col) tail, head SCOPE_PRED_TREE(col) tail,                             \
            head SCOPE_PRED_JURIS(col) tail                                                        \
    }
const char *scope_sql(const struct caller *c, const char *const variants[3]);
void scope_bind(struct db_stmt *s, const struct caller *c);

/* Is org_id visible to the caller? ERR_NOT_FOUND when not (never reveals existence). */
enum err scope_check_org(struct request *r, long long org_id);

/* Resolves the caller of r from its cookie or bearer token (leaves it anonymous when neither
 * is valid), and checks CSRF on state-changing cookie requests. */
enum err auth_resolve(struct request *r);

/* Password policy (等保 三级): ≥ 12 characters, three of four classes, not the username. */
enum err auth_password_policy(const char *password, const char *username, const char *field);

/* Creates a session for user_id, sets the cookie on r, writes the csrf token into csrf[65]. */
enum err auth_session_create(struct request *r, long long user_id, char csrf[65]);
/* Deletes every session of user_id except keep_hash (NULL: all). */
enum err auth_sessions_revoke(struct request *r, long long user_id, const char *keep_hash);

#endif
