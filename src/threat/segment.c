/* Segment records: varints, deltas for times and offsets, IPv4 in 4 bytes, strings by
 * dictionary index; deflated at level 1 (speed over ratio: the records are small and alike) and
 * base64-encoded, since the store interface carries text. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "arena.h"
#include "rules.h"
#include "segment.h"

static const char MAGIC[4] = {'F', 'H', 'S', '1'};
static const unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static const char *const STR_NAMES[SEG_N_STR] = {
    "proto", "app_proto", "in_iface", "signature", "category", "action", "type", "event", "layer",
};

void seg_dict_init(struct seg_dict *d)
{
    memset(d, 0, sizeof *d);
}

void seg_dict_release(struct seg_dict *d)
{
    for (size_t i = 0; i < d->n; i++)
        free((void *)(uintptr_t)d->s[i]);
    free(d->s);
    free(d->len);
    free(d->slots);
    seg_dict_init(d);
}

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static void rehash(struct seg_dict *d)
{
    free(d->slots);
    d->n_slots = d->n_slots ? d->n_slots * 2 : 64;
    d->slots = xcalloc(d->n_slots, sizeof *d->slots);
    for (size_t i = 0; i < d->n; i++) {
        size_t k = hash(d->s[i], d->len[i]) & (d->n_slots - 1);
        while (d->slots[k])
            k = (k + 1) & (d->n_slots - 1);
        d->slots[k] = (uint32_t)(i + 1);
    }
}

uint32_t seg_dict_intern(struct seg_dict *d, const char *s, size_t len)
{
    if (2 * (d->n + 1) > d->n_slots)
        rehash(d);
    size_t k = hash(s, len) & (d->n_slots - 1);
    for (; d->slots[k]; k = (k + 1) & (d->n_slots - 1)) {
        uint32_t i = d->slots[k] - 1;
        if (d->len[i] == len && !memcmp(d->s[i], s, len))
            return i + 1;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 32;
        d->s = xrealloc(d->s, d->cap * sizeof *d->s);
        d->len = xrealloc(d->len, d->cap * sizeof *d->len);
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    d->s[d->n] = copy;
    d->len[d->n] = (uint32_t)len;
    d->slots[k] = (uint32_t)(++d->n);
    return (uint32_t)d->n;
}

/* A growable byte buffer with inline appends (sbuf checks a cap per call; this is hot). */
struct bytes {
    unsigned char *p;
    size_t len, cap;
};

static void reserve(struct bytes *b, size_t n)
{
    if (b->len + n <= b->cap)
        return;
    while (b->len + n > b->cap)
        b->cap = b->cap ? 2 * b->cap : 4096;
    b->p = xrealloc(b->p, b->cap);
}

static inline void put_varint(struct bytes *b, uint64_t v)
{
    reserve(b, 10);
    while (v >= 0x80) {
        b->p[b->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (unsigned char)v;
}

static inline void put_signed(struct bytes *b, int64_t v)
{
    put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); /* zigzag */
}

static void put_raw(struct bytes *b, const void *p, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_addr(struct bytes *b, const unsigned char a[16], int v4)
{
    put_raw(b, v4 ? a + 12 : a, v4 ? 4 : 16);
}

static void pack(const struct seg_dict *d, const struct seg_event *ev, size_t n, struct bytes *b)
{
    put_raw(b, MAGIC, 4);
    put_varint(b, d->n);
    for (size_t i = 0; i < d->n; i++) {
        put_varint(b, d->len[i]);
        put_raw(b, d->s[i], d->len[i]);
    }
    put_varint(b, n);
    int64_t prev_ts = 0, prev_off = 0;
    for (size_t i = 0; i < n; i++) {
        const struct seg_event *e = &ev[i];
        put_varint(b, e->flags);
        put_signed(b, e->ts_us - prev_ts);
        put_signed(b, e->line_offset - prev_off);
        prev_ts = e->ts_us;
        prev_off = e->line_offset;
        if (e->flags & SEG_HAS_FLOW)
            put_signed(b, e->flow_id);
        if (e->flags & SEG_HAS_SRC)
            put_addr(b, e->src, e->flags & SEG_SRC_V4);
        if (e->flags & SEG_HAS_DST)
            put_addr(b, e->dst, e->flags & SEG_DST_V4);
        put_varint(b, (uint64_t)(e->sport + 1));
        put_varint(b, (uint64_t)(e->dport + 1));
        if (e->flags & SEG_HAS_SID)
            put_signed(b, e->sid);
        if (e->flags & SEG_HAS_SEV)
            put_signed(b, e->severity);
        for (int k = 0; k < SEG_N_STR; k++)
            put_varint(b, e->str[k]);
        for (int k = 0; k < 2; k++) {
            put_varint(b, (uint64_t)e->threat[k]);
            put_varint(b, (uint64_t)e->org[k]);
            put_varint(b, (uint64_t)e->unit[k]);
        }
    }
}

void seg_encode(const struct seg_dict *d, const struct seg_event *ev, size_t n, char **text,
                size_t *raw_len)
{
    struct bytes b = {0};
    pack(d, ev, n, &b);
    uLongf zlen = compressBound(b.len);
    unsigned char *z = xmalloc(zlen);
    if (compress2(z, &zlen, b.p, b.len, 1) != Z_OK)
        die_oom(); /* compress2 fails only without memory when the bound is given */
    size_t tlen = sodium_base64_encoded_len(zlen, sodium_base64_VARIANT_ORIGINAL);
    *text = xmalloc(tlen);
    sodium_bin2base64(*text, tlen, z, zlen, sodium_base64_VARIANT_ORIGINAL);
    *raw_len = b.len;
    free(z);
    free(b.p);
}

struct reader {
    const unsigned char *p, *end;
    int bad;
};

static uint64_t get_varint(struct reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        unsigned char ch = *r->p++;
        v |= (uint64_t)(ch & 0x7f) << shift;
        if (!(ch & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t get_signed(struct reader *r)
{
    uint64_t v = get_varint(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void get_addr(struct reader *r, unsigned char a[16], int v4)
{
    size_t n = v4 ? 4 : 16;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return;
    }
    if (v4) {
        memcpy(a, MAPPED, 12);
        memcpy(a + 12, r->p, 4);
    } else {
        memcpy(a, r->p, 16);
    }
    r->p += n;
}

static int read_event(struct reader *r, struct seg_event *e, int64_t *prev_ts, int64_t *prev_off,
                      size_t n_str)
{
    memset(e, 0, sizeof *e);
    e->flags = (unsigned)get_varint(r);
    e->ts_us = *prev_ts += get_signed(r);
    e->line_offset = *prev_off += get_signed(r);
    if (e->flags & SEG_HAS_FLOW)
        e->flow_id = get_signed(r);
    if (e->flags & SEG_HAS_SRC)
        get_addr(r, e->src, e->flags & SEG_SRC_V4);
    if (e->flags & SEG_HAS_DST)
        get_addr(r, e->dst, e->flags & SEG_DST_V4);
    e->sport = (int)get_varint(r) - 1;
    e->dport = (int)get_varint(r) - 1;
    if (e->flags & SEG_HAS_SID)
        e->sid = get_signed(r);
    if (e->flags & SEG_HAS_SEV)
        e->severity = get_signed(r);
    for (int k = 0; k < SEG_N_STR; k++) {
        e->str[k] = (uint32_t)get_varint(r);
        if (e->str[k] > n_str)
            r->bad = 1;
    }
    for (int k = 0; k < 2; k++) {
        e->threat[k] = (long long)get_varint(r);
        e->org[k] = (long long)get_varint(r);
        e->unit[k] = (long long)get_varint(r);
    }
    return !r->bad;
}

static unsigned char *unpack_text(const char *text, size_t raw_len)
{
    size_t tlen = strlen(text), zlen;
    unsigned char *z = xmalloc(tlen / 4 * 3 + 3);
    if (sodium_base642bin(z, tlen / 4 * 3 + 3, text, tlen, NULL, &zlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL)) {
        free(z);
        return NULL;
    }
    unsigned char *raw = xmalloc(raw_len ? raw_len : 1);
    uLongf out_len = raw_len;
    int zrc = uncompress(raw, &out_len, z, zlen);
    free(z);
    if (zrc != Z_OK || out_len != raw_len) {
        free(raw);
        return NULL;
    }
    return raw;
}

enum err seg_decode(const char *text, size_t raw_len,
                    int (*fn)(const struct seg_event *ev, const struct seg_dict *d, void *ctx),
                    void *ctx)
{
    unsigned char *raw = unpack_text(text, raw_len);
    if (!raw || raw_len < 4 || memcmp(raw, MAGIC, 4)) {
        free(raw);
        return errf(ERR_DB, NULL, "事件段数据损坏");
    }
    struct reader r = {raw + 4, raw + raw_len, 0};
    struct seg_dict d;
    seg_dict_init(&d);
    size_t n_str = get_varint(&r);
    for (size_t i = 0; i < n_str && !r.bad; i++) {
        size_t len = get_varint(&r);
        if ((size_t)(r.end - r.p) < len) {
            r.bad = 1;
            break;
        }
        seg_dict_intern(&d, (const char *)r.p, len);
        r.p += len;
    }
    if (d.n != n_str)
        r.bad = 1; /* a repeated string: not written by seg_encode */
    size_t n = r.bad ? 0 : get_varint(&r);
    int64_t prev_ts = 0, prev_off = 0;
    struct seg_event e;
    for (size_t i = 0; i < n && !r.bad; i++)
        if (read_event(&r, &e, &prev_ts, &prev_off, d.n) && fn(&e, &d, ctx))
            break;
    seg_dict_release(&d);
    free(raw);
    return r.bad ? errf(ERR_DB, NULL, "事件段数据损坏") : ERR_OK;
}

static void set_addr(json_t *o, const char *key, const unsigned char a[16], int v4)
{
    char text[INET6_ADDRSTRLEN];
    if (v4)
        inet_ntop(AF_INET, a + 12, text, sizeof text);
    else
        inet_ntop(AF_INET6, a, text, sizeof text);
    json_object_set_new(o, key, json_string(text));
}

static void set_str(json_t *o, const struct seg_event *e, const struct seg_dict *d, int k)
{
    if (e->str[k])
        json_object_set_new(o, STR_NAMES[k],
                            json_stringn(d->s[e->str[k] - 1], d->len[e->str[k] - 1]));
}

static json_t *id_or_null(long long id)
{
    char text[24];
    if (!id)
        return json_null();
    snprintf(text, sizeof text, "%lld", id);
    return json_string(text);
}

json_t *seg_event_json(const struct seg_event *e, const struct seg_dict *d)
{
    char when[40];
    eve_time_format(e->ts_us, when);
    json_t *o = json_object();
    json_object_set_new(o, "event_type", json_string(e->flags & SEG_ANOMALY ? "anomaly" : "alert"));
    json_object_set_new(o, "timestamp", json_string(when));
    json_object_set_new(o, "time_of_receipt", json_boolean(e->flags & SEG_TIME_RECEIVED));
    if (e->flags & SEG_HAS_SRC)
        set_addr(o, "src_ip", e->src, e->flags & SEG_SRC_V4);
    if (e->sport >= 0)
        json_object_set_new(o, "src_port", json_integer(e->sport));
    if (e->flags & SEG_HAS_DST)
        set_addr(o, "dest_ip", e->dst, e->flags & SEG_DST_V4);
    if (e->dport >= 0)
        json_object_set_new(o, "dest_port", json_integer(e->dport));
    if (e->flags & SEG_HAS_FLOW)
        json_object_set_new(o, "flow_id", json_integer(e->flow_id));
    set_str(o, e, d, SEG_PROTO);
    set_str(o, e, d, SEG_APP_PROTO);
    set_str(o, e, d, SEG_IN_IFACE);
    json_t *sub = json_object();
    if (e->flags & SEG_ANOMALY) {
        for (int k = SEG_AN_TYPE; k <= SEG_AN_LAYER; k++)
            set_str(sub, e, d, k);
        json_object_set_new(o, "anomaly", sub);
    } else {
        if (e->flags & SEG_HAS_SID)
            json_object_set_new(sub, "signature_id", json_integer(e->sid));
        if (e->flags & SEG_HAS_SEV)
            json_object_set_new(sub, "severity", json_integer(e->severity));
        for (int k = SEG_SIGNATURE; k <= SEG_ACTION; k++)
            set_str(sub, e, d, k);
        json_object_set_new(o, "alert", sub);
    }
    json_t *owners = json_array(), *threats = json_array();
    static const char *const SIDE[2] = {"src", "dest"};
    for (int k = 0; k < 2; k++) {
        if (e->org[k])
            json_array_append_new(owners, json_pack("{s:s,s:o,s:o}", "side", SIDE[k], "org_id",
                                                    id_or_null(e->org[k]), "unit_id",
                                                    id_or_null(e->unit[k])));
        if (e->threat[k])
            json_array_append_new(threats, id_or_null(e->threat[k]));
    }
    json_object_set_new(o, "owners", owners);
    json_object_set_new(o, "threat_ids", threats);
    json_object_set_new(o, "line_offset", json_integer(e->line_offset));
    return o;
}
