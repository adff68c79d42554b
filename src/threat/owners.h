/* Who owns an address: the declared ranges (unit_ranges today; exposure entries will add a
 * source) loaded into the longest-prefix match, shared by every thread of the process and
 * rebuilt when the ranges change. Internal to the threat module.
 *
 * Change detection, on each ingest batch but at most once a second: COUNT and MAX(id) of the
 * ranges (an insert or a delete) and MAX(units.updated_at) (an edit of a unit's ranges, which
 * deletes and inserts and may reuse the largest ids on SQLite); and a full reload every five
 * minutes whatever the check says, as a backstop for edits made within the same second. */
#ifndef FANGHU_THREAT_OWNERS_H
#define FANGHU_THREAT_OWNERS_H
#include <jansson.h>

#include "err.h"
#include "lpm.h"

struct db;
struct owners;

/* The current snapshot, checked (and rebuilt when needed) with db outside or inside a
 * transaction. The caller releases it with owners_release; it stays usable meanwhile even if
 * a newer one replaces it. */
enum err owners_acquire(struct db *db, struct owners **out);
void owners_release(struct owners *o);
const struct lpm_entry *owners_lookup(const struct owners *o, const unsigned char addr[16]);
size_t owners_count(const struct owners *o);

/* Forgets the cached snapshot (tests that switch databases in one process). */
void owners_reset(void);

/* The declared ranges of different organisations that overlap: a JSON array of
 * {"outer": RANGE, "inner": RANGE}, RANGE = {"range_id","cidr","org_id","unit_id"}, at most
 * max pairs; *total gets how many there are. */
enum err owners_overlaps(struct db *db, size_t max, json_t **out, size_t *total);

#endif
