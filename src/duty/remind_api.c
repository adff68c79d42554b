/* HTTP: reminder channels of the caller's organisations (operator administrators for their tree,
 * system administrators for all), a test message per channel, the log of reminders sent, and the
 * routes of the iCalendar feed (ical.c). */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "http/http.h"
#include "remind.h"
#include "store/store.h"
#include "timeutil.h"

#define CHANNEL_COLS                                                                               \
    "SELECT c.id, c.org_id, o.name, c.kind, c.target, c.enabled, c.created_at "                    \
    "FROM reminder_channels c JOIN orgs o ON o.id = c.org_id WHERE "
#define CHANNEL_FILTERS " AND (CAST($2 AS BIGINT) IS NULL OR c.org_id = $2)"

static const char *const SQL_CHANNELS[3] =
    SCOPED(CHANNEL_COLS, "c.org_id", CHANNEL_FILTERS " ORDER BY c.org_id, c.id LIMIT $3 OFFSET $4");
static const char *const SQL_CHANNEL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM reminder_channels c WHERE ", "c.org_id", CHANNEL_FILTERS);
static const char *const SQL_CHANNEL_ONE[3] = SCOPED(CHANNEL_COLS, "c.org_id", " AND c.id = $2");

/* Channels carry robot keys and addresses: only those who manage them see them. */
static enum err may_manage(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || r->caller.role == ROLE_OPERATOR_ADMIN)
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有系统管理员和运行单位管理员可以管理提醒渠道");
}

static json_t *channel_json(struct db_stmt *s)
{
    char id[24], org[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(org, sizeof org, "%lld", db_int(s, 1));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "id", id, "org_id", org, "org_name",
                     db_text(s, 2), "kind", db_text(s, 3), "kind_name",
                     remind_kind_name(db_text(s, 3)), "target", db_text(s, 4), "enabled",
                     (int)db_int(s, 5), "created_at", db_text(s, 6));
}

/* The audit record of a channel: its robot key stays out of the log. */
static json_t *channel_audit(json_t *channel)
{
    char shown[256];
    remind_target_public(json_str(channel, "kind"), json_str(channel, "target"), shown);
    return json_pack("{s:s,s:s,s:s,s:O}", "org_id", json_str(channel, "org_id"), "kind",
                     json_str(channel, "kind"), "target", shown, "enabled",
                     json_object_get(channel, "enabled"));
}

static void free_json(void *v)
{
    json_decref(v);
}

/* Reads one channel in the caller's scope; ERR_NOT_FOUND outside it. *out is owned by r. */
static enum err channel_get(struct request *r, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(&r->caller, SQL_CHANNEL_ONE), &s);
    if (rc)
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = channel_json(s);
    db_done(s);
    if (rc)
        return rc;
    if (!*out)
        return errf(ERR_NOT_FOUND, NULL, "提醒渠道不存在");
    arena_on_release(&r->arena, free_json, *out);
    return ERR_OK;
}

static void bind_org_filter(struct request *r, struct db_stmt *s, int idx)
{
    const char *v = req_query(r, "org_id");
    if (v && *v)
        db_bind_int(s, idx, id_parse(v) >= 0 ? id_parse(v) : -1);
    else
        db_bind_null(s, idx);
}

static enum err channels_list(struct request *r)
{
    long long limit, offset, total = 0;
    struct db_stmt *s;
    enum err rc = may_manage(r);
    if (rc || (rc = req_page(r, &limit, &offset)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_CHANNEL_COUNT), &s)))
        return rc;
    scope_bind(s, &r->caller);
    bind_org_filter(r, s, 2);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_CHANNELS), &s)))
        return rc;
    scope_bind(s, &r->caller);
    bind_org_filter(r, s, 2);
    db_bind_int(s, 3, limit);
    db_bind_int(s, 4, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, channel_json(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static const struct jfield NEW_CHANNEL[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "所属单位"},
    {"kind", JT_STRING, 1, 32, 0, 0, "渠道类型"},
    {"target", JT_STRING, 1, 2000, 0, 0, "接收地址"},
    {"enabled", JT_BOOL, 0, 0, 0, 0, "启用"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

static const char SQL_SAME_CHANNEL[] =
    "SELECT COUNT(*) FROM reminder_channels WHERE org_id = $1 AND kind = $2 AND target = $3";
static const char SQL_NEW_CHANNEL[] =
    "INSERT INTO reminder_channels (org_id, kind, target, enabled, created_at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";

static enum err channel_create(struct request *r)
{
    json_t *in, *channel;
    enum err rc = req_json(r, NEW_CHANNEL, &in);
    if (rc || (rc = remind_target_check(json_str(in, "kind"), json_str(in, "target"))))
        return rc;
    long long org = id_parse(json_str(in, "org_id")), id = 0;
    if (scope_check_org(r, org))
        return errf(ERR_NOT_FOUND, "org_id", "所属单位不存在");
    if ((rc = may_manage(r)))
        return rc;
    json_t *enabled = json_object_get(in, "enabled");
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    long long same = 0;
    if ((rc = db_prepare(r->db, SQL_SAME_CHANNEL, &s)))
        return rc;
    db_bind_int(s, 1, org);
    db_bind_text(s, 2, json_str(in, "kind"));
    db_bind_text(s, 3, json_str(in, "target"));
    if ((rc = db_scalar_int(s, 0, &same)))
        return rc;
    if (same)
        return errf(ERR_CONFLICT, "target", "该单位已有相同类型和地址的提醒渠道");
    if ((rc = db_prepare(r->db, SQL_NEW_CHANNEL, &s)))
        return rc;
    db_bind_int(s, 1, org);
    db_bind_text(s, 2, json_str(in, "kind"));
    db_bind_text(s, 3, json_str(in, "target"));
    db_bind_int(s, 4, json_is_false(enabled) ? 0 : 1);
    db_bind_text(s, 5, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        id = db_int(s, 0);
    db_done(s);
    if (rc == ERR_CONFLICT) /* a concurrent insert: the unique index is the backstop */
        return errf(ERR_CONFLICT, "target", "该单位已有相同类型和地址的提醒渠道");
    if (rc || (rc = channel_get(r, id, &channel)))
        return rc;
    json_t *after = channel_audit(channel);
    rc = audit_request(r, "reminder_channel.create", "reminder_channel", id, org, NULL, after);
    json_decref(after);
    if (rc)
        return rc;
    reply_json(r, 201, json_incref(channel));
    return ERR_OK;
}

static const char SQL_DELETE_CHANNEL[] = "DELETE FROM reminder_channels WHERE id = $1";

static enum err channel_delete(struct request *r)
{
    long long id;
    json_t *channel;
    struct db_stmt *s;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = channel_get(r, id, &channel)) || (rc = may_manage(r)) ||
        (rc = db_prepare(r->db, SQL_DELETE_CHANNEL, &s)))
        return rc;
    db_bind_int(s, 1, id);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (rc)
        return rc;
    json_t *before = channel_audit(channel);
    rc = audit_request(r, "reminder_channel.delete", "reminder_channel", id,
                       id_parse(json_str(channel, "org_id")), before, NULL);
    json_decref(before);
    if (rc)
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

/* Sends a test message with no transaction open (R_OWN_TX): read the channel, send, then audit. */
static enum err channel_test(struct request *r)
{
    long long id;
    json_t *channel;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = db_begin_read(r->db)))
        return rc;
    rc = channel_get(r, id, &channel);
    if (!rc)
        rc = may_manage(r);
    db_rollback(r->db);
    if (rc)
        return rc;
    char error[256];
    const char *kind = json_str(channel, "kind");
    int ok = !remind_send_test(kind, json_str(channel, "target"), error);
    json_t *after = channel_audit(channel);
    json_object_set_new(after, "ok", json_boolean(ok));
    json_object_set_new(after, "error", ok ? json_null() : json_string(error));
    if (!(rc = db_begin(r->db)) &&
        !(rc = audit_request(r, "reminder_channel.test", "reminder_channel", id,
                             id_parse(json_str(channel, "org_id")), NULL, after)))
        rc = db_commit(r->db);
    if (rc)
        db_rollback(r->db);
    json_decref(after);
    if (rc)
        return rc;
    reply_json(r, 200,
               json_pack("{s:b,s:o}", "ok", ok, "error", ok ? json_null() : json_string(error)));
    return ERR_OK;
}

#define LOG_COLS                                                                                   \
    "SELECT rs.duty_key, rs.lead, rs.channel, rs.target, rs.status, rs.attempts, rs.last_error, "  \
    "rs.sent_at, rs.updated_at, rs.org_id, o.name, rs.title, rs.due_date "                         \
    "FROM reminders_sent rs JOIN orgs o ON o.id = rs.org_id WHERE "
#define LOG_FILTERS                                                                                \
    " AND (CAST($2 AS BIGINT) IS NULL OR rs.org_id = $2)"                                          \
    " AND (CAST($3 AS TEXT) IS NULL OR rs.status = $3)"                                            \
    " AND (CAST($4 AS TEXT) IS NULL OR rs.duty_key = $4)"

static const char *const SQL_LOG[3] =
    SCOPED(LOG_COLS, "rs.org_id",
           LOG_FILTERS " ORDER BY rs.updated_at DESC, rs.duty_key, rs.lead, rs.channel, rs.target "
                       "LIMIT $5 OFFSET $6");
static const char *const SQL_LOG_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM reminders_sent rs WHERE ", "rs.org_id", LOG_FILTERS);

static void bind_log_filters(struct request *r, struct db_stmt *s)
{
    scope_bind(s, &r->caller);
    bind_org_filter(r, s, 2);
    const char *status = req_query(r, "status"), *key = req_query(r, "duty_key");
    db_bind_text(s, 3, status && *status ? status : NULL);
    db_bind_text(s, 4, key && *key ? key : NULL);
}

static json_t *log_json(struct db_stmt *s)
{
    char org[24], shown[256], lead[32];
    snprintf(org, sizeof org, "%lld", db_int(s, 9));
    remind_target_public(db_text(s, 2), db_text(s, 3), shown);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:s,s:s,s:s,s:o,s:o}", "duty_key", db_text(s, 0),
        "lead", db_text(s, 1), "lead_name", remind_lead_name(db_text(s, 1), lead), "channel",
        db_text(s, 2), "channel_name", remind_kind_name(db_text(s, 2)), "target", shown, "status",
        db_text(s, 4), "attempts", (json_int_t)db_int(s, 5), "last_error",
        json_str_or_null(db_text(s, 6)), "sent_at", json_str_or_null(db_text(s, 7)), "updated_at",
        db_text(s, 8), "org_id", org, "org_name", db_text(s, 10), "title",
        json_str_or_null(db_text(s, 11)), "due_date", json_str_or_null(db_text(s, 12)));
}

/* The reminders sent (and failed) for the organisations the caller sees. */
static enum err reminders_list(struct request *r)
{
    long long limit, offset, total = 0;
    struct db_stmt *s;
    const char *status = req_query(r, "status");
    enum err rc = req_page(r, &limit, &offset);
    if (rc)
        return rc;
    if (status && *status && strcmp(status, "sent") && strcmp(status, "failed") &&
        strcmp(status, "sending"))
        return errf(ERR_VALIDATION, "status", "status 应为 sent、failed 或 sending");
    if ((rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LOG_COUNT), &s)))
        return rc;
    bind_log_filters(r, s);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LOG), &s)))
        return rc;
    bind_log_filters(r, s);
    db_bind_int(s, 5, limit);
    db_bind_int(s, 6, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, log_json(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

const struct route remind_routes[] = {
    {"GET", "/api/v1/reminder-channels", channels_list, 0},
    {"POST", "/api/v1/reminder-channels", channel_create, 0},
    {"DELETE", "/api/v1/reminder-channels/:id", channel_delete, 0},
    {"POST", "/api/v1/reminder-channels/:id/test", channel_test, R_OWN_TX},
    {"GET", "/api/v1/reminders", reminders_list, 0},
    {"GET", "/api/v1/me/calendar-feed", ical_feed_status, 0},
    {"POST", "/api/v1/me/calendar-feed", ical_feed_create, 0},
    {"DELETE", "/api/v1/me/calendar-feed", ical_feed_delete, 0},
    {"GET", "/api/v1/feeds/:token", ical_feed_get, R_PUBLIC},
    {NULL, NULL, NULL, 0},
};
