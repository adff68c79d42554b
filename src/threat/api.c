/* HTTP: sensors post EVE lines (POST /api/v1/events, API tokens of scope events:write, NDJSON,
 * optionally gzip); threats in the caller's scope with their events and raw samples.
 *
 * A sensor keeps each request under the server's body limit (body-limit, 1 MiB by default):
 * about 700 EVE lines uncompressed, or several thousand with Content-Encoding: gzip. The
 * inflated body is bounded by EVENTS_INFLATED_MAX. The reply (the ingest summary) is sent only
 * after the transaction holding the events has committed. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http/export.h"
#include "http/http.h"
#include "ingest.h"
#include "rules.h"
#include "store/store.h"

enum { EVENTS_INFLATED_MAX = 16 << 20 };

/* Inflates a gzip (or zlib) body into out, refusing more than EVENTS_INFLATED_MAX bytes. */
static enum err inflate_body(struct request *r, struct sbuf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) /* 32: gzip or zlib header, detected */
        die_oom();
    z.next_in = (unsigned char *)r->body.buf;
    z.avail_in = (uInt)r->body.len;
    unsigned char chunk[65536];
    enum err rc = ERR_OK;
    int zrc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zrc = inflate(&z, Z_NO_FLUSH);
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            rc = errf(ERR_VALIDATION, "body", "gzip 数据无效：%s", z.msg ? z.msg : "inflate");
            break;
        }
        if (sbuf_add(out, chunk, sizeof chunk - z.avail_out)) {
            rc = errf(ERR_TOO_LARGE, "body", "解压后的事件超过 %d 字节的上限", EVENTS_INFLATED_MAX);
            break;
        }
        if (zrc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            rc = errf(ERR_VALIDATION, "body", "gzip 数据不完整");
            break;
        }
    } while (zrc != Z_STREAM_END);
    inflateEnd(&z);
    return rc;
}

static int media_type_ok(const char *ct)
{
    static const char *const ok[] = {"application/x-ndjson", "application/jsonl",
                                     "application/json", "text/plain", "application/octet-stream"};
    if (!ct || !*ct)
        return 1;
    size_t n = strcspn(ct, "; ");
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && !strncasecmp(ct, ok[i], n))
            return 1;
    return 0;
}

static enum err events_post(struct request *r)
{
    if (!r->caller.via_token || strcmp(r->caller.token_scope, "events:write"))
        return errf(ERR_FORBIDDEN, NULL, "上报监测事件须使用 events:write 范围的 API 令牌");
    if (!media_type_ok(req_header(r, "Content-Type")))
        return errf(ERR_MEDIA_TYPE, NULL, "事件应为 NDJSON（application/x-ndjson）");
    const char *enc = req_header(r, "Content-Encoding");
    struct sbuf inflated;
    sbuf_init(&inflated, EVENTS_INFLATED_MAX);
    const char *body = r->body.buf;
    size_t len = r->body.len;
    enum err rc = ERR_OK;
    if (enc && *enc && strcasecmp(enc, "identity")) {
        if (strcasecmp(enc, "gzip") && strcasecmp(enc, "x-gzip") && strcasecmp(enc, "deflate"))
            rc = errf(ERR_MEDIA_TYPE, NULL, "不支持的 Content-Encoding：%s", enc);
        else if (!(rc = inflate_body(r, &inflated))) {
            body = inflated.buf;
            len = inflated.len;
        }
    }
    struct ingest_summary s;
    if (!rc && !(rc = ingest_request(r, body, len, &s)))
        reply_json(r, 200, ingest_summary_json(&s));
    sbuf_release(&inflated);
    return rc;
}

#define THREAT_COLS                                                                                \
    "SELECT t.id, t.org_id, o.name, t.unit_id, un.name, t.signature_id, t.signature, "             \
    "t.sensor_category, t.category, t.category_version, t.severity, t.indicator, t.event_count, "  \
    "t.first_seen, t.last_seen, t.created_at, t.updated_at FROM threats t "                        \
    "JOIN orgs o ON o.id = t.org_id LEFT JOIN units un ON un.id = t.unit_id WHERE "
#define THREAT_FILTERS                                                                             \
    " AND (CAST($2 AS BIGINT) IS NULL OR t.org_id = $2)"                                           \
    " AND (CAST($3 AS TEXT) IS NULL OR t.indicator = $3)"                                          \
    " AND (CAST($4 AS TEXT) IS NULL OR t.category = $4)"

static const char *const SQL_LIST[3] =
    SCOPED(THREAT_COLS, "t.org_id",
           THREAT_FILTERS " ORDER BY t.last_us DESC, t.id DESC LIMIT $5 OFFSET $6");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM threats t WHERE ", "t.org_id", THREAT_FILTERS);
static const char *const SQL_ONE[3] = SCOPED(THREAT_COLS, "t.org_id", " AND t.id = $2");

static json_t *threat_row(struct db_stmt *s, const struct category_map *m)
{
    char id[24], org[24], unit[24];
    snprintf(id, sizeof id, "%lld", db_int(s, 0));
    snprintf(org, sizeof org, "%lld", db_int(s, 1));
    snprintf(unit, sizeof unit, "%lld", db_int(s, 3));
    const char *code = db_text(s, 8), *name = code;
    for (size_t i = 0; m && i < m->n_categories; i++)
        if (!strcmp(m->categories[i].code, code))
            name = m->categories[i].name;
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:I,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:I,s:s,s:s,s:s,s:s}",
                     "id", id, "org_id", org, "org_name", db_text(s, 2), "unit_id",
                     db_int(s, 3) ? json_string(unit) : json_null(), "unit_name",
                     json_str_or_null(db_text(s, 4)), "signature_id", (json_int_t)db_int(s, 5),
                     "signature", db_text(s, 6), "sensor_category", db_text(s, 7), "category", code,
                     "category_name", name, "category_version", db_text(s, 9), "severity",
                     (int)db_int(s, 10), "indicator", db_text(s, 11), "event_count",
                     (json_int_t)db_int(s, 12), "first_seen", db_text(s, 13), "last_seen",
                     db_text(s, 14), "created_at", db_text(s, 15), "updated_at", db_text(s, 16));
}

static void bind_filters(struct request *r, struct db_stmt *s)
{
    scope_bind(s, &r->caller);
    const char *org = req_query(r, "org_id");
    if (org && *org)
        db_bind_int(s, 2, id_parse(org) >= 0 ? id_parse(org) : -1);
    else
        db_bind_null(s, 2);
    const char *indicator = req_query(r, "indicator"), *category = req_query(r, "category");
    db_bind_text(s, 3, indicator && *indicator ? indicator : NULL);
    db_bind_text(s, 4, category && *category ? category : NULL);
}

static enum err threats_list(struct request *r)
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
        json_array_append_new(items, threat_row(s, threat_category_table()));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

/* The threat of the route's :id in the caller's scope (404 otherwise), as JSON. */
static enum err threat_get(struct request *r, long long *id, json_t **out)
{
    enum err rc = req_param_id(r, 0, id);
    struct db_stmt *s;
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_ONE), &s)))
        return rc;
    scope_bind(s, &r->caller);
    db_bind_int(s, 2, *id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = threat_row(s, threat_category_table());
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "威胁不存在");
    return rc;
}

static enum err threat_one(struct request *r)
{
    long long id;
    json_t *t;
    enum err rc = threat_get(r, &id, &t);
    if (!rc)
        reply_json(r, 200, t);
    return rc;
}

static enum err threat_events_h(struct request *r)
{
    long long id, limit, offset, total;
    json_t *t, *items;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = threat_get(r, &id, &t)))
        return rc;
    json_decref(t);
    if ((rc = threat_events(r->db, id, limit, offset, &items, &total)))
        return rc;
    reply_list(r, items, total);
    return ERR_OK;
}

static const char SQL_SAMPLES[] =
    "SELECT slot, seen_us, raw FROM threat_samples WHERE threat_id = $1 ORDER BY slot";

static enum err threat_samples_h(struct request *r)
{
    long long id;
    json_t *t;
    enum err rc = threat_get(r, &id, &t);
    struct db_stmt *s;
    if (rc)
        return rc;
    json_decref(t);
    if ((rc = db_prepare(r->db, SQL_SAMPLES, &s)))
        return rc;
    db_bind_int(s, 1, id);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char when[40];
        eve_time_format(db_int(s, 1), when);
        json_t *raw = json_loads(db_text(s, 2), 0, NULL);
        json_array_append_new(items, json_pack("{s:I,s:s,s:o}", "slot", (json_int_t)db_int(s, 0),
                                               "seen_at", when, "event", raw ? raw : json_null()));
    }
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

/* 导出 XLSX of the threats tab: its table, 单位 / 网络单元 as two columns, the severities as the
 * console names them (web/src/threat.js). */
static const struct export_col threat_cols[] = {
    {"signature", "威胁", NULL},
    {"signature_id", "规则编号", NULL},
    {"category_name", "威胁类别", NULL},
    {"indicator", "指标", NULL},
    {"org_name", "单位", NULL},
    {"unit_name", "网络单元", NULL},
    {"severity", "严重程度", "1=高|2=中|3=低"},
    {"event_count", "事件数", NULL},
    {"last_seen", "最近发现", NULL},
    {NULL, NULL, NULL},
};

const struct list_export threat_exports[] = {
    {"/api/v1/threats", "威胁", threat_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route threat_routes[] = {
    {"POST", "/api/v1/events", events_post, R_EVENTS | R_OWN_TX},
    {"GET", "/api/v1/threats", threats_list, 0},
    {"GET", "/api/v1/threats/:id", threat_one, 0},
    {"GET", "/api/v1/threats/:id/events", threat_events_h, 0},
    {"GET", "/api/v1/threats/:id/samples", threat_samples_h, 0},
    {NULL, NULL, NULL, 0},
};
