/* The process-wide owner map: a reference-counted snapshot of the declared ranges in an LPM,
 * swapped under a mutex when the ranges change (see owners.h for how a change is noticed). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "owners.h"
#include "store/store.h"
#include "timeutil.h"

enum {
    CHECK_MS = 1000,       /* at most one change check a second */
    RELOAD_MS = 5 * 60000, /* and a full reload every five minutes */
};

struct owners {
    struct lpm *lpm;
    atomic_int refs;
};

static struct {
    pthread_mutex_t lock;
    struct owners *cur;
    char fingerprint[160];
    int64_t checked_ms, loaded_ms;
} cache = {PTHREAD_MUTEX_INITIALIZER, NULL, "", 0, 0};

/* The sources of declared ranges. Exposure entries add a row here (and to the fingerprint). */
static const char SQL_FINGERPRINT[] =
    "SELECT COUNT(*), COALESCE(MAX(id), 0), (SELECT MAX(updated_at) FROM units) "
    "FROM unit_ranges";
static const char SQL_RANGES[] =
    "SELECT id, org_id, unit_id, first_hex, last_hex, cidr FROM unit_ranges ORDER BY id";

static int hex_addr(const char *hex, unsigned char out[16])
{
    if (!hex || strlen(hex) != 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = hex[2 * i + k];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* The prefix length of a CIDR range from its first and last address: the leading bits they
 * share (the stored ranges are whole prefixes). */
static int prefix_of(const unsigned char first[16], const unsigned char last[16])
{
    int bits = 0;
    for (int i = 0; i < 16; i++) {
        unsigned char x = first[i] ^ last[i];
        if (!x) {
            bits += 8;
            continue;
        }
        while (!(x & 0x80)) {
            bits++;
            x = (unsigned char)(x << 1);
        }
        break;
    }
    return bits;
}

struct range_list {
    struct lpm_entry *e;
    char **cidr; /* NULL unless asked for */
    size_t n, cap;
};

static void range_list_release(struct range_list *l)
{
    for (size_t i = 0; l->cidr && i < l->n; i++)
        free(l->cidr[i]);
    free(l->cidr);
    free(l->e);
}

static enum err load(struct db *db, struct range_list *l, int with_cidr)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_RANGES, &s);
    if (rc)
        return rc;
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        struct lpm_entry e = {.ref = db_int(s, 0), .org_id = db_int(s, 1), .unit_id = db_int(s, 2)};
        unsigned char last[16];
        if (hex_addr(db_text(s, 3), e.addr) || hex_addr(db_text(s, 4), last))
            continue; /* not written by ipnet_range_hex: skip rather than misattribute */
        e.prefix = prefix_of(e.addr, last);
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 1024;
            l->e = xrealloc(l->e, l->cap * sizeof *l->e);
            if (with_cidr)
                l->cidr = xrealloc(l->cidr, l->cap * sizeof *l->cidr);
        }
        if (with_cidr)
            l->cidr[l->n] = xstrdup(db_text(s, 5) ? db_text(s, 5) : "");
        l->e[l->n++] = e;
    }
    db_done(s);
    return rc;
}

static enum err fingerprint(struct db *db, char out[160])
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_FINGERPRINT, &s);
    if (rc)
        return rc;
    int row;
    if (!(rc = db_step(s, &row)) && row)
        snprintf(out, 160, "%lld/%lld/%s", db_int(s, 0), db_int(s, 1),
                 db_text(s, 2) ? db_text(s, 2) : "-");
    db_done(s);
    return rc;
}

static void unref(struct owners *o)
{
    if (o && atomic_fetch_sub(&o->refs, 1) == 1) {
        lpm_free(o->lpm);
        free(o);
    }
}

/* Under the cache lock: rebuilds when the fingerprint moved or the snapshot is old. */
static enum err refresh(struct db *db)
{
    int64_t now = time_mono_ms();
    if (cache.cur && now - cache.checked_ms < CHECK_MS)
        return ERR_OK;
    char fp[160] = "";
    enum err rc = fingerprint(db, fp);
    if (rc)
        return rc;
    cache.checked_ms = now;
    if (cache.cur && !strcmp(fp, cache.fingerprint) && now - cache.loaded_ms < RELOAD_MS)
        return ERR_OK;
    struct range_list l = {0};
    if ((rc = load(db, &l, 0))) {
        range_list_release(&l);
        return rc;
    }
    struct owners *o = xcalloc(1, sizeof *o);
    o->lpm = lpm_build(l.e, l.n);
    atomic_init(&o->refs, 1);
    range_list_release(&l);
    unref(cache.cur);
    cache.cur = o;
    cache.loaded_ms = now;
    snprintf(cache.fingerprint, sizeof cache.fingerprint, "%s", fp);
    return ERR_OK;
}

enum err owners_acquire(struct db *db, struct owners **out)
{
    pthread_mutex_lock(&cache.lock);
    enum err rc = refresh(db);
    if (!rc) {
        atomic_fetch_add(&cache.cur->refs, 1);
        *out = cache.cur;
    }
    pthread_mutex_unlock(&cache.lock);
    return rc;
}

void owners_release(struct owners *o)
{
    unref(o);
}

const struct lpm_entry *owners_lookup(const struct owners *o, const unsigned char addr[16])
{
    return lpm_lookup(o->lpm, addr);
}

size_t owners_count(const struct owners *o)
{
    return lpm_size(o->lpm);
}

void owners_reset(void)
{
    pthread_mutex_lock(&cache.lock);
    unref(cache.cur);
    cache.cur = NULL;
    cache.fingerprint[0] = '\0';
    pthread_mutex_unlock(&cache.lock);
}

static json_t *range_json(const struct range_list *l, size_t i)
{
    char id[24], org[24], unit[24];
    snprintf(id, sizeof id, "%lld", l->e[i].ref);
    snprintf(org, sizeof org, "%lld", l->e[i].org_id);
    snprintf(unit, sizeof unit, "%lld", l->e[i].unit_id);
    return json_pack("{s:s,s:s,s:s,s:s}", "range_id", id, "cidr", l->cidr[i], "org_id", org,
                     "unit_id", unit);
}

enum err owners_overlaps(struct db *db, size_t max, json_t **out, size_t *total)
{
    struct range_list l = {0};
    enum err rc = load(db, &l, 1);
    if (rc) {
        range_list_release(&l);
        return rc;
    }
    struct lpm_overlap *pairs = xmalloc((max ? max : 1) * sizeof *pairs);
    *total = lpm_overlaps(l.e, l.n, pairs, max);
    *out = json_array();
    for (size_t i = 0; i < *total && i < max; i++)
        json_array_append_new(*out, json_pack("{s:o,s:o}", "outer", range_json(&l, pairs[i].outer),
                                              "inner", range_json(&l, pairs[i].inner)));
    free(pairs);
    range_list_release(&l);
    return ERR_OK;
}
