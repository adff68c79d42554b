/* R10: inspections (网络安全检查), seed 003. Pure functions, no I/O: the 双随机 draw (random
 * targets, random inspection teams) reproducible from a recorded seed, the checklist read from a
 * table (area, point, method, evidence, score, max score), and the quantified score. */
#ifndef FANGHU_INSPECT_RULES_H
#define FANGHU_INSPECT_RULES_H
#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "csv.h"
#include "err.h"

/* The draw, version 1 ("fy-chacha20-v1"):
 *  - the stream is randombytes_buf_deterministic(seed) (ChaCha20, libsodium) read as little-
 *    endian 32-bit words, in order;
 *  - uniform(b) for b ≥ 2 takes words x until x < 2^32 − (2^32 mod b) and returns x mod b
 *    (rejection sampling: no modulo bias); uniform(1) = 0 takes no word;
 *  - targets: a forward Fisher–Yates over the pool as given, stopped after n steps: for i in
 *    0..n−1, swap(pool[i], pool[i + uniform(P − i)]); the drawn targets are pool[0..n−1] in that
 *    order;
 *  - then, for each drawn target in order, its team: the inspectors (in the order given) whose
 *    group differs from the target's (an inspector never inspects the group he belongs to; an
 *    empty group conflicts with nothing), shuffled the same way for team_size steps.
 * The same seed, pool, inspectors, n and team_size always give the same result. */
#define INSPECT_DRAW_ALGORITHM "fy-chacha20-v1"
enum { INSPECT_SEED_BYTES = 32 };

struct draw_target {
    const char *id;    /* organisation id */
    const char *name;  /* for messages (may be NULL) */
    const char *group; /* the group it belongs to (root organisation id); NULL or "": none */
};
struct draw_inspector {
    const char *id;
    const char *group; /* the group the inspector belongs to; NULL or "": none */
};

struct draw_result {
    size_t n, team_size;
    size_t *targets; /* n indices into the pool, in draw order */
    size_t *teams;   /* n × team_size indices into the inspectors, team i at i × team_size */
};

/* 64 hexadecimal characters into 32 bytes. ERR_VALIDATION (field "seed"). */
enum err inspect_seed_parse(const char *hex, unsigned char seed[INSPECT_SEED_BYTES]);

/* The draw above. Refused, with nothing drawn (ERR_VALIDATION): n outside 1..n_pool (field "n"),
 * team_size outside 1..n_inspectors (field "team_size"), a duplicate id ("pool" or
 * "inspectors"), or a target of the pool — any of them, drawn or not, so that the refusal does
 * not depend on the seed — for which fewer than team_size inspectors are free of conflict
 * (field "inspectors", naming the target). The caller releases *out. */
enum err inspect_draw(const unsigned char seed[INSPECT_SEED_BYTES], const struct draw_target *pool,
                      size_t n_pool, const struct draw_inspector *inspectors, size_t n_inspectors,
                      size_t n, size_t team_size, struct draw_result *out);
void inspect_draw_release(struct draw_result *r);

/* The draw over the JSON snapshots a draw record keeps (and the CLI reads):
 *   pool:       [{"org_id", "name", "group_id"}]
 *   inspectors: [{"id", "name", "org_id"?, "group_id"}]
 * ids as strings, group_id a string or null. *result (the caller's) is
 *   [{"org_id", "name", "team": [{"id", "name"}]}] in draw order.
 * Errors: those of inspect_seed_parse and inspect_draw, and ERR_VALIDATION naming "pool" or
 * "inspectors" for a malformed snapshot. */
enum err inspect_draw_json(const char *seed_hex, json_t *pool, json_t *inspectors, long long n,
                           long long team_size, json_t **result);

/* Points with up to two decimals ("2", "0.5", "12.25"), 0..10000, as hundredths. ERR_VALIDATION
 * naming field. */
enum err inspect_points_parse(const char *s, const char *field, long long *centi);
/* Hundredths back as the shortest decimal ("2", "0.5", "12.25") into out[24]. */
void inspect_points_format(long long centi, char out[24]);
/* score / max as a percentage in hundredths, rounded half up (0 when max is 0). */
long long inspect_percent_centi(long long score, long long max);

/* One checklist item as read from the table. Strings live in the table's arena. */
struct checklist_item {
    const char *area;     /* 检查领域 */
    const char *point;    /* 检查要点 */
    const char *method;   /* 检查方法 */
    const char *evidence; /* 佐证材料 ("" when none) */
    const char *criteria; /* 评分标准, the "score" column ("" when none) */
    long long max_centi;  /* 分值 (max score), hundredths, > 0 */
    int line;
};

/* Reads the checklist from t (row 0 the header: area, point, method, evidence, score, max score,
 * or their Chinese names 检查领域/检查要点/检查方法/佐证材料/评分标准/分值). Blank rows are
 * skipped. All or nothing: every bad row is appended to errors as {line, field, message}; then
 * ERR_VALIDATION (field "file") and *n = 0. Items are allocated in a. */
enum err inspect_checklist_read(struct arena *a, const struct tab *t, struct checklist_item **items,
                                size_t *n, json_t *errors);

/* Self-inspection results of an item: conform, nonconform, na (不适用). NULL when unknown. */
const char *inspect_result_name(const char *code);

#endif
