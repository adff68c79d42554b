/* The threat module's SQL besides writing a batch (write.c): file checkpoints, reading events
 * back, and the retention job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "jobs.h"
#include "log.h"
#include "store/store.h"
#include "timeutil.h"

/* Runs s to its end (no rows expected) and ends it. */
static enum err run(struct db_stmt *s)
{
    int row;
    enum err rc = db_step(s, &row);
    db_done(s);
    return rc;
}

static const char SQL_SOURCE_GET[] =
    "SELECT id, device, inode, head_len, head_hash, read_offset FROM threat_sources "
    "WHERE name = $1";
static const char SQL_SOURCE_NEW[] =
    "INSERT INTO threat_sources (name, updated_at) VALUES ($1, $2) "
    "ON CONFLICT (name) DO NOTHING";

enum err source_get(struct db *db, const char *name, long long *id, long long *device,
                    long long *inode, int *head_len, char head_hash[33], long long *offset)
{
    char now[40];
    time_now_iso(now);
    *id = 0;
    for (int attempt = 0; attempt < 2 && !*id; attempt++) {
        struct db_stmt *s;
        enum err rc = db_prepare(db, SQL_SOURCE_GET, &s);
        if (rc)
            return rc;
        db_bind_text(s, 1, name);
        int row;
        if (!(rc = db_step(s, &row)) && row) {
            *id = db_int(s, 0);
            *device = db_int(s, 1);
            *inode = db_int(s, 2);
            *head_len = (int)db_int(s, 3);
            snprintf(head_hash, 33, "%s", db_text(s, 4) ? db_text(s, 4) : "");
            *offset = db_int(s, 5);
        }
        db_done(s);
        if (rc || *id)
            return rc;
        if ((rc = db_prepare(db, SQL_SOURCE_NEW, &s)))
            return rc;
        db_bind_text(s, 1, name);
        db_bind_text(s, 2, now);
        if ((rc = run(s)))
            return rc;
    }
    return *id ? ERR_OK : errf(ERR_DB, NULL, "无法登记数据源 %s", name);
}

static const char SQL_REWIND[] =
    "UPDATE threat_sources SET read_offset = 0, inode = 0, device = 0, head_len = 0, "
    "head_hash = '', updated_at = $2 WHERE id = $1";

enum err source_rewind(struct db *db, long long id, long long *offset)
{
    char now[40];
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_REWIND, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    db_bind_text(s, 2, now);
    *offset = 0;
    return run(s);
}

/* Reading events back. */
struct dump_ctx {
    FILE *out;
    long long segment;
    const char *source;
    long long threat_id, skip, limit;
    json_t *items;
};

static int dump_one(const struct seg_event *ev, const struct seg_dict *d, void *arg)
{
    struct dump_ctx *c = arg;
    json_t *o = seg_event_json(ev, d);
    char seg[24];
    snprintf(seg, sizeof seg, "%lld", c->segment);
    json_object_set_new(o, "segment_id", json_string(seg));
    json_object_set_new(o, "source", json_string(c->source));
    char *text = json_dumps(o, JSON_COMPACT);
    fputs(text, c->out);
    fputc('\n', c->out);
    free(text);
    json_decref(o);
    return 0;
}

static const char SQL_DUMP[] = "SELECT id, source, raw_len, data FROM threat_segments "
                               "WHERE CAST($1 AS TEXT) IS NULL OR source = $1 ORDER BY id";

enum err ingest_dump(struct db *db, const char *source, FILE *out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DUMP, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, source);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        struct dump_ctx c = {out, db_int(s, 0), db_text(s, 1), 0, 0, 0, NULL};
        if ((rc = seg_decode(db_text(s, 3), (size_t)db_int(s, 2), dump_one, &c)))
            break;
    }
    db_done(s);
    return rc;
}

static int collect_one(const struct seg_event *ev, const struct seg_dict *d, void *arg)
{
    struct dump_ctx *c = arg;
    if (ev->threat[0] != c->threat_id && ev->threat[1] != c->threat_id)
        return 0;
    if (c->skip > 0) {
        c->skip--;
        return 0;
    }
    if ((long long)json_array_size(c->items) >= c->limit)
        return 1;
    json_array_append_new(c->items, seg_event_json(ev, d));
    return 0;
}

/* The segments of a threat: those of its time span (event times, as the segments' t_min and
 * t_max are) that the index names it in. */
#define THREAT_SEGMENTS                                                                            \
    "FROM threats t JOIN threat_segments s ON s.t_max >= t.first_us AND s.t_min <= t.last_us "     \
    "JOIN threat_segment_threats x ON x.segment_id = s.id AND x.threat_id = t.id WHERE t.id = $1"
static const char SQL_EVENT_TOTAL[] = "SELECT COALESCE(SUM(x.n_events), 0) " THREAT_SEGMENTS;
static const char SQL_EVENT_SEGMENTS[] =
    "SELECT s.id, s.source, s.raw_len, s.data " THREAT_SEGMENTS " ORDER BY s.id DESC";

enum err threat_events(struct db *db, long long threat_id, long long limit, long long offset,
                       json_t **items, long long *total)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_EVENT_TOTAL, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, threat_id);
    if ((rc = db_scalar_int(s, 0, total)) || (rc = db_prepare(db, SQL_EVENT_SEGMENTS, &s)))
        return rc;
    db_bind_int(s, 1, threat_id);
    *items = json_array();
    struct dump_ctx c = {NULL, 0, NULL, threat_id, offset, limit, *items};
    int row;
    while ((long long)json_array_size(*items) < limit && !(rc = db_step(s, &row)) && row)
        if ((rc = seg_decode(db_text(s, 3), (size_t)db_int(s, 2), collect_one, &c)))
            break;
    db_done(s);
    if (rc) {
        json_decref(*items);
        *items = NULL;
    }
    return rc;
}

/* Retention. */
static const char SQL_OLD_SEGMENTS[] =
    "SELECT id FROM threat_segments WHERE received_us < $1 ORDER BY id LIMIT 200";
static const char SQL_DEL_SEG_THREATS[] =
    "DELETE FROM threat_segment_threats WHERE segment_id = $1";
static const char SQL_DEL_SEG_ORGS[] = "DELETE FROM threat_segment_orgs WHERE segment_id = $1";
static const char SQL_DEL_SEGMENT[] = "DELETE FROM threat_segments WHERE id = $1";
static const char SQL_DEL_QUARANTINE[] =
    "DELETE FROM threat_quarantine WHERE id IN (SELECT id FROM threat_quarantine "
    "WHERE received_us < $1 ORDER BY id LIMIT 5000)";

static enum err delete_segment(struct db *db, long long id)
{
    static const char *const sql[] = {SQL_DEL_SEG_THREATS, SQL_DEL_SEG_ORGS, SQL_DEL_SEGMENT};
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < sizeof sql / sizeof sql[0]; i++) {
        struct db_stmt *s;
        if ((rc = db_prepare(db, sql[i], &s)))
            break;
        db_bind_int(s, 1, id);
        rc = run(s);
    }
    return rc;
}

/* One chunk of old segments: *n gets how many were deleted (0: nothing left). */
static enum err purge_segments(struct db *db, long long cutoff, long long *n)
{
    long long ids[200];
    *n = 0;
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_OLD_SEGMENTS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, cutoff);
    int row;
    while (!(rc = db_step(s, &row)) && row && *n < 200)
        ids[(*n)++] = db_int(s, 0);
    db_done(s);
    for (long long i = 0; !rc && i < *n; i++)
        rc = delete_segment(db, ids[i]);
    return rc;
}

enum err threat_purge(struct db *db, int days, long long *segments, long long *quarantined)
{
    long long cutoff = (long long)time_now_ms() * 1000 - (long long)days * 86400 * 1000000;
    *segments = *quarantined = 0;
    enum err rc;
    for (long long n = 1; n > 0;) {
        if ((rc = db_begin(db)) || (rc = purge_segments(db, cutoff, &n)) || (rc = db_commit(db))) {
            db_rollback(db);
            return rc;
        }
        *segments += n;
    }
    for (long long n = 1; n > 0;) {
        struct db_stmt *s;
        if ((rc = db_begin(db)) || (rc = db_prepare(db, SQL_DEL_QUARANTINE, &s))) {
            db_rollback(db);
            return rc;
        }
        db_bind_int(s, 1, cutoff);
        int row;
        rc = db_step(s, &row);
        n = rc ? 0 : db_changes(s);
        db_done(s);
        if (rc || (rc = db_commit(db))) {
            db_rollback(db);
            return rc;
        }
        *quarantined += n;
    }
    return ERR_OK;
}

static enum err retention_job(struct store *st)
{
    struct db *db;
    long long segments, quarantined;
    enum err rc = store_acquire(st, &db);
    if (!rc)
        rc = threat_purge(db, THREAT_RETENTION_DAYS, &segments, &quarantined);
    if (!rc && (segments || quarantined))
        log_info("job threat-retention: %lld segments and %lld quarantined lines older than %d "
                 "days purged",
                 segments, quarantined, THREAT_RETENTION_DAYS);
    return rc;
}

const struct job threat_jobs[] = {
    {"threat-retention", 6 * 3600, retention_job},
    {NULL, 0, NULL},
};
