/* The reminder pass: which open duty is due a reminder for which lead time, on which channels;
 * the Chinese messages; the claim / deliver / record cycle over reminders_sent; the job that runs
 * it every remind-interval seconds inside `fanghu serve`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "duty.h"
#include "json.h"
#include "jobs.h"
#include "log.h"
#include "remind.h"
#include "store/store.h"
#include "timeutil.h"

/* A claim older than this is taken to belong to a process that died while sending. */
enum { CLAIM_STALE_S = 3600 };

int remind_leads_parse(const char *spec, int leads[REMIND_MAX_LEADS])
{
    int n = 0;
    for (const char *p = spec; *p && n < REMIND_MAX_LEADS;) {
        char *end;
        long days = strtol(p, &end, 10);
        if (end == p || days < 0 || days > 366)
            break;
        leads[n++] = (int)days;
        if (*end != ',')
            break;
        p = end + 1;
    }
    return n;
}

int remind_lead_due(const int *leads, int n_leads, struct date due, struct date today,
                    char label[12])
{
    long d = date_to_days(due), t = date_to_days(today);
    /* 逾期: the day after the due date, and from then on (a pass that was down catches up). */
    if (t >= d + 1) {
        snprintf(label, 12, "overdue");
        return 1;
    }
    int best = -1;
    for (int i = 0; i < n_leads; i++)
        if (d - leads[i] <= t && (best < 0 || leads[i] < best))
            best = leads[i];
    if (best < 0)
        return 0;
    snprintf(label, 12, "%d", best);
    return 1;
}

const char *remind_lead_name(const char *label, char buf[32])
{
    if (!strcmp(label, "overdue"))
        return "逾期次日";
    if (!strcmp(label, "0"))
        return "到期当日";
    snprintf(buf, 32, "到期前 %s 日", label);
    return buf;
}

/* One reminder to deliver: a duty, the lead that is due, and one channel target. */
struct pending {
    long long duty_id, channel_id, org_id, unit_id;
    const char *key, *org_name, *unit_name, *kind, *title, *due, *source, *fulfils;
    const char *channel, *target;
    char lead[12];
    long days_left;
    int done; /* sent, given up, or being sent by another pass */
};

/* Every (open duty, enabled channel) pair within the longest lead, with the reminders already
 * recorded for the pair (one row each, or one row of NULLs), so a pass that has nothing to send
 * reads once and writes nothing. */
static const char SQL_COLLECT[] =
    "SELECT d.id, d.duty_key, d.org_id, o.name, d.unit_id, un.name, d.kind, d.title, d.due_date, "
    "d.source, d.fulfils, c.kind, c.target, c.id, rs.lead, rs.status, rs.attempts, rs.updated_at "
    "FROM duties d JOIN orgs o ON o.id = d.org_id LEFT JOIN units un ON un.id = d.unit_id "
    "JOIN reminder_channels c ON c.org_id = d.org_id AND c.enabled = 1 "
    "LEFT JOIN reminders_sent rs ON rs.duty_key = d.duty_key AND rs.channel = c.kind "
    "AND rs.target = c.target "
    "WHERE d.done_at IS NULL AND d.due_date <= $1 ORDER BY d.due_date, d.id, c.id";
enum { C_LEAD = 14, C_STATUS, C_ATTEMPTS, C_UPDATED };

/* Claims (key, lead, channel, target): a new row, or a failed one with attempts left, or a claim
 * abandoned by a process that died. RETURNING gives a row only when this pass holds it, so two
 * passes at once (two processes, or the CLI beside the server) never send the same reminder. */
static const char SQL_CLAIM[] =
    "INSERT INTO reminders_sent (duty_key, lead, channel, target, status, attempts, updated_at, "
    "org_id, title, due_date) VALUES ($1, $2, $3, $4, 'sending', 0, $5, $7, $8, $9) "
    "ON CONFLICT (duty_key, lead, channel, target) DO UPDATE SET status = 'sending', "
    "updated_at = $5, org_id = $7, title = $8, due_date = $9 "
    "WHERE (reminders_sent.status = 'failed' AND reminders_sent.attempts < $10) "
    "OR (reminders_sent.status = 'sending' AND reminders_sent.updated_at < $6) "
    "RETURNING attempts";

static const char SQL_RECORD[] =
    "UPDATE reminders_sent SET status = $5, attempts = attempts + 1, last_error = $6, "
    "sent_at = $7, updated_at = $8 "
    "WHERE duty_key = $1 AND lead = $2 AND channel = $3 AND target = $4";

static const char *col_dup(struct arena *a, struct db_stmt *s, int col)
{
    return arena_strdup(a, db_text(s, col) ? db_text(s, col) : "");
}

/* Is the recorded reminder in this row finished with, for now? */
static int finished(struct db_stmt *s, const char *stale)
{
    const char *status = db_text(s, C_STATUS);
    if (!strcmp(status, "sent"))
        return 1;
    if (!strcmp(status, "failed"))
        return db_int(s, C_ATTEMPTS) >= REMIND_MAX_ATTEMPTS;
    return strcmp(db_text(s, C_UPDATED), stale) >= 0; /* "sending" elsewhere */
}

static void add_pending(struct arena *a, struct db_stmt *s, struct date today, struct date due,
                        const char *lead, struct pending *p)
{
    *p = (struct pending){
        .duty_id = db_int(s, 0),
        .key = col_dup(a, s, 1),
        .org_id = db_int(s, 2),
        .org_name = col_dup(a, s, 3),
        .unit_id = db_null(s, 4) ? 0 : db_int(s, 4),
        .unit_name = db_null(s, 5) ? NULL : col_dup(a, s, 5),
        .kind = col_dup(a, s, 6),
        .title = col_dup(a, s, 7),
        .due = col_dup(a, s, 8),
        .source = col_dup(a, s, 9),
        .fulfils = col_dup(a, s, 10),
        .channel = col_dup(a, s, 11),
        .target = col_dup(a, s, 12),
        .channel_id = db_int(s, 13),
        .days_left = date_to_days(due) - date_to_days(today),
    };
    snprintf(p->lead, sizeof p->lead, "%s", lead);
}

/* Reads the pairs whose current lead is due and not finished with into *out (*n of them). */
static enum err collect(struct db *db, struct arena *a, struct date today, int email_ok,
                        struct pending **out, size_t *n, struct remind_stats *stats)
{
    int leads[REMIND_MAX_LEADS], n_leads = remind_leads_parse(config_str(SET_REMIND_LEADS), leads);
    int max_lead = 0;
    for (int i = 0; i < n_leads; i++)
        max_lead = leads[i] > max_lead ? leads[i] : max_lead;
    char horizon[11], stale[40];
    date_format(date_add_days(today, max_lead), horizon);
    time_iso(time(NULL) - CLAIM_STALE_S, stale);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_COLLECT, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, horizon);
    size_t cap = 64;
    long long prev_duty = -1, prev_channel = -1;
    struct pending *cur = NULL; /* the pair of the current rows, when its lead is due */
    *out = xmalloc(cap * sizeof **out);
    *n = 0;
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        if (db_int(s, 0) != prev_duty || db_int(s, 13) != prev_channel) {
            struct date due;
            char lead[12];
            prev_duty = db_int(s, 0);
            prev_channel = db_int(s, 13);
            cur = NULL;
            if (date_parse(db_text(s, 8), &due) ||
                !remind_lead_due(leads, n_leads, due, today, lead))
                continue;
            if (!email_ok && !strcmp(db_text(s, 11), "email")) {
                stats->no_smtp++;
                continue;
            }
            if (*n == cap)
                *out = xrealloc(*out, (cap *= 2) * sizeof **out);
            cur = &(*out)[(*n)++];
            add_pending(a, s, today, due, lead, cur);
        }
        if (cur && !db_null(s, C_LEAD) && !strcmp(db_text(s, C_LEAD), cur->lead))
            cur->done = finished(s, stale);
    }
    db_done(s);
    /* Keep what is left to send. */
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        if ((*out)[i].done)
            stats->skipped++;
        else
            (*out)[kept++] = (*out)[i];
    }
    *n = kept;
    return rc;
}

/* Claims each candidate; one that another pass holds or finished meanwhile gets done = 1. */
static enum err claim(struct db *db, struct pending *list, size_t n, struct remind_stats *stats)
{
    char now[40], stale[40];
    time_now_iso(now);
    time_iso(time(NULL) - CLAIM_STALE_S, stale);
    for (size_t i = 0; i < n; i++) {
        struct pending *p = &list[i];
        struct db_stmt *s;
        enum err rc = db_prepare(db, SQL_CLAIM, &s);
        if (rc)
            return rc;
        db_bind_text(s, 1, p->key);
        db_bind_text(s, 2, p->lead);
        db_bind_text(s, 3, p->channel);
        db_bind_text(s, 4, p->target);
        db_bind_text(s, 5, now);
        db_bind_text(s, 6, stale);
        db_bind_int(s, 7, p->org_id);
        db_bind_text(s, 8, p->title);
        db_bind_text(s, 9, p->due);
        db_bind_int(s, 10, REMIND_MAX_ATTEMPTS);
        int row = 0;
        rc = db_step(s, &row);
        db_done(s);
        if (rc)
            return rc;
        if (!row) {
            p->done = 1;
            stats->skipped++;
        }
    }
    return ERR_OK;
}

/* "截止日期 2026-12-01（5 日后到期）" and friends. */
static const char *when(const struct pending *p, char buf[64])
{
    if (p->days_left > 0)
        snprintf(buf, 64, "%ld 日后到期", p->days_left);
    else if (p->days_left == 0)
        snprintf(buf, 64, "今日到期");
    else
        snprintf(buf, 64, "已逾期 %ld 日", -p->days_left);
    return buf;
}

static char *duty_url(struct arena *a, const struct pending *p)
{
    char base[1100];
    remind_public_url(base);
    return arena_printf(a, "%s/duties?key=%s", base, p->key);
}

/* The message of one reminder in every shape; strings live in a. */
static void compose(struct arena *a, const struct pending *p, struct date today,
                    struct remind_msg *msg)
{
    char w[64], d[24], o[24], u[24];
    const char *state = duty_state(p->due, NULL, today), *state_name = duty_state_name(state);
    const char *unit = p->unit_name ? p->unit_name : "—", *url = duty_url(a, p);
    when(p, w);
    msg->subject = arena_printf(a, "【防护】%s：%s（%s）", p->title, w, p->org_name);
    msg->text = arena_printf(a,
                             "【%s】合规事项「%s」%s，请及时处理。\n\n"
                             "事项：%s\n单位：%s\n网络单元：%s\n截止日期：%s（%s）\n"
                             "依据：%s\n%s%s%s状态：%s\n链接：%s\n\n"
                             "—— 防护平台自动发送，请勿直接回复。\n",
                             p->org_name, p->title, w, p->title, p->org_name, unit, p->due, w,
                             p->source, *p->fulfils ? "完成方式：" : "", p->fulfils,
                             *p->fulfils ? "\n" : "", state_name, url);
    msg->markdown = arena_printf(a,
                                 "#### 合规事项提醒：%s\n"
                                 "> 事项：**%s**\n> 单位：%s\n> 网络单元：%s\n"
                                 "> 截止日期：%s（%s）\n> 依据：%s\n%s%s%s> 状态：%s\n\n"
                                 "[查看详情](%s)",
                                 w, p->title, p->org_name, unit, p->due, w, p->source,
                                 *p->fulfils ? "> 完成方式：" : "", p->fulfils,
                                 *p->fulfils ? "\n" : "", state_name, url);
    snprintf(d, sizeof d, "%lld", p->duty_id);
    snprintf(o, sizeof o, "%lld", p->org_id);
    snprintf(u, sizeof u, "%lld", p->unit_id);
    msg->json = json_pack(
        "{s:s,s:s,s:s,s:I,s:s,s:{s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}}",
        "event", "duty.reminder", "lead", p->lead, "lead_name",
        remind_lead_name(p->lead, (char[32]){0}), "days_left", (json_int_t)p->days_left, "url", url,
        "duty", "id", d, "key", p->key, "org_id", o, "org_name", p->org_name, "unit_id",
        p->unit_id ? json_string(u) : json_null(), "unit_name", json_str_or_null(p->unit_name),
        "kind", p->kind, "title", p->title, "due_date", p->due, "source", p->source, "fulfils",
        p->fulfils, "state", state, "state_name", state_name, "days_left",
        (json_int_t)p->days_left);
}

static enum err record(struct db *db, const struct pending *p, int ok, const char *error)
{
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_begin(db);
    if (rc || (rc = db_prepare(db, SQL_RECORD, &s)))
        goto out;
    db_bind_text(s, 1, p->key);
    db_bind_text(s, 2, p->lead);
    db_bind_text(s, 3, p->channel);
    db_bind_text(s, 4, p->target);
    db_bind_text(s, 5, ok ? "sent" : "failed");
    db_bind_text(s, 6, ok ? NULL : error);
    db_bind_text(s, 7, ok ? now : NULL);
    db_bind_text(s, 8, now);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (!rc)
        rc = db_commit(db);
out:
    if (rc)
        db_rollback(db);
    return rc;
}

enum err remind_run(struct store *st, struct date today, struct remind_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    struct db *db;
    struct arena a;
    struct pending *list = NULL;
    size_t n = 0;
    int email_ok = *config_str(SET_SMTP_URL) && *config_str(SET_SMTP_FROM);
    enum err rc = store_acquire(st, &db);
    if (rc)
        return rc;
    arena_init(&a);
    /* Read what is due, then claim it in a short write transaction (none when nothing is due);
     * nothing is sent while a transaction is open. */
    if ((rc = db_begin_read(db)))
        goto out;
    rc = collect(db, &a, today, email_ok, &list, &n, stats);
    db_rollback(db);
    if (rc)
        goto out;
    stats->due = (long long)n + stats->skipped + stats->no_smtp;
    if (n && ((rc = db_begin(db)) || (rc = claim(db, list, n, stats)) || (rc = db_commit(db)))) {
        db_rollback(db);
        goto out;
    }
    if (stats->no_smtp)
        log_warn("remind: %lld e-mail reminder(s) held back: smtp-url / smtp-from not set",
                 stats->no_smtp);
    for (size_t i = 0; i < n && !rc; i++) {
        struct pending *p = &list[i];
        if (p->done)
            continue;
        struct remind_msg msg;
        char error[256];
        compose(&a, p, today, &msg);
        int ok = !remind_deliver(p->channel, p->target, &msg, error);
        json_decref(msg.json);
        if (ok) {
            stats->sent++;
        } else {
            char shown[256];
            remind_target_public(p->channel, p->target, shown);
            log_warn("remind: %s lead %s via %s %s failed: %s", p->key, p->lead, p->channel, shown,
                     error);
            stats->failed++;
        }
        rc = record(db, p, ok, error);
    }
out:
    free(list);
    arena_release(&a);
    return rc;
}

/* The scheduler calls this every 30 s; a pass runs once remind-interval seconds have passed. */
static enum err remind_job(struct store *st)
{
    static time_t last;
    time_t now = time(NULL);
    if (last && now - last < config_int(SET_REMIND_INTERVAL))
        return ERR_OK;
    last = now;
    struct remind_stats stats;
    enum err rc = remind_run(st, date_today_shanghai(), &stats);
    if (!rc && (stats.sent || stats.failed))
        log_info("job remind: %lld sent, %lld failed, %lld skipped", stats.sent, stats.failed,
                 stats.skipped);
    return rc;
}

const struct job remind_jobs[] = {
    {"remind", 30, remind_job},
    {NULL, 0, NULL},
};
