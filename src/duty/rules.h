/* Deadline rules of R3 (seed 000 §一–§四, §八; 部令第11号), pure functions over dates. Every
 * number comes from a versioned rule set (data with its source) so that next year's letter can
 * change it without code. */
#ifndef FANGHU_DUTY_RULES_H
#define FANGHU_DUTY_RULES_H

#include "date.h"
#include "err.h"

struct duty_ruleset {
    const char *version;
    int filing_days;        /* 备案 after grading review passes: 30 days (部令第11号) */
    int change_filing_days; /* 变更备案 after a change: 30 days (部令第11号) */
    int assess_years_l3;    /* 符合性评测 第3级及以上: every year (seed 000 §三) */
    int assess_years_l2;    /* 第2级: every two years (seed 000 §三) */
    int reassess_days;      /* after re-division or a level change: 90 days (seed 000 §三) */
    int submit_days;     /* results and evidence: 30 days after the end (seed 000 §三, §四) */
    int correction_days; /* default time given to correct a returned filing */
    int report_month, report_day; /* annual work report: 30 November (seed 000 §八) */
};

const struct duty_ruleset *duty_ruleset_default(void);

/* The kinds of duty, with their Chinese names and the rule that produces each. */
enum duty_kind {
    DUTY_FILING,
    DUTY_CHANGE_FILING,
    DUTY_CORRECTION,
    DUTY_ASSESSMENT,
    DUTY_REASSESSMENT,
    DUTY_ASSESSMENT_SUBMIT,
    DUTY_RISK_ASSESSMENT,
    DUTY_RISK_SUBMIT,
    DUTY_ANNUAL_REPORT,
    DUTY_CAMPAIGN,
    DUTY_MLPS_POLICE_FILING,
    DUTY_INCIDENT_REPORT,
    DUTY_INCIDENT_CAC_REPORT,
    DUTY_INCIDENT_SUMMARY,
    DUTY_DRILL_RECTIFICATION,
    DUTY_NOTICE,
    DUTY_INSPECTION,
    DUTY__COUNT
};
const char *duty_kind_code(enum duty_kind k);
const char *duty_kind_name(enum duty_kind k);
const char *duty_kind_source(enum duty_kind k);

/* 备案 due after the grading passed review (graded). */
struct date duty_filing_due(const struct duty_ruleset *rs, struct date graded);
/* 变更备案 due after a change to a filed unit. */
struct date duty_change_filing_due(const struct duty_ruleset *rs, struct date changed);
/* 符合性评测 interval in years for a level (0: none required, levels 1). */
int duty_assessment_years(const struct duty_ruleset *rs, int level);
/* The next 符合性评测 due: the interval after the last one ended, or after filing for the first
 * ("first one due that period after filing"). ERR_VALIDATION when no assessment is required. */
enum err duty_assessment_due(const struct duty_ruleset *rs, int level, const struct date *last_end,
                             struct date filed, struct date *due);
/* Status of a duty due on `due` seen on `today`: "overdue", "due_soon" (≤ 30 days) or
 * "upcoming"; "done" is decided by the caller. */
const char *duty_status(struct date due, struct date today);

#endif
