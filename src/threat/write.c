/* Writing one ingest batch in the caller's transaction: threats (upserted), raw samples, the
 * segment and its index, quarantined lines and the file checkpoint.
 *
 * Rows go in multi-row statements of 256, 64, 16, 4 or 1 rows (each size prepared once per
 * connection): one statement per chunk instead of one per row is what keeps a batch of
 * thousands of threats cheap on SQLite, and fewer round trips on PostgreSQL, whose engine here
 * takes at most PG_MAX_PARAMS parameters a statement (so as many rows as fit). The SQL of each
 * size is built once from fixed parts; no input is ever formatted into it. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "sbuf.h"
#include "store/store.h"
#include "timeutil.h"

enum { N_RUNGS = 5, PG_MAX_PARAMS = 64 };
static const size_t RUNGS[N_RUNGS] = {256, 64, 16, 4, 1};

/* head, then n rows of cols placeholders, then tail; the SQL of each row count, built once. */
struct multi {
    const char *head;
    int cols;
    const char *tail;
    char *sql[N_RUNGS + 1]; /* [N_RUNGS]: the most rows PostgreSQL takes, PG_MAX_PARAMS / cols */
};

static pthread_mutex_t multi_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *multi_sql(struct multi *m, int slot, size_t rows)
{
    pthread_mutex_lock(&multi_lock);
    if (!m->sql[slot]) {
        struct sbuf sb;
        sbuf_init(&sb, 0);
        sbuf_adds(&sb, m->head);
        for (size_t r = 0; r < rows; r++) {
            sbuf_adds(&sb, r ? ", (" : " (");
            for (int c = 0; c < m->cols; c++)
                sbuf_addf(&sb, c ? ", $%zu" : "$%zu", r * (size_t)m->cols + (size_t)c + 1);
            sbuf_adds(&sb, ")");
        }
        sbuf_adds(&sb, m->tail);
        m->sql[slot] = sbuf_detach(&sb, NULL);
    }
    const char *sql = m->sql[slot];
    pthread_mutex_unlock(&multi_lock);
    return sql;
}

/* A statement for the next chunk of n rows left: its SQL and how many rows it takes. */
static const char *chunk_sql(struct db *db, struct multi *m, size_t n, size_t *rows)
{
    if (db_engine(db) == DB_PG) {
        size_t most = PG_MAX_PARAMS / (size_t)m->cols;
        if (n >= most && most > 4) {
            *rows = most;
            return multi_sql(m, N_RUNGS, most);
        }
    }
    int r = 0;
    while (RUNGS[r] > n || (db_engine(db) == DB_PG && RUNGS[r] * (size_t)m->cols > PG_MAX_PARAMS))
        r++;
    *rows = RUNGS[r];
    return multi_sql(m, r, RUNGS[r]);
}

static void indicator_text(const struct threat_key *k, char out[64])
{
    out[0] = '\0';
    if (!k->has_indicator)
        return;
    if (k->indicator_v4)
        inet_ntop(AF_INET, k->indicator + 12, out, 64);
    else
        inet_ntop(AF_INET6, k->indicator, out, 64);
}

static int key_cmp(const struct threat_key *a, const struct threat_key *b)
{
    if (a->org_id != b->org_id)
        return a->org_id < b->org_id ? -1 : 1;
    if (a->unit_id != b->unit_id)
        return a->unit_id < b->unit_id ? -1 : 1;
    if (a->sid != b->sid)
        return a->sid < b->sid ? -1 : 1;
    if (a->has_indicator != b->has_indicator)
        return a->has_indicator - b->has_indicator;
    return memcmp(a->indicator, b->indicator, 16);
}

static int by_key(const void *pa, const void *pb)
{
    const struct threat_slot *const *a = pa, *const *b = pb;
    return key_cmp(&(*a)->key, &(*b)->key);
}

static struct multi UPSERT_THREATS = {
    "INSERT INTO threats (org_id, unit_id, signature_id, indicator, signature, sensor_category, "
    "category, category_version, severity, event_count, first_us, last_us, first_seen, "
    "last_seen, created_at, updated_at) VALUES",
    16,
    " ON CONFLICT (org_id, unit_id, signature_id, indicator) DO UPDATE SET "
    "signature = excluded.signature, sensor_category = excluded.sensor_category, "
    "category = excluded.category, category_version = excluded.category_version, "
    "severity = CASE WHEN excluded.severity < threats.severity THEN excluded.severity "
    "ELSE threats.severity END, "
    "event_count = threats.event_count + excluded.event_count, "
    "first_us = CASE WHEN excluded.first_us < threats.first_us THEN excluded.first_us "
    "ELSE threats.first_us END, "
    "first_seen = CASE WHEN excluded.first_us < threats.first_us THEN excluded.first_seen "
    "ELSE threats.first_seen END, "
    "last_us = CASE WHEN excluded.last_us > threats.last_us THEN excluded.last_us "
    "ELSE threats.last_us END, "
    "last_seen = CASE WHEN excluded.last_us > threats.last_us THEN excluded.last_seen "
    "ELSE threats.last_seen END, "
    "updated_at = excluded.updated_at "
    "RETURNING id, event_count, org_id, unit_id, signature_id, indicator",
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static struct multi INSERT_SAMPLES = {
    "INSERT INTO threat_samples (threat_id, slot, seen_us, raw) VALUES",
    4,
    " ON CONFLICT (threat_id, slot) DO NOTHING",
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static struct multi INSERT_SEGMENT_THREATS = {
    "INSERT INTO threat_segment_threats (threat_id, segment_id, n_events) VALUES",
    3,
    "",
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static struct multi INSERT_SEGMENT_ORGS = {
    "INSERT INTO threat_segment_orgs (org_id, segment_id, n_events) VALUES",
    3,
    "",
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static struct multi INSERT_QUARANTINE = {
    "INSERT INTO threat_quarantine (source, line_offset, reason, line, line_bytes, received_us, "
    "received_at) VALUES",
    7,
    "",
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Runs s to its end (no rows expected) and ends it. */
static enum err run(struct db_stmt *s)
{
    int row;
    enum err rc = db_step(s, &row);
    db_done(s);
    return rc;
}

/* The categories of a batch's threats, remembered by (signature id, texts): a batch holds many
 * threats of few signatures, and matching runs through every rule. */
struct category_cache {
    long long sid[256];
    const char *signature[256], *sensor_category[256];
    int category[256];
};

static int category_cached(struct category_cache *cc, const struct category_map *m,
                           const struct threat_slot *t)
{
    uint64_t h = (uint64_t)t->key.sid * 0x9E3779B97F4A7C15ull;
    for (const char *p = t->signature; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = t->sensor_category; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    size_t k = (h ^ (h >> 32)) & 255;
    if (cc->signature[k] && cc->sid[k] == t->key.sid && !strcmp(cc->signature[k], t->signature) &&
        !strcmp(cc->sensor_category[k], t->sensor_category))
        return cc->category[k];
    cc->sid[k] = t->key.sid;
    cc->signature[k] = t->signature;
    cc->sensor_category[k] = t->sensor_category;
    cc->category[k] = category_of(m, t->key.sid, t->signature, strlen(t->signature),
                                  t->sensor_category, strlen(t->sensor_category));
    return cc->category[k];
}

struct threat_row {
    struct threat_slot *slot;
    char indicator[64];
    long long total; /* event_count after the upsert */
};

static void bind_threat(struct db_stmt *s, int base, const struct threat_row *row,
                        const struct batch_source *src, const char *now, struct category_cache *cc)
{
    const struct category_map *m = src->categories;
    const struct threat_slot *t = row->slot;
    char first[40], last[40];
    eve_time_format(t->first_us, first);
    eve_time_format(t->last_us, last);
    int cat = category_cached(cc, m, t);
    db_bind_int(s, base + 1, t->key.org_id);
    db_bind_int(s, base + 2, t->key.unit_id);
    db_bind_int(s, base + 3, t->key.sid);
    db_bind_text(s, base + 4, row->indicator);
    db_bind_text(s, base + 5, t->signature);
    db_bind_text(s, base + 6, t->sensor_category);
    db_bind_text(s, base + 7, m->categories[cat].code);
    db_bind_text(s, base + 8, m->version);
    db_bind_int(s, base + 9, t->severity);
    db_bind_int(s, base + 10, t->count);
    db_bind_int(s, base + 11, t->first_us);
    db_bind_int(s, base + 12, t->last_us);
    db_bind_text(s, base + 13, first);
    db_bind_text(s, base + 14, last);
    db_bind_text(s, base + 15, now);
    db_bind_text(s, base + 16, now);
}

/* Upserts rows[0..n) in one statement and gives each its id and new total. */
static enum err upsert_chunk(struct db *db, const char *sql, struct threat_row *rows, size_t n,
                             const struct batch_source *src, const char *now,
                             struct category_cache *cc)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, sql, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        bind_threat(s, (int)i * UPSERT_THREATS.cols, &rows[i], src, now, cc);
    int row;
    size_t matched = 0, next = 0;
    while (!(rc = db_step(s, &row)) && row) {
        long long org = db_int(s, 2), unit = db_int(s, 3), sid = db_int(s, 4);
        const char *indicator = db_text(s, 5) ? db_text(s, 5) : "";
        /* RETURNING follows the VALUES order in practice; search from there when it does not. */
        for (size_t k = 0; k < n; k++) {
            struct threat_row *r = &rows[(next + k) % n];
            const struct threat_key *key = &r->slot->key;
            if (!r->slot->id && key->org_id == org && key->unit_id == unit && key->sid == sid &&
                !strcmp(r->indicator, indicator)) {
                r->slot->id = db_int(s, 0);
                r->total = db_int(s, 1);
                matched++;
                next = (next + k + 1) % n;
                break;
            }
        }
    }
    db_done(s);
    if (!rc && matched != n)
        rc = errf(ERR_DB, NULL, "威胁写入失败（%zu/%zu）", matched, n);
    return rc;
}

static enum err write_samples(struct db *db, struct threat_row *rows, size_t n)
{
    /* The samples: the slots this batch's events fill, when the threat had fewer. */
    struct sample {
        long long id;
        int slot;
        int64_t us;
        const char *raw;
    } *v = xmalloc((n ? n : 1) * THREAT_SAMPLES * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct threat_slot *t = rows[i].slot;
        long long before = rows[i].total - t->count;
        for (long long slot = before; slot < THREAT_SAMPLES && slot - before < t->n_samples; slot++)
            v[k++] = (struct sample){t->id, (int)slot, t->sample_us[slot - before],
                                     t->samples[slot - before]};
    }
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < k;) {
        size_t chunk;
        const char *sql = chunk_sql(db, &INSERT_SAMPLES, k - i, &chunk);
        struct db_stmt *s;
        if ((rc = db_prepare(db, sql, &s)))
            break;
        for (size_t j = 0; j < chunk; j++, i++) {
            int base = (int)j * INSERT_SAMPLES.cols;
            db_bind_int(s, base + 1, v[i].id);
            db_bind_int(s, base + 2, v[i].slot);
            db_bind_int(s, base + 3, v[i].us);
            db_bind_text(s, base + 4, v[i].raw);
        }
        rc = run(s);
    }
    free(v);
    return rc;
}

static enum err write_threats(struct db *db, struct batch *b, const struct batch_source *src,
                              const char *now)
{
    struct threat_row *rows = xmalloc((b->n_slots ? b->n_slots : 1) * sizeof *rows);
    struct threat_slot **order = xmalloc((b->n_slots ? b->n_slots : 1) * sizeof *order);
    for (size_t i = 0; i < b->n_slots; i++)
        order[i] = &b->slots[i];
    /* Key order: concurrent writers on PostgreSQL then lock rows in one order. */
    qsort(order, b->n_slots, sizeof *order, by_key);
    for (size_t i = 0; i < b->n_slots; i++) {
        rows[i].slot = order[i];
        rows[i].slot->id = 0;
        rows[i].total = 0;
        indicator_text(&order[i]->key, rows[i].indicator);
    }
    free(order);
    struct category_cache *cc = xcalloc(1, sizeof *cc);
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < b->n_slots;) {
        size_t n;
        const char *sql = chunk_sql(db, &UPSERT_THREATS, b->n_slots - i, &n);
        rc = upsert_chunk(db, sql, rows + i, n, src, now, cc);
        i += n;
    }
    free(cc);
    if (!rc)
        rc = write_samples(db, rows, b->n_slots);
    free(rows);
    return rc;
}

static const char SQL_SEGMENT[] =
    "INSERT INTO threat_segments (source_id, source, received_us, received_at, t_min, t_max, "
    "n_events, raw_len, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";

static int by_value(const void *pa, const void *pb)
{
    long long a = *(const long long *)pa, b = *(const long long *)pb;
    return a < b ? -1 : a > b;
}

/* One index row per distinct value of values[0..n) (sorted here), with its count. */
static enum err index_rows(struct db *db, struct multi *m, long long segment, long long *values,
                           size_t n)
{
    qsort(values, n, sizeof *values, by_value);
    size_t distinct = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && values[j] == values[i])
            j++;
        values[distinct] = values[i];
        values[n + distinct] = (long long)(j - i); /* the counts go in the second half */
        distinct++;
        i = j;
    }
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < distinct;) {
        size_t rows;
        const char *sql = chunk_sql(db, m, distinct - i, &rows);
        struct db_stmt *s;
        if ((rc = db_prepare(db, sql, &s)))
            break;
        for (size_t j = 0; j < rows; j++, i++) {
            db_bind_int(s, (int)j * 3 + 1, values[i]);
            db_bind_int(s, (int)j * 3 + 2, segment);
            db_bind_int(s, (int)j * 3 + 3, values[n + i]);
        }
        rc = run(s);
    }
    return rc;
}

static enum err write_segment(struct db *db, struct batch *b, const struct batch_source *src,
                              const char *now)
{
    if (!b->n_events)
        return ERR_OK;
    int64_t t_min = b->events[0].ts_us, t_max = t_min;
    /* per event: the threat ids (to 2) and the owning organisations (to 2, or 0); the arrays
     * are twice as long so that index_rows can keep the counts beside the values */
    long long *threats = xmalloc(4 * b->n_events * sizeof *threats);
    long long *orgs = xmalloc(4 * b->n_events * sizeof *orgs);
    size_t n_threats = 0, n_orgs = 0;
    for (size_t i = 0; i < b->n_events; i++) {
        struct seg_event *e = &b->events[i];
        for (int k = 0; k < 2; k++) {
            int32_t slot = b->event_slots[i][k];
            e->threat[k] = slot >= 0 ? b->slots[slot].id : 0;
            if (e->threat[k])
                threats[n_threats++] = e->threat[k];
        }
        if (e->org[0])
            orgs[n_orgs++] = e->org[0];
        if (e->org[1] && e->org[1] != e->org[0])
            orgs[n_orgs++] = e->org[1];
        if (!e->org[0] && !e->org[1])
            orgs[n_orgs++] = 0;
        t_min = e->ts_us < t_min ? e->ts_us : t_min;
        t_max = e->ts_us > t_max ? e->ts_us : t_max;
    }
    char *text;
    size_t raw_len;
    seg_encode(&b->dict, b->events, b->n_events, &text, &raw_len);
    struct db_stmt *s;
    long long id = 0;
    enum err rc = db_prepare(db, SQL_SEGMENT, &s);
    if (!rc) {
        db_bind_int(s, 1, src->source_id);
        db_bind_text(s, 2, src->name);
        db_bind_int(s, 3, src->received_us);
        db_bind_text(s, 4, now);
        db_bind_int(s, 5, t_min);
        db_bind_int(s, 6, t_max);
        db_bind_int(s, 7, (long long)b->n_events);
        db_bind_int(s, 8, (long long)raw_len);
        db_bind_text(s, 9, text);
        rc = db_scalar_int(s, 0, &id);
    }
    free(text);
    if (!rc && !id)
        rc = errf(ERR_DB, NULL, "事件段写入失败");
    if (!rc)
        rc = index_rows(db, &INSERT_SEGMENT_THREATS, id, threats, n_threats);
    if (!rc)
        rc = index_rows(db, &INSERT_SEGMENT_ORGS, id, orgs, n_orgs);
    free(threats);
    free(orgs);
    return rc;
}

static enum err write_quarantine(struct db *db, const struct batch *b,
                                 const struct batch_source *src, const char *now)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < b->n_q;) {
        size_t rows;
        const char *sql = chunk_sql(db, &INSERT_QUARANTINE, b->n_q - i, &rows);
        struct db_stmt *s;
        if ((rc = db_prepare(db, sql, &s)))
            break;
        for (size_t j = 0; j < rows; j++, i++) {
            int base = (int)j * INSERT_QUARANTINE.cols;
            db_bind_text(s, base + 1, src->name);
            db_bind_int(s, base + 2, b->q[i].offset);
            db_bind_text(s, base + 3, b->q[i].reason);
            db_bind_text(s, base + 4, b->q[i].line);
            db_bind_int(s, base + 5, b->q[i].bytes);
            db_bind_int(s, base + 6, src->received_us);
            db_bind_text(s, base + 7, now);
        }
        rc = run(s);
    }
    return rc;
}

static const char SQL_CHECKPOINT[] =
    "UPDATE threat_sources SET read_offset = $3, device = $4, inode = $5, head_len = $6, "
    "head_hash = $7, lines = lines + $8, alerts = alerts + $9, anomalies = anomalies + $10, "
    "other = other + $11, quarantined = quarantined + $12, unattributed = unattributed + $13, "
    "updated_at = $14 WHERE id = $1 AND read_offset = $2";

static enum err write_checkpoint(struct db *db, const struct batch *b,
                                 const struct batch_source *src, const char *now)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_CHECKPOINT, &s);
    if (rc)
        return rc;
    const struct ingest_summary *c = &b->counts;
    db_bind_int(s, 1, src->source_id);
    db_bind_int(s, 2, src->expected);
    db_bind_int(s, 3, b->end_offset);
    db_bind_int(s, 4, src->device);
    db_bind_int(s, 5, src->inode);
    db_bind_int(s, 6, src->head_len);
    db_bind_text(s, 7, src->head_hash);
    db_bind_int(s, 8, c->lines);
    db_bind_int(s, 9, c->alerts);
    db_bind_int(s, 10, c->anomalies);
    db_bind_int(s, 11, c->other);
    db_bind_int(s, 12, c->quarantined);
    db_bind_int(s, 13, c->unattributed);
    db_bind_text(s, 14, now);
    int row;
    rc = db_step(s, &row);
    long long changed = rc ? 0 : db_changes(s);
    db_done(s);
    if (!rc && changed != 1)
        return errf(ERR_CONFLICT, "file", "另一个进程正在导入同一文件 %s（读取位置已被改动）",
                    src->name);
    return rc;
}

enum err batch_write(struct db *db, struct batch *b, const struct batch_source *src)
{
    char now[40];
    time_now_iso(now);
    enum err rc = write_threats(db, b, src, now);
    if (!rc)
        rc = write_segment(db, b, src, now);
    if (!rc)
        rc = write_quarantine(db, b, src, now);
    if (!rc && src->source_id)
        rc = write_checkpoint(db, b, src, now);
    return rc;
}
