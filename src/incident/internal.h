/* Shared inside src/incident only: the reporting deadlines of an incident row (used by the JSON,
 * the duty producers and the summary report) and small helpers. */
#ifndef FANGHU_INCIDENT_INTERNAL_H
#define FANGHU_INCIDENT_INTERNAL_H
#include <jansson.h>
#include <time.h>

#include "date.h"
#include "err.h"
#include "rules.h"

struct db;
struct db_stmt;
struct audit_ctx;
struct file_meta;

/* Column positions of INCIDENT_COLS (incident.h). */
enum incident_col {
    IC_ID,
    IC_ORG,
    IC_ORG_NAME,
    IC_PROVINCE,
    IC_TITLE,
    IC_CATEGORY,
    IC_GRADE,
    IC_SUGGESTED,
    IC_RULESET,
    IC_PI,
    IC_USERS,
    IC_SCOPE,
    IC_HOURS,
    IC_CII,
    IC_DETECTED,
    IC_START,
    IC_END,
    IC_ORGS_AFFECTED,
    IC_DESCRIPTION,
    IC_DISCOVERY,
    IC_IMPACT,
    IC_MEASURES,
    IC_CAUSE,
    IC_RECTIFICATION,
    IC_STATUS,
    IC_CREATED_BY,
    IC_CREATED_AT,
    IC_UPDATED_AT,
    IC_REP_MIIT,
    IC_REP_LOCAL,
    IC_REP_CAC,
    IC_REP_SUMMARY,
};

/* One reporting deadline of an incident. */
struct incident_deadline {
    int required;                      /* 0: this report is not required */
    enum incident_recipient recipient; /* who gets it */
    char recipient_name[160];          /* with the province where known */
    int minutes;                       /* time-based allowance; 0 for the summary */
    time_t due_at;                     /* time-based deadlines */
    int has_due;                       /* the summary: 0 while waiting or on a calendar error */
    struct date due;                   /* the civil date (Asia/Shanghai) of the deadline */
    time_t done_at;                    /* the first report that fulfils it; 0 none */
    struct date done_on;
    char error[512]; /* the summary: why no date could be computed ("" none) */
};

struct incident_deadlines {
    struct incident_deadline report, cac, summary;
};

/* The deadlines of the incident row at the cursor of s (INCIDENT_COLS). */
void incident_deadlines_of_row(struct db_stmt *s, struct incident_deadlines *out);

/* Civil date in Asia/Shanghai of t. */
struct date incident_day_of(time_t t);
/* Parses a stored time (NULL or unparsable → 0). */
time_t incident_time(const char *iso);
/* "2026年2月12日9时30分" for a stored time; "" for NULL. */
void incident_time_chinese(const char *iso, char *out, size_t n);

/* Makes the organisation org_id hold the file (a files row), so that whoever sees the record
 * the file is attached to can download it. */
enum err incident_hold_file(struct db *db, const struct audit_ctx *ax, long long org_id,
                            const struct file_meta *file);

/* Runs sql with $1 = id to completion. */
enum err incident_exec_id(struct db *db, const char *sql, long long id);

#endif
