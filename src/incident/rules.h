/* R5: network security incidents (网络安全事件), seed 000 §七 and 工信部网安〔2017〕281号. Pure
 * functions, no I/O: the grade suggested from the numbers entered, who must be told and by when,
 * and the state of a deadline. Every number lives in a versioned rule set [configurable]; the
 * version is stored with each incident. Also the code lists (grades, categories, outage scopes,
 * recipients, report kinds and methods) with their Chinese names. */
#ifndef FANGHU_INCIDENT_RULES_H
#define FANGHU_INCIDENT_RULES_H
#include <time.h>

#include "date.h"
#include "err.h"

/* Ordered: a higher value is a graver incident. */
enum incident_grade {
    INCIDENT_GRADE_NONE,       /* unknown, or below 一般 */
    INCIDENT_GENERAL,          /* 一般 (IV 级) */
    INCIDENT_LARGE,            /* 较大 (III 级) */
    INCIDENT_MAJOR,            /* 重大 (II 级) */
    INCIDENT_ESPECIALLY_MAJOR, /* 特别重大 (I 级) */
};

/* Where large numbers of users cannot get online; ordered by extent. */
enum outage_scope {
    OUTAGE_NONE,
    OUTAGE_CITY,           /* 1 个地市 */
    OUTAGE_PROVINCE,       /* 1 个省 */
    OUTAGE_MULTI_PROVINCE, /* 多个省 */
    OUTAGE_NATIONAL,       /* 全国 */
};

enum incident_recipient {
    RECIPIENT_MIIT,     /* 工业和信息化部网络安全管理局 */
    RECIPIENT_LOCAL_CA, /* 属地通信管理局 */
    RECIPIENT_CAC,      /* 省级网信部门 */
    RECIPIENT_GROUP,    /* 集团公司 */
    RECIPIENT_OTHER,
    RECIPIENT__COUNT
};

struct incident_ruleset {
    const char *version; /* stored with each incident */
    const char *source;
    /* The grading helper, indexed by grade − 1 (一般, 较大, 重大, 特别重大). */
    long long pi_leaked_min[4];            /* users whose personal information leaked */
    enum outage_scope outage_scope_min[4]; /* extent of the outage */
    long long outage_users_min; /* "大量用户" as a number; 0: the extent alone decides */
    int outage_hours_min;       /* shortest outage that counts; 0: any */
    /* Reporting (331号 §七; CAC rules in force since 2025-11-01). */
    enum incident_grade miit_min_grade; /* this grade and above → 部网络安全管理局 */
    int report_minutes;                 /* "立即" is shown overdue after this many minutes */
    enum incident_grade cac_min_grade;  /* this grade and above → also 省级网信部门 */
    int cac_minutes;                    /* CAC report within … */
    int cac_cii_minutes;                /* … or within this where CII is involved */
    struct date cac_from;               /* incidents detected on or after this day */
    int summary_workdays;               /* 总结报告 after the response ends (R6 working days) */
};

/* The defaults: 281号 thresholds (10万 / 100万 / 1000万 / 1亿 users' personal information;
 * a city / a province / several provinces / the whole country offline), reports within 1 hour
 * (重大 and above to the ministry's bureau, else the local 通信管理局), CAC within 4 hours (1 with
 * CII) for 较大 and above from 2025-11-01, the summary 10 working days after the response ends.
 * Static data. */
const struct incident_ruleset *incident_ruleset_default(void);

/* Checks a rule set: thresholds strictly rising, positive durations, grades in range. Errors:
 * ERR_VALIDATION with field "ruleset". */
enum err incident_ruleset_check(const struct incident_ruleset *rs);

/* Codes and Chinese names. _parse returns the NONE/unknown value for NULL or an unknown code;
 * _code and _name return "" for a value out of range. */
const char *incident_grade_code(enum incident_grade g); /* "especially_major" … "general" */
const char *incident_grade_name(enum incident_grade g); /* "特别重大" … "一般" */
enum incident_grade incident_grade_parse(const char *code);
const char *outage_scope_code(enum outage_scope s); /* "national" … "city", "none" */
const char *outage_scope_name(enum outage_scope s);
/* -1 when code is not one of the codes (NULL included). */
int outage_scope_parse(const char *code, enum outage_scope *out);
const char *incident_recipient_code(enum incident_recipient r); /* "miit", "local_ca", … */
const char *incident_recipient_name(enum incident_recipient r);
int incident_recipient_parse(const char *code, enum incident_recipient *out); /* -1: unknown */

/* Incident categories (GB/T 20986-2023 网络安全事件分类分级指南): name, or NULL when unknown. */
struct incident_category {
    const char *code, *name;
};
const struct incident_category *incident_categories(size_t *n);
const char *incident_category_name(const char *code);

/* Other code lists: NULL when the code is unknown. */
const char *incident_status_name(const char *code);      /* open | responding | closed */
const char *incident_report_kind_name(const char *code); /* immediate | progress | summary */
const char *incident_method_name(const char *code);      /* phone | email | system | document */

/* The numbers entered for the helper; 0 means none or not known. */
struct incident_facts {
    long long pi_leaked;      /* users whose personal information leaked */
    long long users_affected; /* users unable to get online */
    enum outage_scope outage;
    int outage_hours;
};

struct incident_suggestion {
    enum incident_grade grade;     /* the highest of the criteria; NONE when none is met */
    enum incident_grade by_pi;     /* from the personal-information criterion */
    enum incident_grade by_outage; /* from the outage criterion */
};

/* R5 helper: each criterion gives the highest grade whose threshold it reaches; the suggestion is
 * the highest of them. The outage criterion counts only when the users affected reach
 * outage_users_min and the outage lasted at least outage_hours_min (when these are set).
 * Errors: ERR_VALIDATION with field "pi_leaked", "users_affected" or "outage_hours" for a
 * negative number, "ruleset" for a bad rule set; *out untouched then. */
enum err incident_suggest_grade(const struct incident_ruleset *rs, const struct incident_facts *f,
                                struct incident_suggestion *out);

/* 331号 §七: who gets the immediate report of an incident of grade g (MIIT or LOCAL_CA). */
enum incident_recipient incident_report_recipient(const struct incident_ruleset *rs,
                                                  enum incident_grade g);
/* When the immediate report is due: detected + report_minutes. */
time_t incident_report_due(const struct incident_ruleset *rs, time_t detected);
/* The CAC report's allowance in minutes (cac_cii_minutes with CII, else cac_minutes), or 0 when
 * no CAC report is required (grade below cac_min_grade, or detected before cac_from). */
int incident_cac_minutes(const struct incident_ruleset *rs, enum incident_grade g, int cii,
                         struct date detected_day);

/* A deadline's state: "done" (done ≤ due), "done_late" (done after due), "overdue" (not done and
 * now > due), "pending" (not done, not yet due). done 0: not done. */
const char *incident_deadline_state(time_t due, time_t done, time_t now);
/* The same on civil dates: overdue from the day after due. done NULL: not done. */
const char *incident_deadline_state_date(struct date due, const struct date *done,
                                         struct date today);
/* Chinese name of a deadline state ("pending" → "待报告" …), "" when unknown. */
const char *incident_deadline_state_name(const char *state);

#endif
