/* Syncing the duties table with the producers. */
#include <stdio.h>
#include <string.h>

#include "duty.h"
#include "store/store.h"

extern const struct duty_producer *const duty_producer_tables[];
enum { N_TABLES = 7 };

static const char SQL_INSERT[] =
    "INSERT INTO duties (duty_key, subject, org_id, unit_id, kind, title, due_date, rule, source, "
    "fulfils, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

enum err duty_emit(struct duty_sink *sink, const struct duty_item *it)
{
    struct db_stmt *s;
    enum err rc = db_prepare(sink->db, SQL_INSERT, &s);
    if (rc)
        return rc;
    char due[11], done[11];
    date_format(it->due, due);
    db_bind_text(s, 1, it->key);
    db_bind_text(s, 2, it->subject);
    db_bind_int(s, 3, it->org_id);
    if (it->unit_id)
        db_bind_int(s, 4, it->unit_id);
    else
        db_bind_null(s, 4);
    db_bind_text(s, 5, duty_kind_code(it->kind));
    db_bind_text(s, 6, it->title ? it->title : duty_kind_name(it->kind));
    db_bind_text(s, 7, due);
    db_bind_text(s, 8, it->rule ? it->rule : duty_ruleset_default()->version);
    db_bind_text(s, 9, it->source ? it->source : duty_kind_source(it->kind));
    db_bind_text(s, 10, it->fulfils ? it->fulfils : "");
    if (it->done) {
        date_format(it->done_on, done);
        db_bind_text(s, 11, done);
    } else {
        db_bind_null(s, 11);
    }
    int row;
    rc = db_step(s, &row);
    db_done(s);
    if (!rc)
        sink->count++;
    return rc;
}

void duty_item_name(struct duty_item *item, const char *subject, long long id, const char *suffix)
{
    snprintf(item->subject, sizeof item->subject, "%s:%lld", subject, id);
    snprintf(item->key, sizeof item->key, "%s:%lld:%s", subject, id, suffix);
}

static const struct duty_producer *producer(const char *subject)
{
    for (int t = 0; t < N_TABLES; t++)
        for (const struct duty_producer *p = duty_producer_tables[t]; p && p->subject; p++)
            if (!strcmp(p->subject, subject))
                return p;
    return NULL;
}

/* Keys are "subject:id:suffix", so a subject's duties are the key range ["s:id:", "s:id;"):
 * the unique key index serves the delete. */
static const char SQL_DELETE_SUBJECT[] =
    "DELETE FROM duties WHERE duty_key >= $1 AND duty_key < $2";

enum err duty_refresh(struct db *db, const char *subject, long long id)
{
    const struct duty_producer *p = producer(subject);
    if (!p)
        return errf(ERR_INTERNAL, NULL, "no duty producer for %s", subject);
    char from[64], to[64];
    snprintf(from, sizeof from, "%s:%lld:", subject, id);
    snprintf(to, sizeof to, "%s:%lld;", subject, id);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DELETE_SUBJECT, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    struct duty_sink sink = {db, 0};
    return rc ? rc : p->produce(db, id, date_today_shanghai(), &sink);
}

enum err duty_produce_new(struct db *db, const char *subject, long long first, long long last)
{
    const struct duty_producer *p = producer(subject);
    if (!p)
        return errf(ERR_INTERNAL, NULL, "no duty producer for %s", subject);
    if (p->produce_new) {
        struct duty_sink sink = {db, 0};
        return p->produce_new(db, first, last, date_today_shanghai(), &sink);
    }
    enum err rc = ERR_OK;
    for (long long id = first; !rc && id <= last; id++)
        rc = duty_refresh(db, subject, id);
    return rc;
}

static const char SQL_DELETE_KIND[] = "DELETE FROM duties WHERE duty_key >= $1 AND duty_key < $2";

enum err duty_recompute_subject(struct db *db, const char *subject, long long *n)
{
    const struct duty_producer *p = producer(subject);
    *n = 0;
    if (!p)
        return errf(ERR_INTERNAL, NULL, "no duty producer for %s", subject);
    char from[48], to[48];
    snprintf(from, sizeof from, "%s:", subject);
    snprintf(to, sizeof to, "%s;", subject);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DELETE_KIND, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    int row;
    rc = db_step(s, &row);
    db_done(s);
    struct duty_sink sink = {db, 0};
    if (!rc)
        rc = p->produce(db, 0, date_today_shanghai(), &sink);
    *n = sink.count;
    return rc;
}

enum err duty_recompute(struct db *db, long long *n)
{
    enum err rc = db_exec(db, "DELETE FROM duties");
    *n = 0;
    for (int t = 0; t < N_TABLES; t++)
        for (const struct duty_producer *p = duty_producer_tables[t]; !rc && p && p->subject; p++) {
            struct duty_sink sink = {db, 0};
            rc = p->produce(db, 0, date_today_shanghai(), &sink);
            *n += sink.count;
        }
    return rc;
}

const char *duty_state(const char *due, const char *done_at, struct date today)
{
    struct date d;
    if (done_at)
        return "done";
    if (!due || date_parse(due, &d))
        return "upcoming";
    return duty_status(d, today);
}

const char *duty_state_name(const char *state)
{
    if (!strcmp(state, "done"))
        return "已完成";
    if (!strcmp(state, "overdue"))
        return "已逾期";
    if (!strcmp(state, "due_soon"))
        return "30 日内到期";
    return "未到期";
}
