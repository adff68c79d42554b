/* HTTP: the audit log for system administrators and auditors, and the chain check. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "http/export.h"
#include "http/http.h"
#include "store/store.h"

static json_t *parsed_or_null(const char *s)
{
    json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

static const char *const SQL_LIST[3] = SCOPED(
    "SELECT seq, at, CAST(actor_id AS TEXT), actor_name, action, entity, entity_id, before_json, "
    "after_json, request_id, client_addr, hash FROM audit_log a WHERE ",
    "a.org_id",
    " AND (CAST($2 AS TEXT) IS NULL OR a.action = $2) AND (CAST($3 AS TEXT) IS NULL OR a.entity = "
    "$3)"
    " AND (CAST($4 AS TEXT) IS NULL OR a.actor_name = $4) AND (CAST($5 AS TEXT) IS NULL OR "
    "a.entity_id = $5)"
    " ORDER BY seq DESC LIMIT $6 OFFSET $7");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM audit_log a WHERE ", "a.org_id",
           " AND (CAST($2 AS TEXT) IS NULL OR a.action = $2) AND (CAST($3 AS TEXT) IS NULL OR "
           "a.entity = $3)"
           " AND (CAST($4 AS TEXT) IS NULL OR a.actor_name = $4) AND (CAST($5 AS TEXT) IS NULL OR "
           "a.entity_id = $5)");

static void bind_filters(struct request *r, struct db_stmt *s)
{
    scope_bind(s, &r->caller);
    static const char *const names[] = {"action", "entity", "actor", "entity_id"};
    for (int i = 0; i < 4; i++) {
        const char *v = req_query(r, names[i]);
        db_bind_text(s, i + 2, v && *v ? v : NULL);
    }
}

static enum err list(struct request *r)
{
    long long limit, offset, total = 0;
    enum err rc = req_role(r, ROLE_SYSADMIN, ROLE_AUDITOR, ROLE_NONE);
    if (rc || (rc = req_page(r, &limit, &offset)))
        return rc;
    struct db_stmt *s;
    if ((rc = db_prepare(r->db, scope_sql(&r->caller, SQL_COUNT), &s)))
        return rc;
    bind_filters(r, s);
    if ((rc = db_scalar_int(s, 0, &total)))
        return rc;
    if ((rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST), &s)))
        return rc;
    bind_filters(r, s);
    db_bind_int(s, 6, limit);
    db_bind_int(s, 7, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        json_t *o = json_pack(
            "{s:I,s:s,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s}", "seq", (json_int_t)db_int(s, 0),
            "at", db_text(s, 1), "actor_id", json_str_or_null(db_text(s, 2)), "actor_name",
            json_str_or_null(db_text(s, 3)), "action", db_text(s, 4), "entity", db_text(s, 5),
            "entity_id", json_str_or_null(db_text(s, 6)), "before", parsed_or_null(db_text(s, 7)),
            "after", parsed_or_null(db_text(s, 8)), "request_id", json_str_or_null(db_text(s, 9)),
            "client_addr", json_str_or_null(db_text(s, 10)), "hash", db_text(s, 11));
        json_array_append_new(items, o);
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static enum err verify(struct request *r)
{
    enum err rc = req_role(r, ROLE_SYSADMIN, ROLE_AUDITOR, ROLE_NONE);
    long long checked, bad;
    if (rc || (rc = audit_verify(r->db, &checked, &bad)))
        return rc;
    reply_json(r, 200,
               json_pack("{s:b,s:I,s:o}", "ok", bad == 0, "checked", (json_int_t)checked,
                         "first_bad_seq", bad ? json_integer(bad) : json_null()));
    return ERR_OK;
}

/* The console's columns and the details its rows expand to, but for the before and after JSON,
 * which have no cell of their own. 操作 and 对象 by the console's names (web/src/format.js). */
static const struct export_col audit_cols[] = {
    {"seq", "序号", NULL},
    {"at", "时间", NULL},
    {"actor_name", "操作人", NULL},
    {"actor_id", "操作人 ID", NULL},
    {"action", "操作",
     "session.login=登录|session.login_failed=登录失败|session.logout=退出登录|"
     "session.logout_all=退出所有会话|org.create=新建组织机构|org.update=修改组织机构|"
     "user.create=新建用户|user.update=修改用户|user.password_change=修改密码|"
     "user.password_reset=重置密码|token.create=创建 API 令牌|token.revoke=吊销 API 令牌|"
     "unit.create=登记网络单元|unit.update=修改网络单元|unit.grade=网络单元定级|"
     "unit.submit=提交定级备案|unit.retire=网络单元退役|filing.approve=备案审核通过|"
     "filing.return=备案退回修改|calendar.import=导入节假日安排"},
    {"action", "操作代码", NULL},
    {"entity", "对象",
     "session=会话|org=组织机构|user=用户|api_token=API 令牌|unit=网络单元|"
     "unit_asset=网络单元资产|filing=定级备案|holiday_notice=节假日安排"},
    {"entity_id", "对象 ID", NULL},
    {"client_addr", "客户端地址", NULL},
    {"request_id", "请求 ID", NULL},
    {"hash", "哈希", NULL},
    {NULL, NULL, NULL},
};

const struct list_export audit_exports[] = {
    {"/api/v1/audit", "审计日志", audit_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route audit_routes[] = {
    {"GET", "/api/v1/audit", list, 0},
    {"GET", "/api/v1/audit/verify", verify, 0},
    {NULL, NULL, NULL, 0},
};
