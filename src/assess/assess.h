/* 符合性评测 (seed 000 §三): assessments of a network unit against the protection standards of its
 * type, self-run or by a third party, optionally item by item against an imported check-item
 * list; report and evidence files; submission to the regulator within 30 days of the end (the
 * `assessment:ID` duty). Also the check-item lists themselves. The functions run inside the
 * caller's transaction, write their audit records and refresh the duties they affect. */
#ifndef FANGHU_ASSESS_H
#define FANGHU_ASSESS_H
#include <jansson.h>
#include <stddef.h>

#include "csv.h"
#include "date.h"
#include "err.h"

struct db;
struct audit_ctx;

/* The JSON of an assessment; full adds its files and its check-item list with progress.
 * ERR_NOT_FOUND. */
enum err assessment_json(struct db *db, long long id, int full, json_t **out);
/* The columns of an assessment row (a = assessments, u = units, o = orgs), for lists; end the
 * statement with WHERE …. assessment_row_json builds the JSON of the row at the cursor. */
#define ASSESSMENT_COLS                                                                            \
    "SELECT a.id, a.unit_id, u.name, u.unit_type, a.org_id, o.name, a.standards, "                 \
    "a.assessor_kind, a.assessor_name, a.assessor_qualification, a.started_on, a.ended_on, "       \
    "a.score, a.items_passed, a.items_failed, a.items_na, a.problems, a.checklist_id, "            \
    "a.submitted_to, a.submitted_at, a.created_by, a.created_at, a.updated_at "                    \
    "FROM assessments a JOIN units u ON u.id = a.unit_id JOIN orgs o ON o.id = a.org_id "
struct db_stmt;
json_t *assessment_row_json(struct db_stmt *s);
/* The owning organisation of an assessment; ERR_NOT_FOUND. */
enum err assessment_org(struct db *db, long long id, long long *org_id);

/* Creates an assessment of unit_id from in (fields checked by the caller's json_check; values
 * and cross-field rules validated here: assessor kind, qualification for a third party, dates,
 * the check-item list matching the unit's type and level, manual results only without a list).
 * standards defaults to the unit type's protection and testing standards. */
enum err assessment_create(struct db *db, const struct audit_ctx *ax, long long unit_id, json_t *in,
                           long long *id);
/* Partial update with the same rules; a submitted assessment is ERR_CONFLICT. Changing the
 * check-item list drops the results recorded against the previous one. */
enum err assessment_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);
/* Deletes an assessment that was not submitted (its results and file links with it). */
enum err assessment_delete(struct db *db, const struct audit_ctx *ax, long long id);

/* The items of the assessment's list with their results: {checklist, items[], counts}.
 * ERR_CONFLICT when no list is attached. */
enum err assessment_items_json(struct db *db, long long id, json_t **out);
/* Records results [{item_id, result: pass|fail|na, note}] and recomputes the counts and the
 * score. Every element is checked before anything is written (ERR_VALIDATION, field "items",
 * naming the element). */
enum err assessment_items_set(struct db *db, const struct audit_ctx *ax, long long id,
                              json_t *items);

/* Submission to the regulator (fulfils the assessment_submit duty): the assessment must have
 * ended, carry its result (every item answered when run against a list) and a report file.
 * ERR_CONFLICT when already submitted. */
enum err assessment_submit(struct db *db, const struct audit_ctx *ax, long long id,
                           const char *submitted_to);
/* Refuses changes to a submitted assessment (ERR_CONFLICT); ERR_NOT_FOUND. */
enum err assessment_check_open(struct db *db, long long id);

/* Check-item lists. */
struct checklist_meta {
    const char *name, *version, *unit_type, *source_name;
    int level;
};
/* Validates the metadata (fields "name", "version", "unit_type", "level"). */
enum err checklist_meta_check(const struct checklist_meta *m);
/* Checks an imported table: the header's columns (ERR_VALIDATION, field "file", naming every
 * missing column) and every row. *bad gets an array of {line, field, message} for each bad row
 * (empty when all rows are good; the caller owns it). */
enum err checklist_rows_check(const struct tab *t, json_t **bad, size_t *n_items);
/* Inserts a checked list with its items; ERR_CONFLICT when name+version+type+level exists. */
enum err checklist_insert(struct db *db, const struct audit_ctx *ax, const struct checklist_meta *m,
                          const struct tab *t, long long *id);
/* The columns of a list row, and the JSON of the row at the cursor (for lists). */
#define CHECKLIST_COLS                                                                             \
    "SELECT id, name, version, unit_type, level, source_name, item_count, imported_by, "           \
    "created_at FROM checklists "
json_t *checklist_row_json(struct db_stmt *s);
/* A list's JSON, with its items when with_items; ERR_NOT_FOUND. */
enum err checklist_json(struct db *db, long long id, int with_items, json_t **out);

#endif
