/* The ingest pipeline: lines → scanner → attribution (owners) → aggregation into threats and
 * packed events → one transaction per batch (store.c). Files are read in large chunks and split
 * on newlines in place; a followed file is polled, and its rotation (a new inode at the path) or
 * truncation (a size below the read position) is noticed at each end of data. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "batch.h"
#include "embedded.h"
#include "eve.h"
#include "http/http.h"
#include "log.h"
#include "owners.h"
#include "store/store.h"
#include "timeutil.h"

enum {
    CHUNK = 4 << 20, /* bytes read at a time */
    HEAD_MAX = 256,  /* bytes of a file's start that identify it */
    REASON_MAX = 200,
};

static const unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* The category mapping, loaded once per process: embedded in the binary when the build lists
 * it, else read from FANGHU_THREAT_CATEGORIES, beside the binary (../data/) or ./data/. */
static struct category_map categories;
static enum err categories_rc;
static char categories_msg[512];
static pthread_once_t categories_once = PTHREAD_ONCE_INIT;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct sbuf sb;
    sbuf_init(&sb, 4 << 20);
    char chunk[8192];
    size_t n;
    int failed = 0;
    while (!failed && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        failed = sbuf_add(&sb, chunk, n) != ERR_OK;
    failed |= ferror(f);
    fclose(f);
    if (failed) {
        sbuf_release(&sb);
        return NULL;
    }
    return sbuf_detach(&sb, len);
}

static void load_categories(void)
{
    static const char NAME[] = "data/threat-categories.json";
    for (const struct embedded_file *f = embedded_files; f->name; f++)
        if (!strcmp(f->name, NAME)) {
            categories_rc = category_map_parse(f->data, f->len, &categories);
            goto done;
        }
    char exe[PATH_MAX], path[PATH_MAX + 64];
    const char *candidates[3] = {getenv("FANGHU_THREAT_CATEGORIES"), NULL, NAME};
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/../%s", exe, NAME);
            candidates[1] = path;
        }
    }
    for (int i = 0; i < 3; i++) {
        size_t len;
        char *text = candidates[i] && *candidates[i] ? read_file(candidates[i], &len) : NULL;
        if (text) {
            categories_rc = category_map_parse(text, len, &categories);
            free(text);
            goto done;
        }
    }
    categories_rc =
        errf(ERR_IO, NULL, "找不到威胁分类表 %s（可用 FANGHU_THREAT_CATEGORIES 指定）", NAME);
done:
    if (categories_rc)
        snprintf(categories_msg, sizeof categories_msg, "%s", err_last()->msg);
}

static enum err get_categories(const struct category_map **out)
{
    pthread_once(&categories_once, load_categories);
    if (categories_rc)
        return errf(categories_rc, NULL, "%s", categories_msg);
    *out = &categories;
    return ERR_OK;
}

const struct category_map *threat_category_table(void)
{
    const struct category_map *m;
    return get_categories(&m) ? NULL : m;
}

/* A set of threat ids (the distinct threats of a run). */
struct idset {
    long long *v;
    size_t n, cap;
};

static void idset_add(struct idset *s, long long id)
{
    if (2 * (s->n + 1) > s->cap) {
        struct idset bigger = {xcalloc(s->cap ? 2 * s->cap : 256, sizeof(long long)), 0,
                               s->cap ? 2 * s->cap : 256};
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i])
                idset_add(&bigger, s->v[i]);
        free(s->v);
        *s = bigger;
    }
    size_t k = ((unsigned long long)id * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    for (; s->v[k]; k = (k + 1) & (s->cap - 1))
        if (s->v[k] == id)
            return;
    s->v[k] = id;
    s->n++;
}

struct scope_cache {
    long long org;
    int visible;
};

struct pipeline {
    struct db *db;
    struct request *req; /* HTTP: attribution limited to the caller's scope */
    struct eve_scanner sc;
    struct owners *owners;
    struct batch b;
    struct batch_source src;
    struct scope_cache *scope;
    size_t n_scope;
    struct ingest_summary total;
    struct idset seen;
};

/* Batches. */
static void batch_init(struct batch *b)
{
    memset(b, 0, sizeof *b);
    arena_init(&b->arena);
    seg_dict_init(&b->dict);
}

static void batch_release(struct batch *b)
{
    free(b->slots);
    free(b->table);
    free(b->events);
    free(b->event_slots);
    free(b->q);
    seg_dict_release(&b->dict);
    arena_release(&b->arena);
}

/* Empties the batch for the next one, keeping the big arrays. */
static void batch_reset(struct batch *b)
{
    b->n_slots = 0;
    if (b->table)
        memset(b->table, 0, b->table_size * sizeof *b->table);
    b->n_events = 0;
    b->n_q = 0;
    memset(&b->counts, 0, sizeof b->counts);
    seg_dict_release(&b->dict);
    arena_release(&b->arena);
}

static char *arena_copy(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* A quarantined line as text: valid UTF-8 kept, controls and invalid bytes as \xNN, at most
 * QUARANTINE_LINE_MAX bytes. */
static char *escaped(struct arena *a, const char *line, size_t len)
{
    char *out = arena_alloc(a, QUARANTINE_LINE_MAX + 1);
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char ch = (unsigned char)line[i];
        size_t n = 1;
        if (ch >= 0x80) {
            n = ch >= 0xC2 && ch < 0xE0   ? 2
                : ch >= 0xE0 && ch < 0xF0 ? 3
                : ch >= 0xF0 && ch < 0xF5 ? 4
                                          : 0;
            for (size_t k = 1; n && k < n; k++)
                if (i + k >= len || ((unsigned char)line[i + k] & 0xC0) != 0x80)
                    n = 0;
            if (n == 3 && ((ch == 0xE0 && (unsigned char)line[i + 1] < 0xA0) ||
                           (ch == 0xED && (unsigned char)line[i + 1] >= 0xA0)))
                n = 0;
            if (n == 4 && ((ch == 0xF0 && (unsigned char)line[i + 1] < 0x90) ||
                           (ch == 0xF4 && (unsigned char)line[i + 1] >= 0x90)))
                n = 0;
        }
        if (n == 0 || (n == 1 && (ch < 0x20 || ch == 0x7f))) {
            if (o + 4 > QUARANTINE_LINE_MAX)
                break;
            snprintf(out + o, 5, "\\x%02x", ch);
            o += 4;
            i++;
            continue;
        }
        if (o + n > QUARANTINE_LINE_MAX)
            break;
        memcpy(out + o, line + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    return out;
}

static void quarantine(struct pipeline *pl, const char *line, size_t len, long long bytes,
                       int64_t offset, const char *reason)
{
    struct batch *b = &pl->b;
    if (b->n_q == b->cap_q) {
        b->cap_q = b->cap_q ? 2 * b->cap_q : 64;
        b->q = xrealloc(b->q, b->cap_q * sizeof *b->q);
    }
    b->q[b->n_q++] = (struct quarantined){offset, reason, escaped(&b->arena, line, len), bytes};
    b->counts.quarantined++;
}

static void refuse(struct pipeline *pl, const char *line, size_t len, int64_t offset,
                   enum eve_status st, const struct eve_event *ev)
{
    char reason[REASON_MAX];
    size_t blank = 0;
    while (blank < len && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r'))
        blank++;
    if (blank == len)
        snprintf(reason, sizeof reason, "空行");
    else if (st == EVE_INVALID)
        snprintf(reason, sizeof reason, "不是合法的 JSON（第 %zu 字节：%s）", ev->error_offset + 1,
                 ev->reason);
    else
        snprintf(reason, sizeof reason, "不是 EVE 事件（%s）", ev->reason);
    quarantine(pl, line, len, (long long)len, offset, arena_strdup(&pl->b.arena, reason));
}

/* Addresses: dotted quads without inet_pton's cost, the rest through it. */
static int parse_ip(struct eve_str s, unsigned char out[16], int *v4)
{
    if (!s.p || s.len == 0 || s.len >= 64)
        return 0;
    unsigned parts[4], n = 0, v = 0, digits = 0;
    size_t i = 0;
    for (; i < s.len; i++) {
        char ch = s.p[i];
        if (ch >= '0' && ch <= '9') {
            if (digits && v == 0)
                break; /* a leading zero: let inet_pton decide */
            v = v * 10 + (unsigned)(ch - '0');
            if (++digits > 3 || v > 255)
                break;
        } else if (ch == '.' && digits && n < 3) {
            parts[n++] = v;
            v = digits = 0;
        } else {
            break;
        }
    }
    if (i == s.len && n == 3 && digits) {
        parts[3] = v;
        memcpy(out, MAPPED, 12);
        for (int k = 0; k < 4; k++)
            out[12 + k] = (unsigned char)parts[k];
        *v4 = 1;
        return 1;
    }
    char text[64];
    memcpy(text, s.p, s.len);
    text[s.len] = '\0';
    if (inet_pton(AF_INET6, text, out) != 1)
        return 0;
    *v4 = !memcmp(out, MAPPED, 12);
    return 1;
}

static const char *const SQL_VISIBLE[3] =
    SCOPED("SELECT COUNT(*) FROM orgs o WHERE o.id = $2 AND ", "o.id", "");

/* Is org within the HTTP caller's scope? Looked up once per organisation per request. */
static int visible(struct pipeline *pl, long long org)
{
    if (!pl->req || scope_mode(&pl->req->caller) == SCOPE_ALL)
        return 1;
    for (size_t i = 0; i < pl->n_scope; i++)
        if (pl->scope[i].org == org)
            return pl->scope[i].visible;
    struct db_stmt *s;
    long long n = 0;
    if (!db_prepare(pl->db, scope_sql(&pl->req->caller, SQL_VISIBLE), &s)) {
        scope_bind(s, &pl->req->caller);
        db_bind_int(s, 2, org);
        db_scalar_int(s, 0, &n);
    }
    pl->scope = xrealloc(pl->scope, (pl->n_scope + 1) * sizeof *pl->scope);
    pl->scope[pl->n_scope++] = (struct scope_cache){org, n > 0};
    return n > 0;
}

static const struct lpm_entry *owner_of(struct pipeline *pl, const unsigned char addr[16])
{
    const struct lpm_entry *e = owners_lookup(pl->owners, addr);
    return e && visible(pl, e->org_id) ? e : NULL;
}

static uint64_t key_hash(const struct threat_key *k)
{
    uint64_t h = (uint64_t)k->org_id * 0x9E3779B97F4A7C15ull;
    h = (h ^ (uint64_t)k->unit_id) * 0xC2B2AE3D27D4EB4Full;
    h = (h ^ (uint64_t)k->sid) * 0x165667B19E3779F9ull;
    uint64_t a, c;
    memcpy(&a, k->indicator, 8);
    memcpy(&c, k->indicator + 8, 8);
    h = (h ^ a) * 0x9E3779B97F4A7C15ull;
    h = (h ^ c ^ (uint64_t)k->has_indicator) * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
}

static int key_equal(const struct threat_key *a, const struct threat_key *b)
{
    return a->org_id == b->org_id && a->unit_id == b->unit_id && a->sid == b->sid &&
           a->has_indicator == b->has_indicator && !memcmp(a->indicator, b->indicator, 16);
}

static void grow_table(struct batch *b)
{
    free(b->table);
    b->table_size = b->table_size ? 2 * b->table_size : 1024;
    b->table = xcalloc(b->table_size, sizeof *b->table);
    for (size_t i = 0; i < b->n_slots; i++) {
        size_t k = key_hash(&b->slots[i].key) & (b->table_size - 1);
        while (b->table[k])
            k = (k + 1) & (b->table_size - 1);
        b->table[k] = (uint32_t)(i + 1);
    }
}

static int32_t slot_of(struct batch *b, const struct threat_key *key)
{
    if (2 * (b->n_slots + 1) > b->table_size)
        grow_table(b);
    size_t k = key_hash(key) & (b->table_size - 1);
    for (; b->table[k]; k = (k + 1) & (b->table_size - 1))
        if (key_equal(&b->slots[b->table[k] - 1].key, key))
            return (int32_t)(b->table[k] - 1);
    if (b->n_slots == b->cap_slots) {
        b->cap_slots = b->cap_slots ? 2 * b->cap_slots : 256;
        b->slots = xrealloc(b->slots, b->cap_slots * sizeof *b->slots);
    }
    struct threat_slot *t = &b->slots[b->n_slots];
    memset(t, 0, sizeof *t);
    t->key = *key;
    t->severity = 255;
    b->table[k] = (uint32_t)(++b->n_slots);
    return (int32_t)(b->n_slots - 1);
}

static const char *text_of(struct arena *a, struct eve_str s)
{
    return s.p ? arena_copy(a, s.p, s.len) : "";
}

static int same_text(const char *have, struct eve_str s)
{
    size_t n = s.p ? s.len : 0;
    return strlen(have) == n && !memcmp(have, s.p ? s.p : "", n);
}

/* The event goes into the threat of owner e with the given indicator. */
static int32_t touch(struct pipeline *pl, const struct lpm_entry *owner, const unsigned char *ind,
                     int ind_v4, const struct eve_event *ev, const struct seg_event *se,
                     const char *line, size_t len)
{
    struct batch *b = &pl->b;
    struct threat_key key = {owner->org_id, owner->unit_id, se->sid, {0}, ind != NULL, ind_v4};
    if (ind)
        memcpy(key.indicator, ind, 16);
    int32_t i = slot_of(b, &key);
    struct threat_slot *t = &b->slots[i];
    int64_t ts = se->ts_us;
    if (t->count++ == 0) {
        t->first_us = t->last_us = ts;
        t->signature = text_of(&b->arena, ev->str[EVE_ALERT_SIGNATURE]);
        t->sensor_category = text_of(&b->arena, ev->str[EVE_ALERT_CATEGORY]);
    } else {
        t->first_us = ts < t->first_us ? ts : t->first_us;
        t->last_us = ts > t->last_us ? ts : t->last_us;
        if (!same_text(t->signature, ev->str[EVE_ALERT_SIGNATURE]))
            t->signature = text_of(&b->arena, ev->str[EVE_ALERT_SIGNATURE]);
        if (!same_text(t->sensor_category, ev->str[EVE_ALERT_CATEGORY]))
            t->sensor_category = text_of(&b->arena, ev->str[EVE_ALERT_CATEGORY]);
    }
    if ((se->flags & SEG_HAS_SEV) && se->severity >= 0 && se->severity < t->severity)
        t->severity = (int)se->severity;
    if (t->n_samples < THREAT_SAMPLES) {
        t->samples[t->n_samples] = arena_copy(&b->arena, line, len);
        t->sample_us[t->n_samples++] = ts;
    }
    return i;
}

static struct seg_event *push_event(struct batch *b, int32_t **slots)
{
    if (b->n_events == b->cap_events) {
        b->cap_events = b->cap_events ? 2 * b->cap_events : 1024;
        b->events = xrealloc(b->events, b->cap_events * sizeof *b->events);
        b->event_slots = xrealloc(b->event_slots, b->cap_events * sizeof *b->event_slots);
    }
    *slots = b->event_slots[b->n_events];
    (*slots)[0] = (*slots)[1] = -1;
    struct seg_event *e = &b->events[b->n_events++];
    memset(e, 0, sizeof *e);
    return e;
}

static void intern(struct batch *b, struct seg_event *e, int k, struct eve_str s)
{
    e->str[k] = s.p ? seg_dict_intern(&b->dict, s.p, s.len) : 0;
}

/* Fills the stored record of an alert or anomaly from the scanned fields. */
static void record(struct pipeline *pl, struct seg_event *e, const struct eve_event *ev,
                   unsigned kind, int64_t offset)
{
    struct batch *b = &pl->b;
    e->flags = kind;
    e->line_offset = offset;
    e->sport = e->dport = -1;
    struct eve_str ts = ev->str[EVE_TIMESTAMP];
    if (!ts.p || eve_time_parse(ts.p, ts.len, &e->ts_us)) {
        e->ts_us = pl->src.received_us;
        e->flags |= SEG_TIME_RECEIVED;
    }
    int v4;
    if (parse_ip(ev->str[EVE_SRC_IP], e->src, &v4))
        e->flags |= SEG_HAS_SRC | (v4 ? SEG_SRC_V4 : 0);
    if (parse_ip(ev->str[EVE_DEST_IP], e->dst, &v4))
        e->flags |= SEG_HAS_DST | (v4 ? SEG_DST_V4 : 0);
    if (eve_has_num(ev, EVE_SRC_PORT) && ev->num[EVE_SRC_PORT] >= 0 &&
        ev->num[EVE_SRC_PORT] <= 65535)
        e->sport = (int)ev->num[EVE_SRC_PORT];
    if (eve_has_num(ev, EVE_DEST_PORT) && ev->num[EVE_DEST_PORT] >= 0 &&
        ev->num[EVE_DEST_PORT] <= 65535)
        e->dport = (int)ev->num[EVE_DEST_PORT];
    if (eve_has_num(ev, EVE_FLOW_ID)) {
        e->flow_id = ev->num[EVE_FLOW_ID];
        e->flags |= SEG_HAS_FLOW;
    }
    if (!(kind & SEG_ANOMALY)) {
        if (eve_has_num(ev, EVE_ALERT_SIGNATURE_ID)) {
            e->sid = ev->num[EVE_ALERT_SIGNATURE_ID];
            e->flags |= SEG_HAS_SID;
        }
        if (eve_has_num(ev, EVE_ALERT_SEVERITY)) {
            e->severity = ev->num[EVE_ALERT_SEVERITY];
            e->flags |= SEG_HAS_SEV;
        }
        intern(b, e, SEG_SIGNATURE, ev->str[EVE_ALERT_SIGNATURE]);
        intern(b, e, SEG_CATEGORY, ev->str[EVE_ALERT_CATEGORY]);
        intern(b, e, SEG_ACTION, ev->str[EVE_ALERT_ACTION]);
    } else {
        intern(b, e, SEG_AN_TYPE, ev->str[EVE_ANOMALY_TYPE]);
        intern(b, e, SEG_AN_EVENT, ev->str[EVE_ANOMALY_EVENT]);
        intern(b, e, SEG_AN_LAYER, ev->str[EVE_ANOMALY_LAYER]);
    }
    intern(b, e, SEG_PROTO, ev->str[EVE_PROTO]);
    intern(b, e, SEG_APP_PROTO, ev->str[EVE_APP_PROTO]);
    intern(b, e, SEG_IN_IFACE, ev->str[EVE_IN_IFACE]);
}

/* An alert or anomaly: stored, attributed, and (alerts) aggregated into threats. */
static void keep(struct pipeline *pl, const struct eve_event *ev, const char *line, size_t len,
                 int64_t offset, unsigned kind)
{
    struct batch *b = &pl->b;
    int32_t *slots;
    struct seg_event *e = push_event(b, &slots);
    if (kind & SEG_ANOMALY)
        b->counts.anomalies++;
    else
        b->counts.alerts++;
    record(pl, e, ev, kind, offset);
    const struct lpm_entry *os = e->flags & SEG_HAS_SRC ? owner_of(pl, e->src) : NULL;
    const struct lpm_entry *od = e->flags & SEG_HAS_DST ? owner_of(pl, e->dst) : NULL;
    if (os) {
        e->org[0] = os->org_id;
        e->unit[0] = os->unit_id;
    }
    if (od) {
        e->org[1] = od->org_id;
        e->unit[1] = od->unit_id;
    }
    if (!os && !od) {
        b->counts.unattributed++;
        return;
    }
    if (kind & SEG_ANOMALY)
        return;
    const unsigned char *src = e->flags & SEG_HAS_SRC ? e->src : NULL;
    const unsigned char *dst = e->flags & SEG_HAS_DST ? e->dst : NULL;
    int src_v4 = !!(e->flags & SEG_SRC_V4), dst_v4 = !!(e->flags & SEG_DST_V4);
    if (os && od && os->org_id == od->org_id && os->unit_id == od->unit_id) {
        slots[0] = touch(pl, os, src, src_v4, ev, e, line, len);
        return;
    }
    if (os)
        slots[0] = touch(pl, os, dst, dst_v4, ev, e, line, len);
    if (od)
        slots[1] = touch(pl, od, src, src_v4, ev, e, line, len);
}

static void take_line(struct pipeline *pl, const char *line, size_t len, int64_t offset)
{
    struct batch *b = &pl->b;
    b->counts.lines++;
    struct eve_event ev;
    enum eve_status st = eve_scan(&pl->sc, line, len, &ev);
    if (st != EVE_EVENT) {
        refuse(pl, line, len, offset, st, &ev);
        return;
    }
    struct eve_str et = ev.str[EVE_EVENT_TYPE];
    if (et.len == 5 && !memcmp(et.p, "alert", 5))
        keep(pl, &ev, line, len, offset, 0);
    else if (et.len == 7 && !memcmp(et.p, "anomaly", 7))
        keep(pl, &ev, line, len, offset, SEG_ANOMALY);
    else
        b->counts.other++;
}

static void too_long(struct pipeline *pl, const char *head, size_t head_len, long long bytes,
                     int64_t offset)
{
    pl->b.counts.lines++;
    char reason[REASON_MAX];
    snprintf(reason, sizeof reason, "行过长（%lld 字节，上限 %d 字节）", bytes, INGEST_MAX_LINE);
    quarantine(pl, head, head_len, bytes, offset, arena_strdup(&pl->b.arena, reason));
}

/* Pipelines. */
static enum err pipeline_init(struct pipeline *pl, struct db *db, struct request *req,
                              const char *source_name)
{
    memset(pl, 0, sizeof *pl);
    pl->db = db;
    pl->req = req;
    eve_scanner_init(&pl->sc);
    batch_init(&pl->b);
    pl->src.name = source_name;
    pl->src.received_us = time_now_ms() * 1000;
    enum err rc = get_categories(&pl->src.categories);
    if (!rc)
        rc = owners_acquire(db, &pl->owners);
    return rc;
}

static void pipeline_release(struct pipeline *pl)
{
    eve_scanner_release(&pl->sc);
    batch_release(&pl->b);
    if (pl->owners)
        owners_release(pl->owners);
    free(pl->scope);
    free(pl->seen.v);
}

static void add_counts(struct ingest_summary *to, const struct ingest_summary *c)
{
    to->lines += c->lines;
    to->alerts += c->alerts;
    to->anomalies += c->anomalies;
    to->other += c->other;
    to->quarantined += c->quarantined;
    to->unattributed += c->unattributed;
}

/* After a commit: totals, and the next batch starts with a fresh look at the ranges. */
static enum err committed(struct pipeline *pl)
{
    add_counts(&pl->total, &pl->b.counts);
    for (size_t i = 0; i < pl->b.n_slots; i++)
        idset_add(&pl->seen, pl->b.slots[i].id);
    pl->total.threats = (long long)pl->seen.n;
    pl->src.expected = pl->b.end_offset;
    batch_reset(&pl->b);
    struct owners *next;
    enum err rc = owners_acquire(pl->db, &next);
    if (!rc) {
        owners_release(pl->owners);
        pl->owners = next;
    }
    pl->src.received_us = time_now_ms() * 1000;
    return rc;
}

/* Writes the pending batch in its own transaction (the CLI); retried while the database is
 * busy, since the batch is still in memory. */
static enum err commit(struct pipeline *pl)
{
    enum err rc = ERR_OK;
    for (int attempt = 0; attempt < 5; attempt++) {
        if (!(rc = db_begin(pl->db)) && !(rc = batch_write(pl->db, &pl->b, &pl->src)) &&
            !(rc = db_commit(pl->db)))
            return committed(pl);
        db_rollback(pl->db);
        for (size_t i = 0; i < pl->b.n_slots; i++)
            pl->b.slots[i].id = 0;
        if (rc != ERR_UNAVAILABLE)
            break;
        log_warn("ingest: database busy, retrying the batch");
    }
    return rc;
}

json_t *ingest_summary_json(const struct ingest_summary *s)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "lines", (json_int_t)s->lines, "alerts",
                     (json_int_t)s->alerts, "anomalies", (json_int_t)s->anomalies, "other",
                     (json_int_t)s->other, "quarantined", (json_int_t)s->quarantined,
                     "unattributed", (json_int_t)s->unattributed, "threats",
                     (json_int_t)s->threats);
}

/* HTTP: group commit. Each request parses its lines on its own thread; then the requests
 * waiting to be written go in one transaction, written by whichever of them came first (the
 * leader) while the others wait: one commit (and one write of each page touched) for a group,
 * instead of one per request. Each request is still answered only after the commit holding its
 * events. Should a group fail, its requests are written again one by one, so that a request
 * fails only for its own reason. SQLite has one writer at a time anyway (and a writer that
 * finds the lock taken polls for it with sleeps of up to 100 ms); on PostgreSQL the group saves
 * commits as well. */
struct member {
    struct request *r;
    struct pipeline *pl;
    enum err rc;
    struct err_detail detail; /* the error's detail, recorded on the leader's thread */
    int done;
    struct member *next;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    struct member *queue;
    int writing;
} group = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0};

static enum err write_member(struct db *db, struct member *m)
{
    enum err rc = batch_write(db, &m->pl->b, &m->pl->src);
    if (!rc) {
        struct ingest_summary s = m->pl->b.counts;
        s.threats = (long long)m->pl->b.n_slots;
        json_t *after = ingest_summary_json(&s);
        struct audit_ctx ctx = audit_ctx_of(m->r);
        rc = audit_append(db, &ctx, "threat.ingest", "events", NULL, m->r->caller.org_id, NULL,
                          after);
        json_decref(after);
    }
    return rc;
}

static enum err write_members(struct db *db, struct member *first, struct member *stop)
{
    enum err rc = db_begin(db);
    for (struct member *m = first; !rc && m != stop; m = m->next)
        rc = write_member(db, m);
    if (!rc)
        rc = db_commit(db);
    if (rc)
        db_rollback(db);
    return rc;
}

static void settle(struct member *m, enum err rc)
{
    m->rc = rc;
    if (rc)
        m->detail = *err_last();
}

/* The leader writes the group (list), then each member alone if the group failed. */
static void write_group(struct db *db, struct member *list)
{
    enum err rc = write_members(db, list, NULL);
    if (!rc || !list->next) {
        for (struct member *m = list; m; m = m->next)
            settle(m, rc);
        return;
    }
    for (struct member *m = list; m; m = m->next)
        settle(m, write_members(db, m, m->next));
}

enum err ingest_request(struct request *r, const char *body, size_t len, struct ingest_summary *out)
{
    struct pipeline pl;
    char *name = arena_printf(&r->arena, "http:%s", r->caller.username);
    enum err rc = pipeline_init(&pl, r->db, r, name);
    for (size_t pos = 0; !rc && pos < len;) {
        const char *nl = memchr(body + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (body + pos)) : len - pos;
        if (n > INGEST_MAX_LINE)
            too_long(&pl, body + pos, n, (long long)n, (int64_t)pos);
        else
            take_line(&pl, body + pos, n, (int64_t)pos);
        pos += n + 1;
    }
    if (rc) {
        pipeline_release(&pl);
        return rc;
    }
    struct member me = {r, &pl, ERR_OK, {0}, 0, NULL};
    pthread_mutex_lock(&group.lock);
    struct member **tail = &group.queue;
    while (*tail)
        tail = &(*tail)->next;
    *tail = &me;
    while (!me.done) {
        if (group.writing) {
            pthread_cond_wait(&group.done, &group.lock);
            continue;
        }
        struct member *list = group.queue;
        group.queue = NULL;
        group.writing = 1;
        pthread_mutex_unlock(&group.lock);
        write_group(r->db, list);
        pthread_mutex_lock(&group.lock);
        for (struct member *m = list; m; m = m->next)
            m->done = 1;
        group.writing = 0;
        pthread_cond_broadcast(&group.done);
    }
    pthread_mutex_unlock(&group.lock);
    rc = me.rc;
    if (rc) {
        errf(rc, me.detail.field[0] ? me.detail.field : NULL, "%s",
             me.detail.msg[0] ? me.detail.msg : err_message(rc));
    } else {
        *out = pl.b.counts;
        out->threats = (long long)pl.b.n_slots;
    }
    pipeline_release(&pl);
    return rc;
}

/* Files. */
struct reader {
    int fd;
    char *buf;
    size_t cap, start, end; /* unconsumed bytes are buf[start..end) */
    int64_t pos;            /* file offset of buf[start] */
    int skipping;           /* inside a line longer than INGEST_MAX_LINE */
    int64_t skip_offset;
    long long skip_bytes;
    char *skip_head;
    size_t skip_head_len;
};

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* The identity of the file's first bytes, up to HEAD_MAX below limit. */
static int head_hash(int fd, int64_t limit, int *len, char out[33])
{
    char head[HEAD_MAX];
    size_t want = limit < HEAD_MAX ? (size_t)limit : HEAD_MAX;
    ssize_t n = want ? pread(fd, head, want, 0) : 0;
    if (n < 0 || (size_t)n != want)
        return -1;
    *len = (int)n;
    snprintf(out, 33, "%016llx", (unsigned long long)fnv(head, (size_t)n));
    return 0;
}

/* Commits the batch with the file's checkpoint. */
static enum err commit_file(struct pipeline *pl, struct reader *rd)
{
    if (pl->b.counts.lines == 0)
        return ERR_OK;
    if (pl->src.source_id &&
        head_hash(rd->fd, pl->b.end_offset, &pl->src.head_len, pl->src.head_hash))
        return errf(ERR_IO, "file", "无法读取 %s：%s", pl->src.name, strerror(errno));
    return commit(pl);
}

/* Takes the complete lines in the buffer; commits each full batch. */
static enum err take_lines(struct pipeline *pl, struct reader *rd, int batch_lines)
{
    enum err rc = ERR_OK;
    while (!rc && rd->start < rd->end) {
        char *p = rd->buf + rd->start;
        char *nl = memchr(p, '\n', rd->end - rd->start);
        if (!nl)
            break;
        size_t n = (size_t)(nl - p);
        if (rd->skipping) {
            too_long(pl, rd->skip_head, rd->skip_head_len, rd->skip_bytes + (long long)n,
                     rd->skip_offset);
            rd->skipping = 0;
        } else {
            take_line(pl, p, n, rd->pos);
        }
        rd->start += n + 1;
        rd->pos += (int64_t)n + 1;
        pl->b.end_offset = rd->pos;
        if (pl->b.counts.lines >= batch_lines)
            rc = commit_file(pl, rd);
    }
    /* A line without its newline yet: past the limit, keep its head and skip the rest. */
    size_t partial = rd->end - rd->start;
    if (!rc && (rd->skipping || partial > INGEST_MAX_LINE)) {
        if (!rd->skipping) {
            rd->skipping = 1;
            rd->skip_offset = rd->pos;
            rd->skip_bytes = 0;
            rd->skip_head_len = QUARANTINE_LINE_MAX;
            memcpy(rd->skip_head, rd->buf + rd->start, rd->skip_head_len);
        }
        rd->skip_bytes += (long long)partial;
        rd->pos += (int64_t)partial;
        rd->start = rd->end;
    }
    return rc;
}

/* At the end of data that will not grow (not followed, or rotated away): the last line
 * without a newline is a line. */
static void take_tail(struct pipeline *pl, struct reader *rd)
{
    size_t n = rd->end - rd->start;
    if (rd->skipping) {
        too_long(pl, rd->skip_head, rd->skip_head_len, rd->skip_bytes + (long long)n,
                 rd->skip_offset);
        rd->skipping = 0;
    } else if (n) {
        take_line(pl, rd->buf + rd->start, n, rd->pos);
    } else {
        return;
    }
    rd->pos += (int64_t)n;
    rd->start = rd->end;
    pl->b.end_offset = rd->pos;
}

static void compact(struct reader *rd)
{
    if (rd->start == 0)
        return;
    memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
    rd->end -= rd->start;
    rd->start = 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The file's identity decides where to start: the stored offset when it is the same file. */
static enum err open_source(struct pipeline *pl, const char *path, const struct ingest_options *o,
                            struct reader *rd)
{
    struct stat st;
    if (fstat(rd->fd, &st))
        return errf(ERR_IO, "file", "无法读取 %s：%s", path, strerror(errno));
    long long id, device, inode, offset;
    int head_len;
    char hash[33];
    enum err rc = source_get(pl->db, path, &id, &device, &inode, &head_len, hash, &offset);
    if (rc)
        return rc;
    pl->src.source_id = id;
    pl->src.expected = offset;
    pl->src.device = (long long)st.st_dev;
    pl->src.inode = (long long)st.st_ino;
    int same =
        device == (long long)st.st_dev && inode == (long long)st.st_ino && st.st_size >= offset;
    if (same && head_len > 0) {
        int len;
        char now[33];
        same = !head_hash(rd->fd, head_len, &len, now) && len == head_len && !strcmp(now, hash);
    }
    int64_t start = same && !o->from_start ? offset : 0;
    if (offset && !start)
        log_warn("ingest: %s is %s: reading it from the start", path,
                 o->from_start ? "to be read again (--from-start)" : "a different file now");
    else if (start)
        log_info("ingest: %s: resuming at byte %lld", path, (long long)start);
    if (lseek(rd->fd, start, SEEK_SET) < 0)
        return errf(ERR_IO, "file", "无法定位 %s：%s", path, strerror(errno));
    rd->pos = start;
    pl->b.end_offset = start;
    return ERR_OK;
}

/* Follow: has the path been rotated to a new file, or this file truncated? */
enum change { SAME, ROTATED, TRUNCATED };

static enum change changed(const char *path, const struct reader *rd)
{
    struct stat now, mine;
    if (fstat(rd->fd, &mine))
        return SAME;
    if (!stat(path, &now) && (now.st_ino != mine.st_ino || now.st_dev != mine.st_dev))
        return ROTATED;
    if (mine.st_size < rd->pos + (int64_t)(rd->end - rd->start))
        return TRUNCATED;
    return SAME;
}

static enum err reopen(struct pipeline *pl, const char *path, struct reader *rd, enum change what)
{
    if (what == ROTATED) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return ERR_OK; /* not there yet: keep the old one and look again */
        close(rd->fd);
        rd->fd = fd;
        struct stat st;
        if (!fstat(fd, &st)) {
            pl->src.device = (long long)st.st_dev;
            pl->src.inode = (long long)st.st_ino;
        }
        log_info("ingest: %s was rotated: reading the new file from its start", path);
    } else {
        log_info("ingest: %s was truncated: reading it again from its start", path);
        lseek(rd->fd, 0, SEEK_SET);
    }
    rd->start = rd->end = 0;
    rd->pos = 0;
    rd->skipping = 0;
    pl->b.end_offset = 0;
    return ERR_OK;
}

static enum err read_loop(struct pipeline *pl, const char *path, const struct ingest_options *o,
                          struct reader *rd)
{
    int batch_lines = o->batch_lines > 0 ? o->batch_lines : INGEST_BATCH_LINES;
    enum err rc = ERR_OK;
    while (!rc) {
        if (o->stop && *o->stop)
            break;
        compact(rd);
        ssize_t n = read(rd->fd, rd->buf + rd->end, rd->cap - rd->end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errf(ERR_IO, "file", "无法读取 %s：%s", path, strerror(errno));
        }
        rd->end += (size_t)n;
        if (n > 0) {
            rc = take_lines(pl, rd, batch_lines);
            continue;
        }
        if (!o->follow || !path) {
            take_tail(pl, rd);
            break;
        }
        /* End of data for now: commit what is pending, then look for rotation. */
        if ((rc = commit_file(pl, rd)))
            break;
        enum change what = changed(path, rd);
        if (what == ROTATED) {
            /* Whatever the old file still gets before the switch is read first. */
            while ((n = read(rd->fd, rd->buf + rd->end, rd->cap - rd->end)) > 0) {
                rd->end += (size_t)n;
                if ((rc = take_lines(pl, rd, batch_lines)))
                    return rc;
                compact(rd);
            }
            take_tail(pl, rd);
            if ((rc = commit_file(pl, rd)))
                break;
        }
        if (what != SAME)
            rc = reopen(pl, path, rd, what);
        else
            sleep_ms(o->poll_ms > 0 ? o->poll_ms : 200);
    }
    if (!rc)
        rc = commit_file(pl, rd);
    return rc;
}

enum err ingest_path(struct store *st, const char *path, const struct ingest_options *o,
                     struct ingest_summary *out)
{
    int is_stdin = !strcmp(path, "-");
    char real[PATH_MAX];
    if (!is_stdin && !realpath(path, real))
        return errf(ERR_IO, "file", "无法打开 %s：%s", path, strerror(errno));
    struct reader rd = {.fd = is_stdin ? 0 : open(real, O_RDONLY | O_CLOEXEC)};
    if (rd.fd < 0)
        return errf(ERR_IO, "file", "无法打开 %s：%s", path, strerror(errno));
    struct db *db;
    struct pipeline pl;
    enum err rc = store_acquire(st, &db);
    if (!rc)
        rc = pipeline_init(&pl, db, NULL, is_stdin ? "stdin" : real);
    else
        memset(&pl, 0, sizeof pl);
    if (!rc && !is_stdin)
        rc = open_source(&pl, real, o, &rd);
    if (!rc) {
        rd.cap = CHUNK + INGEST_MAX_LINE + 1;
        rd.buf = xmalloc(rd.cap);
        rd.skip_head = xmalloc(QUARANTINE_LINE_MAX);
        rc = read_loop(&pl, is_stdin ? NULL : real, o, &rd);
    }
    *out = pl.total;
    if (!rc) {
        /* One audit record per run, with what it did. */
        struct audit_ctx cli = {0, "cli", NULL, NULL};
        json_t *after = ingest_summary_json(out);
        json_object_set_new(after, "source", json_string(pl.src.name));
        if (!(rc = db_begin(db)) &&
            !(rc = audit_append(db, &cli, "threat.ingest", "events", NULL, 0, NULL, after)))
            rc = db_commit(db);
        if (rc)
            db_rollback(db);
        json_decref(after);
    }
    pipeline_release(&pl);
    free(rd.buf);
    free(rd.skip_head);
    if (!is_stdin)
        close(rd.fd);
    return rc;
}
