/* 年度安全防护工作报告 (seed 000 §八 and annex 5; R3): a draft per organisation and year whose
 * counts come from the data (units and filing, 符合性评测, 风险评估, the exposure surface,
 * emergency plans, drills and incidents) and whose narrative sections are edited and stored
 * per section; submission along R3's routing with the exposure list (annex 4) attached; each
 * receiver's acknowledgement; who has not submitted; the due date per year [configurable]. The
 * report covers the organisation itself (its own units and records, not its subtree's: a
 * provincial company reports for itself). Functions run inside the caller's transaction and
 * write their own audit records. */
#ifndef FANGHU_REPORT_ANNUAL_H
#define FANGHU_REPORT_ANNUAL_H
#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "err.h"

struct db;
struct audit_ctx;
struct caller;
struct doc;
struct duty_item;
struct duty_sink;

/* The sections of annex 5 whose text is written by the operator, in the template's order:
 * overview (一、…总体情况), filing (一是), assessment (二是), risk (三是), exposure (四是),
 * emergency (五是), problems (二、发现问题及整改情况), plan (三、下一步保护工作方案). */
enum { ANNUAL_SECTIONS = 8, ANNUAL_SECTION_MAX = 20000 /* bytes */ };
/* The code of section i (0..ANNUAL_SECTIONS-1); -1 from annual_section_find when unknown. */
const char *annual_section_code(int i);
const char *annual_section_title(int i);
int annual_section_find(const char *code);

/* Due dates (R3 [configurable per year]). --------------------------------------------------- */

/* The due date of year's report into *due, its source into source[256]: the stored row, else
 * 30 November of the year (seed 000 §八). */
enum err annual_due_date(struct db *db, int year, struct date *due, char source[256]);
/* {default: {month, day, source}, items: [{year, due_date, source, set_by, set_at}]}. */
enum err annual_due_dates_json(struct db *db, json_t **out);
/* Sets (or replaces) year's due date: due must be a date of that year or of January after it
 * (field "due_date"), source not empty (field "source"). Refreshes the organisations' duties. */
enum err annual_due_date_set(struct db *db, const struct audit_ctx *ax, int year, const char *due,
                             const char *source);

/* The duties engine (src/duty/producers.c, org_row): sets it's due date from the table and marks
 * it done when org it->org_id has submitted its report of year, then emits it. */
enum err annual_duty_emit(struct duty_sink *sink, struct duty_item *it, int year);

/* Facts and routing. ------------------------------------------------------------------------ */

/* The counts of annex 5 for org_id and year as of today (a past year is seen as of its
 * 31 December): {org, year, as_of, units, assessments, risk, exposure, emergency}; the keys are
 * documented in docs/openapi-annual.yaml. ERR_NOT_FOUND for an unknown organisation,
 * ERR_VALIDATION (field "year") for a year after today's. */
enum err annual_facts(struct db *db, long long org_id, int year, struct date today, json_t **out);

/* R3 routing of org_id's report: [{org_id, org_name, route, route_name}], route local_ca (the
 * regulator_ca whose jurisdiction covers the province) and group (the parent) for a
 * telecom_provincial, ministry (the regulator_ministry) for every other operator. ERR_CONFLICT
 * naming what is missing (no such regulator, no parent); ERR_VALIDATION for a regulator. */
enum err annual_routing(struct db *db, long long org_id, json_t **out);

/* Reports. ---------------------------------------------------------------------------------- */

/* Creates the draft of org_id for year. ERR_CONFLICT when it exists (*id is then set to it),
 * ERR_VALIDATION for a regulator (field "org_id") or a year outside 2000..today's (field
 * "year"). */
enum err annual_report_create(struct db *db, const struct audit_ctx *ax, long long org_id, int year,
                              long long *id);
enum err annual_report_org(struct db *db, long long id, long long *org_id);
/* The report: fields, due date, sections, routing (expected for a draft), submissions with their
 * acknowledgements, the attachment, and with_facts the facts (live for a draft, as submitted
 * otherwise). ERR_NOT_FOUND. */
enum err annual_report_json(struct db *db, long long id, int with_facts, json_t **out);
/* Sets the text of a section ("" clears it). ERR_CONFLICT once submitted. */
enum err annual_report_section_set(struct db *db, const struct audit_ctx *ax, long long id,
                                   const char *section, const char *text);
/* Is org_id a receiver of report id? */
enum err annual_report_receiver(struct db *db, long long id, long long org_id, int *receiver);

/* Submission in two steps, so that the workbook is built and stored outside the write
 * transaction. prepare (read transaction): checks the draft (sections problems and plan written,
 * routing resolvable), freezes the facts and builds the exposure XLSX. commit (write
 * transaction): checks the report is still a draft, records one submission per receiver, the
 * facts and the attachment, audits and refreshes the organisation's duties. The caller stores
 * the workbook (file_store_blob) between the two and releases prep afterwards. */
struct annual_submission {
    long long org_id;
    int year;
    json_t *facts;   /* owned */
    json_t *routing; /* owned */
    char *xlsx;      /* malloc'd */
    size_t xlsx_len;
    char sm3[65];
};
enum err annual_submit_prepare(struct db *db, long long id, struct date today,
                               struct annual_submission *prep);
enum err annual_submit_commit(struct db *db, const struct audit_ctx *ax, long long id,
                              const struct annual_submission *prep);
void annual_submission_release(struct annual_submission *prep);

/* The receiver receiver_org acknowledges report id. ERR_FORBIDDEN when it is not a receiver,
 * ERR_CONFLICT when it already acknowledged. */
enum err annual_acknowledge(struct db *db, const struct audit_ctx *ax, long long id,
                            long long receiver_org, const char *comment);

/* Organisations visible to c (regulators: the jurisdiction) that have not submitted year's
 * report: [{org_id, org_name, kind, kind_name, province, province_name, parent_id, parent_name,
 * report_id, status (none | draft)}] by province and name; *due is year's due date. */
enum err annual_missing_json(struct db *db, const struct caller *c, int year, json_t **out);

/* The document (annex 5's sections in order and wording) from annual_report_json(…, 1, …).
 * *name is the file name without extension, malloc'd. The caller frees *out with doc_free. */
enum err annual_report_doc(json_t *report, struct doc **out, char **name);

#endif
