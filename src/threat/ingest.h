/* Threat ingest (R8 监测 → 研判): Suricata EVE lines in, threats out.
 *
 * Each line is scanned (eve.h). Alerts and anomalies are kept: their source and destination
 * addresses are matched against the declared ranges (owners.h) to find the owning organisation
 * and unit; alerts are aggregated into threats keyed by (organisation, unit, signature id,
 * indicator = the address on the other side) with counts and first/last seen, and categorised by
 * data/threat-categories.json (rules.h). Attribution: when one side is owned, the threat is that
 * owner's with the other side as indicator; when both sides are owned by different owners, each
 * gets a threat; when both are owned by the same owner, one threat with the source address as
 * indicator. Alerts and anomalies owned by nobody (or with no addresses) are kept as
 * unattributed. Other event types are counted only. Lines that are not valid JSON or not EVE
 * events are counted and put in quarantine with the reason, and never stop the ingest.
 *
 * Batches of lines are committed in one transaction each, with the read offset of a file in the
 * same transaction: after a crash, a restart resumes exactly after the last committed line
 * (no event lost, none twice). Events are stored in compressed segments (segment.h) indexed by
 * threat and organisation, plus a bounded raw sample of each threat (its first three raw lines;
 * its later events are in the segments), and purged after THREAT_RETENTION_DAYS (the
 * threat_jobs table). */
#ifndef FANGHU_THREAT_INGEST_H
#define FANGHU_THREAT_INGEST_H
#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "err.h"

struct store;
struct db;
struct request;
struct category_map;

enum {
    INGEST_BATCH_LINES = 50000, /* default lines per transaction */
    INGEST_MAX_LINE = 1 << 20,  /* a longer line is quarantined (its first bytes kept) */
    QUARANTINE_LINE_MAX = 2048, /* bytes of a quarantined line kept */
    THREAT_SAMPLES = 3,         /* raw events kept per threat: its first three */
    THREAT_RETENTION_DAYS = 180, /* 网络安全法 第二十一条(三): 网络日志留存不少于六个月 */
};

/* What an ingest did. lines = alerts + anomalies + other + quarantined. */
struct ingest_summary {
    long long lines;
    long long alerts;       /* alert events kept */
    long long anomalies;    /* anomaly events kept */
    long long other;        /* EVE events of other types, counted only */
    long long quarantined;  /* not JSON, not an EVE event, or too long */
    long long unattributed; /* kept alerts and anomalies that no declared range owns */
    long long threats;      /* distinct threats the alerts went into */
};

/* {"lines","alerts","anomalies","other","quarantined","unattributed","threats"} */
json_t *ingest_summary_json(const struct ingest_summary *s);

struct ingest_options {
    int batch_lines; /* lines per transaction; 0 = INGEST_BATCH_LINES */
    int follow;      /* tail the file as it grows; survive rotation and truncation */
    int from_start;  /* ignore the stored offset and read the file again from its start */
    /* Set asynchronously (a signal handler) to finish: the pending lines are committed and
     * ingest_path returns ERR_OK. */
    volatile sig_atomic_t *stop;
    int poll_ms; /* follow: how often to look for new data, default 200 */
};

/* Reads the file at path ("-": standard input) and ingests it. A file resumes from the offset
 * stored for its absolute path when it is the same file (device, inode and its first bytes);
 * otherwise it is read from the start. Without follow, a last line lacking its newline counts;
 * with follow, it waits for the newline (unless the file was rotated away). Errors: ERR_IO
 * (cannot open or read), ERR_CONFLICT (another process is reading the same file), ERR_DB. */
enum err ingest_path(struct store *st, const char *path, const struct ingest_options *o,
                     struct ingest_summary *out);

/* Ingests the NDJSON lines of an HTTP request body (already inflated) for the caller of r, in
 * one transaction that this function opens and commits (the route is R_OWN_TX): events are
 * attributed only to organisations within the caller's scope; the others count as
 * unattributed. */
enum err ingest_request(struct request *r, const char *body, size_t len,
                        struct ingest_summary *out);

/* Writes every stored event (segment order) as one JSON object per line to out: the dump of
 * `fanghu ingest --dump`. source, when not NULL, keeps the segments of that source only. */
enum err ingest_dump(struct db *db, const char *source, FILE *out);

/* The events of a threat, newest segments first: at most limit from offset, as a JSON array
 * (seg_event_json objects), with the total. */
enum err threat_events(struct db *db, long long threat_id, long long limit, long long offset,
                       json_t **items, long long *total);

/* The category mapping in use (data/threat-categories.json), NULL when it cannot be loaded. */
const struct category_map *threat_category_table(void);

/* Deletes segments and quarantined lines received more than days ago (the retention job). */
enum err threat_purge(struct db *db, int days, long long *segments, long long *quarantined);

#endif
