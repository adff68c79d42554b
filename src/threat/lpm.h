/* Longest-prefix match over IPv4 and IPv6 in one 128-bit space (IPv4 as ::ffff:a.b.c.d, as in
 * base/ipnet.h): which declared range, and so which organisation and unit, owns an address.
 *
 * The prefixes are flattened once into sorted, disjoint intervals, each owned by the most
 * specific prefix covering it; a lookup is a 65,536-way index on the top 16 bits followed by a
 * binary search over the few intervals left (IPv4 lookups search 32-bit keys). The structure is
 * immutable after lpm_build, so any number of threads may look up in it at once. */
#ifndef FANGHU_THREAT_LPM_H
#define FANGHU_THREAT_LPM_H
#include <stddef.h>

/* One declared range, from any source (unit ranges today, exposure entries later). */
struct lpm_entry {
    unsigned char addr[16]; /* network address in the mapped form, host bits zero */
    int prefix;             /* 0..128 in the mapped space (an IPv4 /24 is 120) */
    long long org_id;
    long long unit_id; /* 0 when the range belongs to the organisation, not to a unit */
    long long ref;     /* the source's row id, reported back by overlaps */
};

struct lpm;

/* Builds the structure from n entries (copied; the caller keeps entries). Where several
 * entries have the same prefix, the first of them in the list owns it. Entries with host bits
 * set are masked. Never fails (out of memory aborts). */
struct lpm *lpm_build(const struct lpm_entry *entries, size_t n);
void lpm_free(struct lpm *t);

/* The entry owning addr (16 bytes, mapped form): the most specific prefix containing it, or
 * NULL. The pointer stays valid until lpm_free. */
const struct lpm_entry *lpm_lookup(const struct lpm *t, const unsigned char addr[16]);
size_t lpm_size(const struct lpm *t);      /* entries */
size_t lpm_intervals(const struct lpm *t); /* disjoint intervals after flattening */

/* A pair of overlapping entries of different organisations: outer contains inner (or both are
 * the same prefix). Indexes into the entries given. */
struct lpm_overlap {
    size_t outer, inner;
};

/* Finds the pairs of entries of different organisations whose prefixes overlap; writes at most
 * max of them to out (out may be NULL when max is 0) and returns how many there are in all.
 * CIDR prefixes are either nested or disjoint, so every overlap is a containment. */
size_t lpm_overlaps(const struct lpm_entry *entries, size_t n, struct lpm_overlap *out, size_t max);

#endif
