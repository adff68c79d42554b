/* Stored events: the alerts and anomalies of one ingest batch, packed as compact records (the
 * extracted fields, owners and threat ids; strings through a per-segment dictionary), deflated
 * and kept as one row (threat_segments), the way log stores keep events. Internal to the threat
 * module. */
#ifndef FANGHU_THREAT_SEGMENT_H
#define FANGHU_THREAT_SEGMENT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum seg_str {
    SEG_PROTO,
    SEG_APP_PROTO,
    SEG_IN_IFACE,
    SEG_SIGNATURE,
    SEG_CATEGORY,
    SEG_ACTION,
    SEG_AN_TYPE,
    SEG_AN_EVENT,
    SEG_AN_LAYER,
    SEG_N_STR
};

enum seg_flags {
    SEG_ANOMALY = 1 << 0, /* else an alert */
    SEG_HAS_SRC = 1 << 1,
    SEG_HAS_DST = 1 << 2,
    SEG_SRC_V4 = 1 << 3,
    SEG_DST_V4 = 1 << 4,
    SEG_HAS_FLOW = 1 << 5,
    SEG_HAS_SID = 1 << 6,
    SEG_HAS_SEV = 1 << 7,
    SEG_TIME_RECEIVED = 1 << 8, /* no usable timestamp: the time of receipt stands in */
};

struct seg_event {
    int64_t ts_us;
    int64_t line_offset; /* byte offset of the line in its source (file, or request body) */
    long long flow_id, sid, severity;
    long long threat[2];       /* threat ids, 0 when none */
    long long org[2], unit[2]; /* owners of the source and destination address, 0 when none */
    unsigned char src[16], dst[16];
    int sport, dport; /* -1 when absent */
    unsigned flags;
    uint32_t str[SEG_N_STR]; /* dictionary index + 1, 0 when absent */
};

/* The strings of a segment, interned. */
struct seg_dict {
    const char **s;
    uint32_t *len;
    size_t n, cap;
    uint32_t *slots; /* open addressing: index + 1 */
    size_t n_slots;
};

void seg_dict_init(struct seg_dict *d);
void seg_dict_release(struct seg_dict *d);
/* The index + 1 of s (len bytes, copied on first sight). */
uint32_t seg_dict_intern(struct seg_dict *d, const char *s, size_t len);

/* Packs and deflates events into a base64 text (the caller frees *text); *raw_len is the
 * packed size before deflate. */
void seg_encode(const struct seg_dict *d, const struct seg_event *ev, size_t n, char **text,
                size_t *raw_len);

/* Unpacks a stored segment: calls fn for each event (fn returns non-zero to stop). ERR_DB when
 * the text is not a segment this code wrote. */
enum err seg_decode(const char *text, size_t raw_len,
                    int (*fn)(const struct seg_event *ev, const struct seg_dict *d, void *ctx),
                    void *ctx);

/* The event as JSON for the API and the dump (ids as strings, times in +08:00). */
json_t *seg_event_json(const struct seg_event *ev, const struct seg_dict *d);

#endif
