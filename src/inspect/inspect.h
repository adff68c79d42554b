/* Inspections (网络安全检查, R10, seed 003): a regulator's campaign over organisations in its
 * jurisdiction (kinds and provinces), with a focus, a checklist imported as data and a due date
 * for the self-inspection reports; spot checks whose targets and teams are drawn 双随机 from a
 * recorded seed; item scores giving the quantified score; rectification notices (网络安全问题
 * 整改通知书) closed by the organisation's report of rectification and accountability.
 * These functions run inside the caller's transaction, write their own audit records and
 * refresh the duties of subject "inspection" (id = the campaign). Access checks are the
 * caller's (api.c). */
#ifndef FANGHU_INSPECT_H
#define FANGHU_INSPECT_H
#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "err.h"
#include "inspect/rules.h"

struct db;
struct db_stmt;
struct audit_ctx;
struct caller;
struct duty_sink;

/* ---- campaigns ---- */

/* Creates a campaign of the caller's organisation (a regulator) from {title, focus, scope:
 * {kinds, provinces}, self_due}; its targets are the organisations the caller sees whose kind
 * and province are in scope (none: ERR_VALIDATION, field "scope"). */
enum err inspect_campaign_create(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                                 json_t *in, long long *id);
#define INSPECT_CAMPAIGN_COLS                                                                      \
    "SELECT c.id, c.regulator_org_id, o.name, c.title, c.focus, c.scope_kinds, "                   \
    "c.scope_provinces, c.self_due, c.checklist_source, c.checklist_sm3, c.checklist_at, "         \
    "c.created_by, c.created_at, "                                                                 \
    "(SELECT COUNT(*) FROM inspect_items i WHERE i.campaign_id = c.id), "                          \
    "(SELECT COALESCE(SUM(i.max_centi), 0) FROM inspect_items i WHERE i.campaign_id = c.id), "     \
    "d.id, d.n, d.team_size, d.drawn_at "                                                          \
    "FROM inspect_campaigns c JOIN orgs o ON o.id = c.regulator_org_id "                           \
    "LEFT JOIN inspect_draws d ON d.campaign_id = c.id WHERE "
json_t *inspect_campaign_row(struct db_stmt *s);
/* The campaign; with_summary adds the counts of targets, reports, spot checks and notices. */
enum err inspect_campaign_json(struct db *db, long long id, int with_summary, json_t **out);
/* The regulator organisation that runs the campaign; ERR_NOT_FOUND. */
enum err inspect_campaign_regulator(struct db *db, long long id, long long *regulator_org);
/* Replaces the checklist (all or nothing, see inspect_checklist_read) while no finding or score
 * has been recorded (ERR_CONFLICT afterwards). sm3 identifies the file in the audit record. */
enum err inspect_checklist_store(struct db *db, const struct audit_ctx *ax, long long campaign,
                                 const struct checklist_item *items, size_t n,
                                 const char *source_name, const char *sm3);
enum err inspect_items_json(struct db *db, long long campaign, json_t **out);
/* The ids of the campaign's items, as an object whose keys are the id strings (for checks). */
enum err inspect_item_set(struct db *db, long long campaign, json_t **out);

/* ---- inspectors (检查人员名录) ---- */

/* {name, org_id?, expertise?}: org_id is the organisation he belongs to (visible to the caller,
 * checked by the caller), from which his group is found when drawing. */
enum err inspect_inspector_add(struct db *db, const struct audit_ctx *ax, long long regulator_org,
                               json_t *in, long long *id);
/* {name?, expertise?, active?} */
enum err inspect_inspector_update(struct db *db, const struct audit_ctx *ax, long long id,
                                  json_t *in);
enum err inspect_inspector_json(struct db *db, long long id, json_t **out);
enum err inspect_inspector_regulator(struct db *db, long long id, long long *regulator_org);
#define INSPECT_INSPECTOR_COLS                                                                     \
    "SELECT i.id, i.regulator_org_id, i.name, i.org_id, o.name, i.expertise, i.active, "           \
    "i.created_at FROM inspect_inspectors i LEFT JOIN orgs o ON o.id = i.org_id WHERE "
json_t *inspect_inspector_row(struct db_stmt *s);

/* ---- self-inspections (one per organisation in scope) ---- */

#define INSPECT_TARGET_COLS                                                                        \
    "SELECT t.id, t.campaign_id, c.title, t.org_id, o.name, o.province, c.self_due, t.summary, "   \
    "t.submitted_at, t.submitted_by, c.regulator_org_id, "                                         \
    "(SELECT COUNT(*) FROM inspect_findings f WHERE f.target_id = t.id), "                         \
    "(SELECT COUNT(*) FROM inspect_items it WHERE it.campaign_id = t.campaign_id) "                \
    "FROM inspect_targets t JOIN inspect_campaigns c ON c.id = t.campaign_id "                     \
    "JOIN orgs o ON o.id = t.org_id WHERE "
json_t *inspect_target_row(struct db_stmt *s, struct date today);
/* The organisation and campaign of a self-inspection; ERR_NOT_FOUND. */
enum err inspect_target_org(struct db *db, long long id, long long *org_id, long long *campaign);
/* With its findings item by item when with_findings. */
enum err inspect_target_json(struct db *db, long long id, int with_findings, struct date today,
                             json_t **out);
/* Records findings [{item_id, result (conform|nonconform|na), finding?, action?}], all or
 * nothing; ERR_CONFLICT once the report is submitted. */
enum err inspect_findings_put(struct db *db, const struct audit_ctx *ax, long long id,
                              json_t *items);
/* Submits the self-inspection report {summary}: every item must have a finding (the missing
 * ones are named). Fulfils the campaign's self-inspection duty. */
enum err inspect_target_submit(struct db *db, const struct audit_ctx *ax, long long id,
                               const char *summary);

/* ---- the draw and spot checks (抽查) ---- */

/* Draws the campaign's spot checks from {n, team_size?, seed?, inspector_ids?}: the pool is the
 * campaign's organisations, the inspectors those of the campaign's regulator (active, or the
 * ids given). A random seed is made when none is given. The seed, both pool snapshots and the
 * result are recorded and audited; one draw per campaign (ERR_CONFLICT). A refused draw writes
 * nothing. */
enum err inspect_draw_run(struct db *db, const struct audit_ctx *ax, long long campaign, json_t *in,
                          long long *draw_id);
/* The record of the campaign's draw (ERR_NOT_FOUND before it). */
enum err inspect_draw_record(struct db *db, long long campaign, json_t **out);
enum err inspect_draw_campaign(struct db *db, long long draw_id, long long *campaign);
/* Runs the recorded draw again from its seed and snapshots: {reproducible, result, recorded}. */
enum err inspect_draw_check(struct db *db, long long draw_id, json_t **out);

#define INSPECT_SPOT_COLS                                                                          \
    "SELECT s.id, s.campaign_id, c.title, s.draw_id, s.seq, s.org_id, o.name, s.team, s.status, "  \
    "s.score_centi, s.max_centi, s.summary, s.completed_at, s.completed_by, c.regulator_org_id "   \
    "FROM inspect_spot_checks s JOIN inspect_campaigns c ON c.id = s.campaign_id "                 \
    "JOIN orgs o ON o.id = s.org_id WHERE "
json_t *inspect_spot_row(struct db_stmt *s);
enum err inspect_spot_org(struct db *db, long long id, long long *org_id, long long *campaign);
enum err inspect_spot_json(struct db *db, long long id, int with_items, json_t **out);
/* Scores items: [{item_id, score?, na?, note?}], each score within 0..the item's max score;
 * all or nothing; ERR_CONFLICT once completed. */
enum err inspect_scores_put(struct db *db, const struct audit_ctx *ax, long long id, json_t *items);
/* Completes the spot check: every item scored or marked not applicable (missing ones named);
 * the quantified score is the sum of the item scores over the sum of their max scores. */
enum err inspect_spot_complete(struct db *db, const struct audit_ctx *ax, long long id,
                               const char *summary);

/* ---- rectification notices (网络安全问题整改通知书) ---- */

#define INSPECT_NOTICE_COLS                                                                        \
    "SELECT n.id, n.campaign_id, c.title, n.spot_id, n.org_id, o.name, n.regulator_org_id, "       \
    "ro.name, n.number, n.problems, n.requirements, n.due_date, n.issued_at, n.issued_by, "        \
    "n.status, n.rectification, n.accountability, n.reported_at, n.reported_by, n.closed_on "      \
    "FROM inspect_notices n JOIN inspect_campaigns c ON c.id = n.campaign_id "                     \
    "JOIN orgs o ON o.id = n.org_id JOIN orgs ro ON ro.id = n.regulator_org_id WHERE "
json_t *inspect_notice_row(struct db_stmt *s, struct date today);
/* Issues a notice to the spot check's organisation from {number?, problems: [{item_id?,
 * description}], requirements?, due_date} once the spot check is completed. */
enum err inspect_notice_issue(struct db *db, const struct audit_ctx *ax, long long spot_id,
                              json_t *in, long long *id);
enum err inspect_notice_org(struct db *db, long long id, long long *org_id, long long *regulator);
enum err inspect_notice_json(struct db *db, long long id, struct date today, json_t **out);
/* The organisation's report {rectification, accountability} closes the notice. */
enum err inspect_notice_report(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);

/* ---- duties ---- */

/* Subject "inspection" (id: a campaign, 0: all): each target's self-inspection report by the
 * due date, each notice's rectification by its deadline, and, for the issuing regulator, each
 * notice overdue and not closed (escalation). */
enum err inspect_produce(struct db *db, long long id, struct date today, struct duty_sink *sink);

#endif
