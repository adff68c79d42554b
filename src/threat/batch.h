/* One ingest batch in memory, between the pipeline that fills it (ingest.c) and the SQL that
 * writes it in one transaction (write.c). Internal to the threat module. */
#ifndef FANGHU_THREAT_BATCH_H
#define FANGHU_THREAT_BATCH_H
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ingest.h"
#include "rules.h"
#include "segment.h"

struct db;

/* The key of a threat. */
struct threat_key {
    long long org_id, unit_id, sid;
    unsigned char indicator[16];
    int has_indicator, indicator_v4;
};

/* A threat touched by the batch: the aggregate of its events in the batch. */
struct threat_slot {
    struct threat_key key;
    long long count;
    int64_t first_us, last_us;
    int severity;
    const char *signature, *sensor_category; /* arena, NUL-terminated */
    int n_samples;
    const char *samples[THREAT_SAMPLES]; /* the first raw lines (arena) */
    int64_t sample_us[THREAT_SAMPLES];
    long long id; /* set by batch_write */
};

struct quarantined {
    int64_t offset;
    const char *reason; /* arena */
    const char *line;   /* arena: escaped, bounded */
    long long bytes;
};

struct batch {
    struct arena arena;
    struct threat_slot *slots;
    size_t n_slots, cap_slots;
    uint32_t *table; /* open addressing over slots: index + 1 */
    size_t table_size;
    struct seg_event *events;
    int32_t (*event_slots)[2]; /* the slots of each event, -1 when none */
    size_t n_events, cap_events;
    struct seg_dict dict;
    struct quarantined *q;
    size_t n_q, cap_q;
    struct ingest_summary counts;
    int64_t end_offset; /* the offset after the last line of the batch */
};

/* Where the batch comes from, and the checkpoint to write with it. */
struct batch_source {
    const char *name;    /* file path, "stdin", "http:USERNAME" */
    long long source_id; /* threat_sources.id, 0 when no checkpoint is kept */
    long long expected;  /* the read_offset the row must still hold */
    long long device, inode;
    int head_len;
    char head_hash[33];
    int64_t received_us;
    const struct category_map *categories;
};

/* Writes the batch inside the caller's write transaction: threats (in key order, so that
 * concurrent writers on PostgreSQL lock rows in one order), samples, the segment and its index,
 * quarantined lines, and the checkpoint (ERR_CONFLICT when another process moved it). */
enum err batch_write(struct db *db, struct batch *b, const struct batch_source *src);

/* Looks up (creating it when new) the checkpoint row of a file source. */
enum err source_get(struct db *db, const char *name, long long *id, long long *device,
                    long long *inode, int *head_len, char head_hash[33], long long *offset);
/* Resets the checkpoint of a source to the start (ingest --from-start), keeping the row. */
enum err source_rewind(struct db *db, long long id, long long *offset);

#endif
