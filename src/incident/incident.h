/* Incidents (网络安全事件, seed 000 §七, R5), emergency plans (应急预案) and drills (演练): data,
 * validation and workflow. The functions run inside the caller's transaction, write their audit
 * records and refresh the duties they affect (subjects "incident" and "drill"); HTTP handlers
 * and, later, the CLI and the annual report share them. Scope is the caller's business: these
 * functions take ids already known to be visible. */
#ifndef FANGHU_INCIDENT_H
#define FANGHU_INCIDENT_H
#include <jansson.h>
#include <time.h>

#include "date.h"
#include "err.h"

struct db;
struct audit_ctx;
struct doc;
struct file_meta;

/* ---- incidents ---- */

/* The full JSON of an incident as of now: fields, grade with the helper's suggestion, units,
 * reports, the reporting deadlines (immediate report with report_due_at / report_status, the
 * CAC report, the 总结报告) and warnings (e.g. a missing holiday notice). ERR_NOT_FOUND. */
enum err incident_json(struct db *db, long long id, time_t now, json_t **out);
/* The owning organisation, and whether any report was recorded (what a regulator needs before it
 * may see the incident). ERR_NOT_FOUND. */
enum err incident_org(struct db *db, long long id, long long *org_id, int *reported);

/* The list columns (i = incidents, o = orgs) and the JSON of the row at the cursor; end the
 * statement with WHERE …. */
#define INCIDENT_COLS                                                                              \
    "SELECT i.id, i.org_id, o.name, o.province, i.title, i.category, i.grade, "                    \
    "i.suggested_grade, i.grade_ruleset, i.pi_leaked, i.users_affected, i.outage_scope, "          \
    "i.outage_hours, i.cii, i.detected_at, i.response_started_at, i.response_ended_at, "           \
    "i.orgs_affected, i.description, i.discovery, i.impact, i.measures, i.cause, "                 \
    "i.rectification, i.status, i.created_by, i.created_at, i.updated_at, "                        \
    "(SELECT MIN(r.sent_at) FROM incident_reports r WHERE r.incident_id = i.id "                   \
    "AND r.kind = 'immediate' AND r.recipient = 'miit'), "                                         \
    "(SELECT MIN(r.sent_at) FROM incident_reports r WHERE r.incident_id = i.id "                   \
    "AND r.kind = 'immediate' AND r.recipient = 'local_ca'), "                                     \
    "(SELECT MIN(r.sent_at) FROM incident_reports r WHERE r.incident_id = i.id "                   \
    "AND r.kind = 'immediate' AND r.recipient = 'cac'), "                                          \
    "(SELECT MIN(r.sent_at) FROM incident_reports r WHERE r.incident_id = i.id "                   \
    "AND r.kind = 'summary' AND r.recipient IN ('miit', 'local_ca')) "                             \
    "FROM incidents i JOIN orgs o ON o.id = i.org_id "
struct db_stmt;
json_t *incident_row_json(struct db_stmt *s, time_t now);

/* Creates an incident of org_id from in (fields checked by the caller's json_check); values and
 * cross-field rules are validated here, each error naming its field: category, grade, the
 * helper's numbers, times (ISO 8601; response start not before detection, end not before start,
 * detection not in the future), unit_ids (units of org_id), status against the times. The grade
 * suggestion is computed and stored beside the chosen grade. */
enum err incident_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                         long long *id);
/* Partial update with the same rules over the merged record (null clears an optional field).
 * Status and grade changes are logged for the timeline. */
enum err incident_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);

/* Records a report sent: kind (immediate | progress | summary), recipient (miit | local_ca | cac |
 * group | other), recipient_name (defaults to the recipient's name), sent_at, method (phone |
 * email | system | document), note, and file (may be NULL: a file already visible to the caller,
 * which the incident's organisation then holds too). A summary needs the response to have ended.
 * Fulfils the matching duty. */
enum err incident_report_add(struct db *db, const struct audit_ctx *ax, long long id, json_t *in,
                             const struct file_meta *file, long long *report_id);
/* Withdraws a report recorded by mistake; ERR_NOT_FOUND. */
enum err incident_report_delete(struct db *db, const struct audit_ctx *ax, long long id,
                                long long report_id);

/* The timeline: detection, response start and end, each report, and the logged events (creation,
 * status and grade changes, reports withdrawn), ordered by time. */
enum err incident_timeline(struct db *db, long long id, json_t **out);

/* 事件总结报告 (DOCX/PDF through src/report): 事件概况, 发生时间与发现经过, 影响范围,
 * 处置过程与措施, 原因分析, 整改措施, 报告记录. *name is the file name without extension,
 * malloc'd. The caller frees *out with doc_free. */
enum err incident_summary_doc(struct db *db, long long id, struct doc **out, char **name);

/* ---- emergency plans ---- */

/* A plan with its versions (newest first) and "current": the approved version with the latest
 * approval date (null when none). ERR_NOT_FOUND. */
enum err plan_json(struct db *db, long long id, json_t **out);
enum err plan_org(struct db *db, long long id, long long *org_id);
/* title (required), scope. */
enum err plan_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                     long long *id);
enum err plan_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);
/* A version: version label (unique per plan, ERR_CONFLICT), approved_on (not in the future),
 * notes, file (may be NULL). */
enum err plan_version_add(struct db *db, const struct audit_ctx *ax, long long plan_id, json_t *in,
                          const struct file_meta *file, long long *version_id);
/* Partial update of a version (approved_on, notes, file; null clears). ERR_NOT_FOUND when the
 * version is not the plan's. set_file: 1 when in names a file (file may then be NULL: clear). */
enum err plan_version_update(struct db *db, const struct audit_ctx *ax, long long plan_id,
                             long long version_id, json_t *in, int set_file,
                             const struct file_meta *file);

/* ---- drills ---- */

/* A drill with its plan, version and rectification items. ERR_NOT_FOUND. */
enum err drill_json(struct db *db, long long id, json_t **out);
enum err drill_org(struct db *db, long long id, long long *org_id);
/* drill_date (not in the future), scenario, plan_id and plan_version_id (of org_id's plans; the
 * version defaults to the plan's current one on the drill date), participants (array of
 * strings), findings, items [{description, owner, due_date}]. */
enum err drill_create(struct db *db, const struct audit_ctx *ax, long long org_id, json_t *in,
                      long long *id);
enum err drill_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);
enum err drill_item_add(struct db *db, const struct audit_ctx *ax, long long drill_id, json_t *in,
                        long long *item_id);
/* description, owner, due_date, status (open | done), done_on (defaults to today when done). */
enum err drill_item_update(struct db *db, const struct audit_ctx *ax, long long drill_id,
                           long long item_id, json_t *in);

/* ---- for the annual report (seed 000 附件5 “五”) ---- */

/* Incidents of grade 重大 or 特别重大 of organisation org_id (itself, not its subtree) detected in
 * the three years up to today: (today − 3 years, today]. */
enum err incident_major_in_last_3_years(struct db *db, long long org_id, struct date today,
                                        int *count);

struct incident_year_counts {
    int plans;              /* plans with a version approved on or before 31 December */
    int plans_revised;      /* plans with a version approved during the year (制修订) */
    int drills;             /* drills held during the year */
    int drill_items;        /* their rectification items */
    int drill_items_open;   /* … still open */
    int incidents;          /* incidents detected during the year */
    int incidents_reported; /* … with at least one report recorded */
};
/* The counts of organisation org_id (itself) for year. */
enum err incident_year_counts(struct db *db, long long org_id, int year,
                              struct incident_year_counts *out);

#endif
