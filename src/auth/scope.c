/* Roles and the one scope function: what organisations a caller may see. */
#include <string.h>

#include "auth.h"
#include "http/http.h"
#include "store/store.h"

static const char *const codes[ROLE__COUNT] = {
    [ROLE_NONE] = "",
    [ROLE_SYSADMIN] = "sysadmin",
    [ROLE_OPERATOR_ADMIN] = "operator_admin",
    [ROLE_OPERATOR_STAFF] = "operator_staff",
    [ROLE_REGULATOR] = "regulator",
    [ROLE_NATIONAL_REGULATOR] = "national_regulator",
    [ROLE_AUDITOR] = "auditor",
};
static const char *const names[ROLE__COUNT] = {
    [ROLE_NONE] = "",
    [ROLE_SYSADMIN] = "系统管理员",
    [ROLE_OPERATOR_ADMIN] = "运行单位管理员",
    [ROLE_OPERATOR_STAFF] = "运行单位网络安全人员",
    [ROLE_REGULATOR] = "监管人员",
    [ROLE_NATIONAL_REGULATOR] = "部级监管人员",
    [ROLE_AUDITOR] = "审计员",
};

const char *role_code(enum role r)
{
    return r < ROLE__COUNT ? codes[r] : "";
}
const char *role_name(enum role r)
{
    return r < ROLE__COUNT ? names[r] : "";
}

enum role role_parse(const char *code)
{
    for (int i = 1; code && i < ROLE__COUNT; i++)
        if (!strcmp(codes[i], code))
            return (enum role)i;
    return ROLE_NONE;
}

int role_is_regulator(enum role r)
{
    return r == ROLE_REGULATOR || r == ROLE_NATIONAL_REGULATOR;
}
int role_is_operator(enum role r)
{
    return r == ROLE_OPERATOR_ADMIN || r == ROLE_OPERATOR_STAFF;
}

enum scope_mode scope_mode(const struct caller *c)
{
    if (c->role == ROLE_SYSADMIN || (c->role == ROLE_AUDITOR && !c->org_id))
        return SCOPE_ALL;
    /* Regulators, and an auditor of a regulator, see the regulator's jurisdiction; operators
     * and an operator's own auditor see the organisation's subtree. */
    if (role_is_regulator(c->role) || (c->role == ROLE_AUDITOR && c->org_regulator))
        return SCOPE_JURIS;
    return SCOPE_TREE;
}

const char *scope_sql(const struct caller *c, const char *const variants[3])
{
    return variants[scope_mode(c)];
}

void scope_bind(struct db_stmt *s, const struct caller *c)
{
    db_bind_int(s, 1, c->org_id);
}

static const char *const SQL_VISIBLE[3] =
    SCOPED("SELECT COUNT(*) FROM orgs o WHERE o.id = $2 AND ", "o.id", "");

enum err scope_check_org(struct request *r, long long org_id)
{
    struct db_stmt *s;
    long long n = 0;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_VISIBLE), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, org_id);
    if ((rc = db_scalar_int(s, 0, &n)))
        return rc;
    return n ? ERR_OK : errf(ERR_NOT_FOUND, NULL, NULL);
}
