/* The iCalendar feed (RFC 5545) of a user's open duties: a per-user secret URL that calendar
 * applications subscribe to. The secret is 256 random bits, stored only as its BLAKE2b hash; the
 * feed shows exactly what the duties API shows the user (the same scoped query). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "crypto.h"
#include "duty.h"
#include "http/http.h"
#include "remind.h"
#include "store/store.h"
#include "timeutil.h"

enum { FEED_TOKEN_BYTES = 32, ICS_LINE_OCTETS = 75 };

static const char FEED_PREFIX[] = "/api/v1/feeds/";

static const char SQL_FEED_OF[] = "SELECT created_at FROM calendar_feeds WHERE user_id = $1";
static const char SQL_FEED_SET[] =
    "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, created_at = $3";
static const char SQL_FEED_DELETE[] = "DELETE FROM calendar_feeds WHERE user_id = $1";
static const char SQL_FEED_USER[] =
    "SELECT u.id, u.username, u.role, u.org_id, u.display_name FROM calendar_feeds f "
    "JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.disabled = 0";

/* The caller's feed creation time into created[40] ("" when it has none). */
static enum err feed_of(struct request *r, char created[40])
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_FEED_OF, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, r->caller.user_id);
    int row;
    created[0] = '\0';
    if (!(rc = db_step(s, &row)) && row)
        snprintf(created, 40, "%s", db_text(s, 0));
    db_done(s);
    return rc;
}

enum err ical_feed_status(struct request *r)
{
    char created[40];
    enum err rc = feed_of(r, created);
    if (rc)
        return rc;
    reply_json(r, 200,
               json_pack("{s:b,s:o}", "active", created[0] != '\0', "created_at",
                         json_str_or_null(created[0] ? created : NULL)));
    return ERR_OK;
}

/* Creates the caller's feed secret, or replaces it (the old URL stops working at once). */
enum err ical_feed_create(struct request *r)
{
    char token[2 * FEED_TOKEN_BYTES + 1], hash[65], now[40], before[40], base[1100];
    struct db_stmt *s;
    enum err rc = feed_of(r, before);
    if (rc || (rc = db_prepare(r->db, SQL_FEED_SET, &s)))
        return rc;
    crypto_random_hex(token, FEED_TOKEN_BYTES);
    crypto_token_hash(token, hash);
    time_now_iso(now);
    db_bind_int(s, 1, r->caller.user_id);
    db_bind_text(s, 2, hash);
    db_bind_text(s, 3, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    json_t *after = json_pack("{s:s}", "created_at", now);
    if (!rc)
        rc = audit_request(r, before[0] ? "calendar_feed.rotate" : "calendar_feed.create",
                           "calendar_feed", r->caller.user_id, r->caller.org_id, NULL, after);
    json_decref(after);
    if (rc)
        return rc;
    char *path = arena_printf(&r->arena, "%s%s.ics", FEED_PREFIX, token);
    reply_json(r, 201,
               json_pack("{s:s,s:s,s:s,s:b}", "url",
                         arena_printf(&r->arena, "%s%s", remind_public_url(base), path), "path",
                         path, "created_at", now, "rotated", before[0] != '\0'));
    return ERR_OK;
}

enum err ical_feed_delete(struct request *r)
{
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_FEED_DELETE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, r->caller.user_id);
    int row;
    rc = db_step(s, &row);
    long long n = db_changes(s);
    db_done(s);
    if (rc)
        return rc;
    if (!n)
        return errf(ERR_NOT_FOUND, NULL, "尚未开通日历订阅");
    if ((rc = audit_request(r, "calendar_feed.delete", "calendar_feed", r->caller.user_id,
                            r->caller.org_id, NULL, NULL)))
        return rc;
    reply_empty(r, 204);
    return ERR_OK;
}

/* Content lines: escaped TEXT values (RFC 5545 §3.3.11), folded at 75 octets without splitting a
 * UTF-8 character (§3.1), CRLF line endings. */
static void escape_text(struct sbuf *line, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\' || c == ';' || c == ',') {
            char esc[2] = {'\\', (char)c};
            sbuf_add(line, esc, 2);
        } else if (c == '\n') {
            sbuf_adds(line, "\\n");
        } else if (c >= 0x20 && c != 0x7f) {
            sbuf_add(line, s, 1);
        } else if (c == '\t') {
            sbuf_add(line, " ", 1);
        }
    }
}

static void fold(struct sbuf *out, const struct sbuf *line)
{
    size_t col = 0;
    for (size_t i = 0; i < line->len;) {
        size_t n = 1;
        while (i + n < line->len && ((unsigned char)line->buf[i + n] & 0xC0) == 0x80)
            n++;
        if (col + n > ICS_LINE_OCTETS) {
            sbuf_add(out, "\r\n ", 3);
            col = 1;
        }
        sbuf_add(out, line->buf + i, n);
        col += n;
        i += n;
    }
    sbuf_add(out, "\r\n", 2);
}

struct ics {
    struct sbuf out, line;
};

/* NAME:value with the value as is (dates, fixed words). */
static void prop(struct ics *c, const char *name, const char *value)
{
    sbuf_reset(&c->line);
    sbuf_addf(&c->line, "%s:%s", name, value);
    fold(&c->out, &c->line);
}

/* NAME:text with the text escaped. */
static void prop_text(struct ics *c, const char *name, const char *text)
{
    sbuf_reset(&c->line);
    sbuf_addf(&c->line, "%s:", name);
    escape_text(&c->line, text);
    fold(&c->out, &c->line);
}

static void ics_date(const char *iso, char out[9])
{
    snprintf(out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

#define FEED_COLS                                                                                  \
    "SELECT d.duty_key, o.name, un.name, d.title, d.due_date, d.source, d.fulfils "                \
    "FROM duties d JOIN orgs o ON o.id = d.org_id LEFT JOIN units un ON un.id = d.unit_id WHERE "
static const char *const SQL_FEED_DUTIES[3] =
    SCOPED(FEED_COLS, "d.org_id", " AND d.done_at IS NULL ORDER BY d.due_date, d.id LIMIT 10000");

static void event(struct ics *c, struct db_stmt *s, struct date today, const char *stamp,
                  const char *host, const char *base)
{
    const char *key = db_text(s, 0), *org = db_text(s, 1), *unit = db_text(s, 2),
               *title = db_text(s, 3), *due = db_text(s, 4), *fulfils = db_text(s, 6);
    struct date d;
    if (date_parse(due, &d))
        return;
    char start[9], end[9], next[11];
    date_format(date_add_days(d, 1), next);
    ics_date(due, start);
    ics_date(next, end);
    const char *state_name = duty_state_name(duty_state(due, NULL, today));
    struct sbuf text;
    sbuf_init(&text, 0);
    prop(c, "BEGIN", "VEVENT");
    sbuf_addf(&text, "%s@%s", key, host);
    prop_text(c, "UID", text.buf);
    prop(c, "DTSTAMP", stamp);
    prop(c, "DTSTART;VALUE=DATE", start);
    prop(c, "DTEND;VALUE=DATE", end);
    sbuf_reset(&text);
    sbuf_addf(&text, "%s｜%s%s%s", title, org, unit ? "｜" : "", unit ? unit : "");
    prop_text(c, "SUMMARY", text.buf);
    sbuf_reset(&text);
    sbuf_addf(&text, "事项：%s\n单位：%s\n网络单元：%s\n截止日期：%s\n依据：%s\n", title, org,
              unit ? unit : "—", due, db_text(s, 5));
    if (fulfils && *fulfils)
        sbuf_addf(&text, "完成方式：%s\n", fulfils);
    sbuf_addf(&text, "状态：%s\n链接：%s/duties?key=%s", state_name, base, key);
    prop_text(c, "DESCRIPTION", text.buf);
    sbuf_reset(&text);
    sbuf_addf(&text, "%s/duties?key=%s", base, key);
    prop(c, "URL", text.buf);
    prop(c, "TRANSP", "TRANSPARENT");
    prop(c, "BEGIN", "VALARM");
    prop(c, "ACTION", "DISPLAY");
    sbuf_reset(&text);
    sbuf_addf(&text, "明日到期：%s（%s）", title, org);
    prop_text(c, "DESCRIPTION", text.buf);
    prop(c, "TRIGGER", "-P1D");
    prop(c, "END", "VALARM");
    prop(c, "END", "VEVENT");
    sbuf_release(&text);
}

/* Renders the calendar of caller's open duties into c->out. */
static enum err render(struct request *r, const struct caller *who, const char *display,
                       struct ics *c)
{
    char stamp[17], host[256], base[1100];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    remind_public_host(host);
    remind_public_url(base);
    prop(c, "BEGIN", "VCALENDAR");
    prop(c, "VERSION", "2.0");
    prop(c, "PRODID", "-//fanghu//fanghu " FANGHU_VERSION "//ZH");
    prop(c, "CALSCALE", "GREGORIAN");
    prop(c, "METHOD", "PUBLISH");
    char name[300];
    snprintf(name, sizeof name, "防护合规事项（%s）", display);
    prop_text(c, "X-WR-CALNAME", name);
    prop(c, "X-WR-TIMEZONE", "Asia/Shanghai");
    prop(c, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    prop(c, "X-PUBLISHED-TTL", "PT1H");
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, scope_sql(who, SQL_FEED_DUTIES), &s);
    if (rc)
        return rc;
    scope_bind(s, who);
    struct date today = date_today_shanghai();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        event(c, s, today, stamp, host, base);
    db_done(s);
    prop(c, "END", "VCALENDAR");
    return rc;
}

/* GET /api/v1/feeds/<token>.ics: public, authenticated by the token alone. */
enum err ical_feed_get(struct request *r)
{
    const char *param = r->n_params ? r->params[0] : "";
    /* The URL is the secret: keep it out of the access log. */
    r->path = "/api/v1/feeds/(secret).ics";
    size_t n = strlen(param);
    if (n > 4 && !strcmp(param + n - 4, ".ics"))
        n -= 4;
    if (n != 2 * FEED_TOKEN_BYTES || strspn(param, "0123456789abcdef") < n)
        return errf(ERR_NOT_FOUND, NULL, "日历订阅地址无效或已失效");
    char token[2 * FEED_TOKEN_BYTES + 1], hash[65];
    memcpy(token, param, n);
    token[n] = '\0';
    crypto_token_hash(token, hash);
    struct db_stmt *s;
    enum err rc = db_prepare(r->db, SQL_FEED_USER, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, hash);
    struct caller who = {0};
    char display[200] = "";
    int row;
    if (!(rc = db_step(s, &row)) && row) {
        who.user_id = db_int(s, 0);
        snprintf(who.username, sizeof who.username, "%s", db_text(s, 1));
        who.role = role_parse(db_text(s, 2));
        who.org_id = db_null(s, 3) ? 0 : db_int(s, 3);
        snprintf(display, sizeof display, "%s", db_text(s, 4));
    }
    db_done(s);
    if (rc)
        return rc;
    if (!who.user_id)
        return errf(ERR_NOT_FOUND, NULL, "日历订阅地址无效或已失效");
    struct ics c;
    sbuf_init(&c.out, 0);
    sbuf_init(&c.line, 0);
    if (!(rc = render(r, &who, display[0] ? display : who.username, &c))) {
        r->raw = arena_strndup(&r->arena, c.out.buf, c.out.len);
        r->raw_len = c.out.len;
        r->content_type = "text/calendar; charset=utf-8";
        r->status = 200;
        reply_header(r, "Content-Disposition", "inline; filename=\"fanghu.ics\"");
    }
    sbuf_release(&c.out);
    sbuf_release(&c.line);
    return rc;
}
