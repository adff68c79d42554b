/* Industrial internet enterprises (工业互联网安全分类分级, R9, seed 004): an enterprise is an
 * organisation plus one grading per type it has; self-grading by questionnaire under a versioned
 * scoring table; registration (信息登记) verified by the competent regulator within 30 working
 * days or returned for correction within 20; re-grading, 符合性评测, the key-enterprise list and
 * the annual 总结会商. These functions run inside the caller's transaction, write their own
 * audit records and refresh the duties of subject "iiot" (id = the enterprise's organisation). */
#ifndef FANGHU_IIOT_H
#define FANGHU_IIOT_H
#include <jansson.h>

#include "date.h"
#include "err.h"
#include "iiot/rules.h"

struct db;
struct db_stmt;
struct audit_ctx;

/* ---- scoring tables ---- */

/* The table in force (the latest one stored, or the shipped default when none is); *is_default
 * says which. The caller releases *out. */
enum err iiot_table_current(struct db *db, struct iiot_table *out, int *is_default);
/* A table by version (the default's version included); ERR_NOT_FOUND. */
enum err iiot_table_get(struct db *db, const char *version, struct iiot_table *out,
                        int *is_default);
/* Checks and stores a new table version (sysadmin), which is in force from then on. Errors:
 * those of iiot_table_parse; ERR_CONFLICT (field "version") for a version already used. */
enum err iiot_table_put(struct db *db, const struct audit_ctx *ax, json_t *in);
/* Every version: [{version, label, created_by, created_at, in_force, is_default}]. */
enum err iiot_tables_json(struct db *db, json_t **out);
/* The JSON a client sees of a table: its fields plus in_force / is_default. */
json_t *iiot_table_out(const struct iiot_table *t, int is_default, int in_force);

/* ---- enterprises ---- */

/* The columns iiot_enterprise_row reads (profile and organisation, no types). */
#define IIOT_ENT_COLS                                                                              \
    "SELECT e.org_id, o.name, o.kind, o.uscc, o.province, e.name, e.contacts, e.security_lead, "   \
    "e.monitoring_platform, e.created_at, e.updated_at FROM iiot_enterprises e "                   \
    "JOIN orgs o ON o.id = e.org_id WHERE "
json_t *iiot_enterprise_row(struct db_stmt *s);

/* ERR_NOT_FOUND when org_id has no enterprise profile. */
enum err iiot_enterprise_check(struct db *db, long long org_id);
/* Full JSON: organisation, profile, per-type grading, registration and assessment state with
 * their deadlines as of today, key-list entry, warnings. ERR_NOT_FOUND. */
enum err iiot_enterprise_json(struct db *db, long long org_id, struct date today, json_t **out);
/* Creates or replaces the profile of org_id (an organisation of an iiot kind): name, types
 * (must include the type of the organisation's kind), contacts, security_lead,
 * monitoring_platform. A type that has gradings cannot be dropped (ERR_CONFLICT). */
enum err iiot_enterprise_put(struct db *db, const struct audit_ctx *ax, long long org_id,
                             json_t *in, int *created);
/* Self-grading of one type from {type, answers, graded_on?, note?} under the table in force.
 * Refused (ERR_CONFLICT) while that type's registration awaits verification. */
enum err iiot_grading_add(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in);
/* The grading history, newest first, answers and table version included (type may be NULL). */
enum err iiot_gradings_json(struct db *db, long long org_id, const char *type, json_t **out);
/* A grading factor changed: {types?, changed_on, description}; re-grading due in 3 months. */
enum err iiot_factor_change(struct db *db, const struct audit_ctx *ax, long long org_id,
                            json_t *in);
/* A 符合性评测: {type, assessed_on, agency, result, note?}. */
enum err iiot_assessment_add(struct db *db, const struct audit_ctx *ax, long long org_id,
                             json_t *in, long long *id);
enum err iiot_assessments_json(struct db *db, long long org_id, json_t **out);

/* ---- registration (信息登记) ---- */

/* The columns iiot_registration_row reads; lists append their scoped WHERE clause. */
#define IIOT_REG_COLS                                                                              \
    "SELECT r.id, r.org_id, o.name, o.province, r.etype, r.level, r.competent_kind, r.status, "    \
    "r.submitted_on, r.submitted_at, r.submitted_by, r.verify_due, r.reviewer, r.reviewed_on, "    \
    "r.reviewed_at, r.reasons, r.correction_due, r.comment, r.snapshot "                           \
    "FROM iiot_registrations r JOIN orgs o ON o.id = r.org_id WHERE "

/* Submits the registration of the given types (default: every graded type not awaiting
 * verification) from {types?, submitted_on?, comment?}: one item per type, each to the
 * competent regulator, due for verification 30 working days after submitted_on. Every missing
 * field of the profile is named. *ids (json array of id strings) is the caller's. */
enum err iiot_register(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                       json_t **ids);
/* One item, with its working-day clock as of today (and the snapshot when asked). */
enum err iiot_registration_json(struct db *db, long long id, int with_snapshot, struct date today,
                                json_t **out);
/* JSON of a row of IIOT_REG_COLS (iiot.c), shared with the inbox list. */
json_t *iiot_registration_row(struct db_stmt *s, int with_snapshot, struct date today);
enum err iiot_registration_org(struct db *db, long long id, long long *org_id);
/* The regulator's decisions. reviewer_kind is the reviewer organisation's kind: a regulator not
 * competent for the item's type is refused (ERR_FORBIDDEN). ERR_CONFLICT once decided. Return
 * gives 20 working days from today to correct; reasons are [{field, reason}]. */
enum err iiot_verify(struct db *db, const struct audit_ctx *ax, long long id,
                     long long reviewer_org, const char *reviewer_kind, const char *comment);
enum err iiot_return(struct db *db, const struct audit_ctx *ax, long long id,
                     long long reviewer_org, const char *reviewer_kind, json_t *reasons,
                     const char *comment);

/* ---- the regulator's records ---- */

/* 第九条: adds org_id to the key-enterprise list with the reason (ERR_CONFLICT when listed). */
enum err iiot_key_add(struct db *db, const struct audit_ctx *ax, long long regulator_org,
                      long long org_id, const char *reason, long long *id);
/* Takes an entry off the list, with the reason; ERR_NOT_FOUND, ERR_CONFLICT when already off. */
enum err iiot_key_remove(struct db *db, const struct audit_ctx *ax, long long id,
                         const char *reason);
enum err iiot_key_org(struct db *db, long long id, long long *org_id);
/* 第十五条: a 总结会商 held on a date, with its minutes: {held_on, title, participants, minutes}.
 */
enum err iiot_meeting_add(struct db *db, const struct audit_ctx *ax, long long regulator_org,
                          json_t *in, long long *id);
enum err iiot_meeting_json(struct db *db, long long id, json_t **out);
/* The columns iiot_meeting_row reads. */
#define IIOT_MEETING_COLS                                                                          \
    "SELECT m.id, m.regulator_org_id, o.name, m.held_on, m.title, m.participants, m.minutes, "     \
    "m.created_by, m.created_at FROM iiot_meetings m JOIN orgs o ON o.id = m.regulator_org_id "    \
    "WHERE "
json_t *iiot_meeting_row(struct db_stmt *s);
enum err iiot_meeting_org(struct db *db, long long id, long long *org_id);

/* ---- duties ---- */

struct duty_sink;
/* The duties of subject "iiot" (id: an enterprise's organisation, 0: every enterprise):
 * verification (30 working days), correction (20), re-grading (3 months), 符合性评测. */
enum err iiot_produce(struct db *db, long long id, struct date today, struct duty_sink *sink);

#endif
