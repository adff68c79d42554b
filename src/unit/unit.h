/* Network units (信息通信网络单元): registration, grading (R1), the filing workflow (备案 →
 * review → filed, 变更备案, 注销), MLPS (R2), CII, IP ranges and assets. The functions here run
 * inside the caller's transaction and write their own audit records; HTTP and CLI share them. */
#ifndef FANGHU_UNIT_H
#define FANGHU_UNIT_H
#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "err.h"

struct db;
struct audit_ctx;

/* The unit-type catalogue (data/unit-types.json, embedded). */
json_t *unit_types(void);                     /* borrowed */
const char *unit_type_name(const char *code); /* NULL when unknown */

/* Full JSON of a unit: fields, grading, filing, MLPS, CII, ranges (with conflicts), assets,
 * deadlines and warnings as of today. ERR_NOT_FOUND when absent. */
enum err unit_json(struct db *db, long long id, struct date today, json_t **out);
/* The owning organisation of a unit; ERR_NOT_FOUND. */
enum err unit_org(struct db *db, long long id, long long *org_id);

/* Creates a unit from in (fields checked by the caller's json_check; values validated here). */
enum err unit_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                     long long *id);
/* Partial update; a change of filed information opens a change filing (变更备案). */
enum err unit_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);

/* R1 grading with justifications; kept in the history. A level change on a filed unit opens a
 * change filing. */
enum err unit_grade_set(struct db *db, const struct audit_ctx *ax, long long id, int i, int r,
                        int v, const char *just_i, const char *just_r, const char *just_v);

/* Filing workflow. submit: draft/returned/change_pending → submitted (an immutable snapshot);
 * every missing field is named. retire: filed → a retirement filing. */
enum err unit_submit(struct db *db, const struct audit_ctx *ax, long long id, const char *comment,
                     long long *filing_id);
enum err unit_retire(struct db *db, const struct audit_ctx *ax, long long id, const char *reason,
                     long long *filing_id);
/* Review by a regulator (scope checked by the caller). ERR_CONFLICT when already reviewed. */
enum err filing_approve(struct db *db, const struct audit_ctx *ax, long long filing_id,
                        long long reviewer_org, const char *number, const char *comment);
enum err filing_return(struct db *db, const struct audit_ctx *ax, long long filing_id,
                       long long reviewer_org, json_t *reasons, const char *due,
                       const char *comment);
enum err filing_json(struct db *db, long long filing_id, int with_snapshot, json_t **out);
enum err filing_org(struct db *db, long long filing_id, long long *org_id);

/* MLPS (R2) on a unit: harms as "object:degree" strings; police filing record optional. */
enum err unit_mlps_set(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);
enum err unit_mlps_assessment_add(struct db *db, const struct audit_ctx *ax, long long id,
                                  json_t *in, long long *aid);
enum err unit_cii_set(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);
enum err unit_asset_add(struct db *db, const struct audit_ctx *ax, long long id, json_t *in,
                        long long *aid);
enum err unit_asset_delete(struct db *db, const struct audit_ctx *ax, long long id, long long aid);

#endif
