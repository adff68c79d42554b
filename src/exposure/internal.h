/* Internal to src/exposure/: the entry row shared by the list handler, the import and the
 * export, and the one validator and writer of an entry's cells. Not for other modules. */
#ifndef FANGHU_EXPOSURE_INTERNAL_H
#define FANGHU_EXPOSURE_INTERNAL_H
#include <jansson.h>

#include "auth/auth.h"
#include "err.h"
#include "rules.h"

struct db;
struct db_stmt;

/* The columns exposure_row_json reads, followed by the caller's FROM tail ("WHERE …"). seq is
 * the entry's rank in its organisation's inventory. */
#define EXPOSURE_ENTRY_COLS                                                                        \
    "SELECT e.id, e.org_id, o.name, e.inventory, e.owner, e.asset_name, e.asset_type, e.ip, "      \
    "e.software, e.purpose, e.reachable, e.other, e.created_at, e.updated_at, "                    \
    "(SELECT COUNT(*) FROM exposure_entries q WHERE q.org_id = e.org_id AND "                      \
    "q.inventory = e.inventory AND q.id <= e.id), x.reason, x.reported_to, x.reported_on, "        \
    "x.recorded_by, x.recorded_at FROM exposure_entries e JOIN orgs o ON o.id = e.org_id "         \
    "LEFT JOIN exposure_exceptions x ON x.entry_id = e.id "

/* The stored fields of one row of EXPOSURE_ENTRY_COLS (no duplicates, no warnings): what the
 * audit records keep. */
json_t *exposure_row_json(struct db_stmt *s);

/* Adds duplicates and warnings to an entry's JSON, as seen by c. cache (a JSON object, may be
 * NULL) keeps each organisation's office exits over a list. */
enum err exposure_entry_enrich(struct db *db, const struct caller *c, json_t *entry, json_t *cache);

/* Receives each problem found in an entry's cells. */
typedef void (*exposure_report_fn)(void *ctx, const char *field, const char *message);

/* Checks the cells of one entry of inv (cell[EC_SEQ] is ignored; NULL reads as ""): required
 * owner, asset_name and ip, lengths, no control characters but line breaks and tabs, the IP
 * cell, no software or purpose on an office exit. Parses the IP cell into addrs[0..*n) (room
 * for EXPOSURE_MAX_ADDRESSES). Returns the number of problems, each given to report. */
int exposure_check_cells(enum exposure_inventory inv, const char *const cell[EC__COUNT],
                         struct ipnet *addrs, size_t *n, exposure_report_fn report, void *ctx);

/* Inserts a checked entry of org_id and its addresses, without an audit record. */
enum err exposure_insert(struct db *db, long long org_id, enum exposure_inventory inv,
                         const char *const cell[EC__COUNT], const struct ipnet *addrs, size_t n,
                         const char *now, long long *id);

/* Does any address of the entry coincide with another entry's? */
enum err exposure_has_duplicate(struct db *db, long long id, int *dup);

/* "12" into buf. */
char *exposure_id_text(long long id, char buf[24]);

#endif
