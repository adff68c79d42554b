/* 风险评估 (seed 000 §四, annex 3; R7): risk assessments of a network unit — scope, method
 * (multiply | matrix, with the table version stored), the identification tables (业务, 资产, 威胁,
 * 脆弱性, 已有安全措施), the risks computed by R7 on the server (never taken from the client), the
 * treatment plan, the pre-launch flag (上线前评估), report file and submission (the `risk:ID`
 * duty). Also the versioned matrix tables. The functions run inside the caller's transaction,
 * write their audit records and refresh the duties they affect. */
#ifndef FANGHU_RISK_H
#define FANGHU_RISK_H
#include <jansson.h>

#include "err.h"
#include "json.h"
#include "risk/rules.h"

struct db;
struct db_stmt;
struct audit_ctx;

/* Columns of a risk assessment row (ra, u = units, o = orgs); end the statement with WHERE …. */
#define RISK_ASSESSMENT_COLS                                                                       \
    "SELECT ra.id, ra.unit_id, u.name, ra.org_id, o.name, ra.scope, ra.method, ra.table_version, " \
    "ra.pre_launch, ra.business, ra.overview, ra.criteria, ra.conclusion, ra.started_on, "         \
    "ra.ended_on, ra.submitted_to, ra.submitted_at, ra.created_by, ra.created_at, ra.updated_at "  \
    "FROM risk_assessments ra JOIN units u ON u.id = ra.unit_id JOIN orgs o ON o.id = ra.org_id "
json_t *risk_assessment_row_json(struct db_stmt *s);

/* The JSON of a risk assessment; full adds the identification tables, the risks with their
 * treatment, a summary by level and the files. ERR_NOT_FOUND. */
enum err risk_assessment_json(struct db *db, long long id, int full, json_t **out);
enum err risk_assessment_org(struct db *db, long long id, long long *org_id);

/* Creates a risk assessment of unit_id from in (checked by json_check): method multiply (default)
 * or matrix (the current table's version is stored), dates, pre_launch only for a unit that is
 * not yet online. */
enum err risk_assessment_create(struct db *db, const struct audit_ctx *ax, long long unit_id,
                                json_t *in, long long *id);
/* Partial update; a change of method takes the current table and recomputes every risk. A
 * submitted assessment is ERR_CONFLICT. */
enum err risk_assessment_update(struct db *db, const struct audit_ctx *ax, long long id,
                                json_t *in);
/* Deletes a risk assessment that was not submitted, with everything it holds. */
enum err risk_assessment_delete(struct db *db, const struct audit_ctx *ax, long long id);
/* ERR_CONFLICT when submitted; ERR_NOT_FOUND. */
enum err risk_assessment_check_open(struct db *db, long long id);
/* Submission (fulfils the risk_submit duty): ended, a report file, and a treatment plan for every
 * risk of level 中 or above (331号 §四: 隐患处理情况或者处理计划). ERR_CONFLICT when submitted. */
enum err risk_assessment_submit(struct db *db, const struct audit_ctx *ax, long long id,
                                const char *submitted_to);

/* The identification tables: "business", "assets", "threats", "vulns", "controls". */
struct risk_child_kind;
const struct risk_child_kind *risk_child_kind_find(const char *path); /* NULL when unknown */
/* The body specification of an addition (patch 0) or of a partial update (patch 1) into buf
 * (at least 16 entries); returns buf. */
const struct jfield *risk_child_fields(const struct risk_child_kind *k, int patch,
                                       struct jfield *buf);
/* Adds, updates (partial; merged with the stored row, then checked as a whole) or deletes a row
 * of the assessment ra. References (asset_id, threat_id, business_id, vuln_id) must be rows of
 * the same assessment (ERR_VALIDATION naming the field); a row others refer to cannot be deleted
 * (ERR_CONFLICT). Changes that feed R7 recompute the assessment's risks. */
enum err risk_child_add(struct db *db, const struct audit_ctx *ax, const struct risk_child_kind *k,
                        long long ra, json_t *in, long long *id);
enum err risk_child_update(struct db *db, const struct audit_ctx *ax,
                           const struct risk_child_kind *k, long long ra, long long id, json_t *in);
enum err risk_child_delete(struct db *db, const struct audit_ctx *ax,
                           const struct risk_child_kind *k, long long ra, long long id);
enum err risk_child_json(struct db *db, const struct risk_child_kind *k, long long ra, long long id,
                         json_t **out);
enum err risk_child_list_json(struct db *db, const struct risk_child_kind *k, long long ra,
                              json_t **out);

/* The risks of an assessment with their treatment, highest first. */
enum err risk_list_json(struct db *db, long long ra, json_t **out);
/* Sets the treatment of risk risk_id of ra: {action: accept|mitigate|transfer|avoid, owner,
 * due_date (required unless accept), status: open|in_progress|done, note}. Allowed after
 * submission (it tracks the plan's execution). ERR_NOT_FOUND for a risk of another assessment. */
enum err risk_treatment_set(struct db *db, const struct audit_ctx *ax, long long ra,
                            long long risk_id, json_t *in);

/* R7 matrix tables [configurable]. */
/* Reads {version, likelihood[5][5], loss[5][5], risk[5][5], band_min[5]} (other keys ignored)
 * into m, its version copied into version[65] (m->version points there), and checks it with
 * risk_matrix_check. Errors: ERR_VALIDATION naming the field. Pure. */
enum err risk_matrix_from_json(json_t *in, struct risk_matrix *m, char version[65]);
json_t *risk_matrix_to_json(const struct risk_matrix *m);
/* The table new assessments use: the newest stored version, else risk_matrix_default(). */
enum err risk_matrix_current(struct db *db, struct risk_matrix *m, char version[65]);
/* Stores a new version (sysadmin): ERR_CONFLICT when the version exists. */
enum err risk_matrix_add(struct db *db, const struct audit_ctx *ax, json_t *in);
/* {current, items: [every version, newest first, the built-in default last]}. */
enum err risk_matrices_json(struct db *db, json_t **out);

#endif
