/* Longest-prefix match by flattening: the prefixes, sorted by start and then by length, are
 * swept with a stack of the prefixes that enclose the current position, which yields the
 * disjoint intervals and the most specific owner of each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "lpm.h"

enum { TOP = 1 << 16 };

struct u128 {
    uint64_t hi, lo;
};

struct lpm {
    struct lpm_entry *entries;
    size_t n;
    /* every address: interval starts (hi, lo) and owners (entry index, -1 for none) */
    uint64_t *hi, *lo;
    int32_t *owner;
    size_t n6;
    uint32_t top6[TOP + 1]; /* the interval holding the first address of each top-16-bit block */
    /* the IPv4-mapped addresses only, as 32-bit keys */
    uint32_t *start4;
    int32_t *owner4;
    size_t n4;
    uint32_t top4[TOP + 1];
};

static const unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static uint64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static struct u128 load(const unsigned char a[16])
{
    return (struct u128){be64(a), be64(a + 8)};
}

static int less(struct u128 a, struct u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static int less_eq(struct u128 a, struct u128 b)
{
    return !less(b, a);
}

/* The host part of a prefix: all ones below the prefix length. */
static struct u128 host_mask(int prefix)
{
    struct u128 m = {0, 0};
    if (prefix <= 0)
        return (struct u128){UINT64_MAX, UINT64_MAX};
    if (prefix < 64) {
        m.hi = UINT64_MAX >> prefix;
        m.lo = UINT64_MAX;
    } else if (prefix < 128) {
        m.lo = UINT64_MAX >> (prefix - 64);
    }
    return m;
}

static struct u128 first_of(const struct lpm_entry *e)
{
    struct u128 a = load(e->addr), m = host_mask(e->prefix);
    return (struct u128){a.hi & ~m.hi, a.lo & ~m.lo};
}

static struct u128 last_of(const struct lpm_entry *e)
{
    struct u128 a = load(e->addr), m = host_mask(e->prefix);
    return (struct u128){a.hi | m.hi, a.lo | m.lo};
}

/* Sort order of the sweep: by first address, then shorter prefixes first (so that enclosing
 * prefixes come before what they enclose), then later list entries first. */
struct key {
    struct u128 first;
    int prefix;
    size_t index;
};

static int by_start(const void *pa, const void *pb)
{
    const struct key *x = pa, *y = pb;
    if (less(x->first, y->first))
        return -1;
    if (less(y->first, x->first))
        return 1;
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? -1 : 1;
    return x->index < y->index ? 1 : x->index > y->index ? -1 : 0;
}

static size_t *sorted(const struct lpm_entry *entries, size_t n)
{
    struct key *keys = xmalloc((n ? n : 1) * sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = (struct key){first_of(&entries[i]), entries[i].prefix, i};
    qsort(keys, n, sizeof *keys, by_start);
    size_t *order = xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = keys[i].index;
    free(keys);
    return order;
}

struct sweep {
    struct lpm *t;
    size_t cap;
};

static void emit(struct sweep *s, struct u128 start, int32_t owner)
{
    struct lpm *t = s->t;
    if (t->n6 && t->owner[t->n6 - 1] == owner)
        return; /* the same owner continues */
    if (t->n6 == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        t->hi = xrealloc(t->hi, s->cap * sizeof *t->hi);
        t->lo = xrealloc(t->lo, s->cap * sizeof *t->lo);
        t->owner = xrealloc(t->owner, s->cap * sizeof *t->owner);
    }
    t->hi[t->n6] = start.hi;
    t->lo[t->n6] = start.lo;
    t->owner[t->n6] = owner;
    t->n6++;
}

/* Advances cur past end; returns 0 when that wraps past the last address. */
static int advance(struct u128 *cur, struct u128 end)
{
    cur->lo = end.lo + 1;
    cur->hi = end.hi + (cur->lo == 0);
    return !(end.hi == UINT64_MAX && end.lo == UINT64_MAX);
}

struct frame {
    size_t entry;
    struct u128 last;
};

static void flatten(struct lpm *t, const size_t *order)
{
    struct sweep s = {t, 0};
    struct frame stack[130]; /* nested prefixes differ in length: at most 129 deep */
    int sp = 0, more = 1;
    struct u128 cur = {0, 0};
    for (size_t k = 0; k < t->n; k++) {
        const struct lpm_entry *e = &t->entries[order[k]];
        struct u128 first = first_of(e);
        while (sp && less(stack[sp - 1].last, first)) {
            if (more && less_eq(cur, stack[sp - 1].last)) {
                emit(&s, cur, (int32_t)stack[sp - 1].entry);
                more = advance(&cur, stack[sp - 1].last);
            }
            sp--;
        }
        if (less(cur, first)) {
            emit(&s, cur, sp ? (int32_t)stack[sp - 1].entry : -1);
            cur = first;
        }
        if (sp && stack[sp - 1].last.hi == last_of(e).hi &&
            stack[sp - 1].last.lo == last_of(e).lo &&
            e->prefix == t->entries[stack[sp - 1].entry].prefix) {
            stack[sp - 1].entry = order[k]; /* the same prefix again: the earlier entry wins */
            continue;
        }
        stack[sp].entry = order[k];
        stack[sp].last = last_of(e);
        sp++;
    }
    while (sp) {
        if (more && less_eq(cur, stack[sp - 1].last)) {
            emit(&s, cur, (int32_t)stack[sp - 1].entry);
            more = advance(&cur, stack[sp - 1].last);
        }
        sp--;
    }
    if (more)
        emit(&s, cur, -1);
}

/* The interval holding each block's first address, for blocks of the top 16 bits. */
static void index_v6(struct lpm *t)
{
    size_t i = 0;
    for (uint32_t b = 0; b < TOP; b++) {
        uint64_t hi = (uint64_t)b << 48;
        while (i + 1 < t->n6 && t->hi[i + 1] <= hi && (t->hi[i + 1] < hi || t->lo[i + 1] == 0))
            i++;
        t->top6[b] = (uint32_t)i;
    }
    t->top6[TOP] = (uint32_t)(t->n6 - 1);
}

static size_t find6(const struct lpm *t, struct u128 a)
{
    size_t lo = t->top6[a.hi >> 48], hi = t->top6[(a.hi >> 48) + 1];
    while (lo < hi) { /* the last start ≤ a in [lo, hi] */
        size_t mid = lo + (hi - lo + 1) / 2;
        if (t->hi[mid] < a.hi || (t->hi[mid] == a.hi && t->lo[mid] <= a.lo))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The IPv4 view: the intervals meeting ::ffff:0.0.0.0/96, clipped, as 32-bit starts. */
static void project_v4(struct lpm *t)
{
    const uint64_t base = 0x0000ffff00000000ull;
    size_t i = find6(t, (struct u128){0, base});
    size_t cap = 64;
    t->start4 = xmalloc(cap * sizeof *t->start4);
    t->owner4 = xmalloc(cap * sizeof *t->owner4);
    for (; i < t->n6 && t->hi[i] == 0 && t->lo[i] <= (base | 0xffffffffull); i++) {
        if (t->n4 == cap) {
            cap *= 2;
            t->start4 = xrealloc(t->start4, cap * sizeof *t->start4);
            t->owner4 = xrealloc(t->owner4, cap * sizeof *t->owner4);
        }
        t->start4[t->n4] = t->hi[i] || t->lo[i] < base ? 0 : (uint32_t)(t->lo[i] - base);
        t->owner4[t->n4] = t->owner[i];
        t->n4++;
    }
    size_t k = 0;
    for (uint32_t b = 0; b < TOP; b++) {
        uint32_t a = b << 16;
        while (k + 1 < t->n4 && t->start4[k + 1] <= a)
            k++;
        t->top4[b] = (uint32_t)k;
    }
    t->top4[TOP] = (uint32_t)(t->n4 - 1);
}

struct lpm *lpm_build(const struct lpm_entry *entries, size_t n)
{
    struct lpm *t = xcalloc(1, sizeof *t);
    t->n = n;
    t->entries = xmalloc((n ? n : 1) * sizeof *t->entries);
    if (n)
        memcpy(t->entries, entries, n * sizeof *entries);
    for (size_t i = 0; i < n; i++) {
        struct lpm_entry *e = &t->entries[i];
        if (e->prefix < 0)
            e->prefix = 0;
        if (e->prefix > 128)
            e->prefix = 128;
    }
    size_t *order = sorted(t->entries, n);
    flatten(t, order);
    free(order);
    index_v6(t);
    project_v4(t);
    return t;
}

void lpm_free(struct lpm *t)
{
    if (!t)
        return;
    free(t->entries);
    free(t->hi);
    free(t->lo);
    free(t->owner);
    free(t->start4);
    free(t->owner4);
    free(t);
}

const struct lpm_entry *lpm_lookup(const struct lpm *t, const unsigned char addr[16])
{
    int32_t owner;
    if (!memcmp(addr, MAPPED, 12)) {
        uint32_t a = (uint32_t)addr[12] << 24 | (uint32_t)addr[13] << 16 | (uint32_t)addr[14] << 8 |
                     addr[15];
        size_t lo = t->top4[a >> 16], hi = t->top4[(a >> 16) + 1];
        while (lo < hi) {
            size_t mid = lo + (hi - lo + 1) / 2;
            if (t->start4[mid] <= a)
                lo = mid;
            else
                hi = mid - 1;
        }
        owner = t->owner4[lo];
    } else {
        owner = t->owner[find6(t, load(addr))];
    }
    return owner < 0 ? NULL : &t->entries[owner];
}

size_t lpm_size(const struct lpm *t)
{
    return t->n;
}

size_t lpm_intervals(const struct lpm *t)
{
    return t->n6;
}

size_t lpm_overlaps(const struct lpm_entry *entries, size_t n, struct lpm_overlap *out, size_t max)
{
    size_t *order = sorted(entries, n), found = 0, sp = 0, cap = 64;
    /* The same prefix may be declared many times, so this stack is not bounded by 129. */
    struct frame *stack = xmalloc(cap * sizeof *stack);
    for (size_t k = 0; k < n; k++) {
        const struct lpm_entry *e = &entries[order[k]];
        struct u128 first = first_of(e);
        while (sp && less(stack[sp - 1].last, first))
            sp--;
        for (size_t i = 0; i < sp; i++)
            if (entries[stack[i].entry].org_id != e->org_id) {
                if (found < max)
                    out[found] = (struct lpm_overlap){stack[i].entry, order[k]};
                found++;
            }
        if (sp == cap)
            stack = xrealloc(stack, (cap *= 2) * sizeof *stack);
        stack[sp].entry = order[k];
        stack[sp].last = last_of(e);
        sp++;
    }
    free(stack);
    free(order);
    return found;
}
