/* R9: industrial internet enterprises (工业互联网安全分类分级), seed 004. Pure functions, no I/O:
 * the three enterprise types and who supervises each, the self-grading questionnaire (a scoring
 * table kept as versioned data), and the deadlines' numbers as a versioned rule set. */
#ifndef FANGHU_IIOT_RULES_H
#define FANGHU_IIOT_RULES_H
#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "err.h"

/* seed 004 第二条: 联网工业企业, 平台企业, 标识解析企业. */
enum iiot_type { IIOT_CONNECTED, IIOT_PLATFORM, IIOT_IDENTIFIER, IIOT__TYPES };

const char *iiot_type_code(enum iiot_type t); /* "connected", "platform", "identifier" */
const char *iiot_type_name(enum iiot_type t); /* 联网工业企业 … */
/* The type of a code; -1 when unknown (code may be NULL). */
int iiot_type_parse(const char *code);
/* The type of an organisation kind (iiot_connected → IIOT_CONNECTED …); -1 for other kinds. */
int iiot_type_of_org_kind(const char *kind);

/* seed 004 第三条: 省工业和信息化厅 (org kind regulator_miit) supervises 联网工业企业; 省通信管理局
 * (regulator_ca) supervises 平台企业 and 标识解析企业. */
const char *iiot_competent_kind(enum iiot_type t); /* "regulator_miit" | "regulator_ca" */
const char *iiot_competent_name(enum iiot_type t);
/* 1 when an organisation of regulator_kind may verify registrations of type t. */
int iiot_competent(const char *regulator_kind, enum iiot_type t);

/* seed 004 第四条: 三级 (highest), 二级, 一级. Levels are 3, 2, 1; NULL/"" outside. */
const char *iiot_level_name(int level);

/* The grading factors of 第四条, in its order. */
enum { IIOT_FACTORS = 7 };
const char *iiot_factor_code(int factor); /* "scale", "business_scope", … */
const char *iiot_factor_name(int factor); /* 企业规模 … */
int iiot_factor_parse(const char *code);  /* -1 when unknown */

/* R9 deadlines [configurable]: numbers with their source, the version stored with each duty. */
struct iiot_ruleset {
    const char *version;
    const char *source;
    int verify_workdays;     /* 第六条: 主管部门 30 个工作日内核查 */
    int correction_workdays; /* 第六条: 企业 20 个工作日内补正 */
    int regrade_months;      /* 第四条: 定级要素变化后 3 个月内重新定级 */
    int assess_months[4]; /* 第七条 by level: [3] 12 (每年), [2] 24 (每两年), [1] 0 (可参照二级) */
};
const struct iiot_ruleset *iiot_ruleset_default(void);

/* 第四条: re-grading due after a grading factor changed on `changed`. */
struct date iiot_regrade_due(const struct iiot_ruleset *rs, struct date changed);
/* 第七条: the next 符合性评测 of an enterprise of `level`, one period after base (the last
 * assessment, or the day it reached this level). ERR_VALIDATION (field "level") when the level
 * has no required frequency (一级). */
enum err iiot_assessment_due(const struct iiot_ruleset *rs, int level, struct date base,
                             struct date *due);

/* The scoring table of the self-grading questionnaire [configurable]: questions over the
 * factors of 第四条, each with options worth points, and the level thresholds. */
struct iiot_option {
    char id[33];
    char *text;
    int points; /* 0..1000 */
};
struct iiot_question {
    char id[33];
    int factor;
    char *text;
    unsigned types; /* bit (1 << type) for each type the question applies to */
    struct iiot_option *options;
    size_t n_options;
};
struct iiot_table {
    char version[65];
    char *label;  /* e.g. the default's "默认评分表（示例），须以…替换" */
    char *source; /* where the table comes from */
    int level3_min, level2_min; /* score ≥ level3_min → 三级; ≥ level2_min → 二级; else 一级 */
    struct iiot_question *questions;
    size_t n_questions;
};

/* The table shipped with the program: an example, labelled as such, to be replaced by the
 * competent departments' official table. Static JSON text. */
const char *iiot_table_default_json(void);

/* Parses and checks a table given as JSON:
 *   {"version", "label", "source", "thresholds": {"level3_min", "level2_min"},
 *    "questions": [{"id", "factor", "text", "types"?: [type codes], "options":
 *                   [{"id", "text", "points"}]}]}
 * Unknown keys are refused; ids are [a-z0-9_], 1..32 characters, unique; every type must have
 * a question on every factor of 第四条; 0 < level2_min < level3_min ≤ the highest total of
 * every type. Errors: ERR_VALIDATION naming the field ("questions[2].options[0].points");
 * *out is left empty (safe to release) then. */
enum err iiot_table_parse(json_t *in, struct iiot_table *out);
void iiot_table_release(struct iiot_table *t);
/* The table back as JSON (the same shape iiot_table_parse takes). */
json_t *iiot_table_json(const struct iiot_table *t);

struct iiot_grade_result {
    int score;     /* sum of the chosen options' points */
    int max_score; /* the highest total for this type */
    int level;     /* 3, 2 or 1 */
};

/* Grades answers ({"question id": "option id"}) of an enterprise of type t. Every question that
 * applies to t must be answered with one of its options; an answer to a question that does not
 * exist or does not apply is refused. Errors (ERR_VALIDATION): field "answers" when it is not
 * an object; "answers.ID" naming the question for an unknown question or option; for unanswered
 * questions every one of them ("answers.a,answers.b") with their text in the message. */
enum err iiot_grade(const struct iiot_table *t, enum iiot_type type, json_t *answers,
                    struct iiot_grade_result *out);

/* The level of a total score under the table's thresholds. */
int iiot_level_of(const struct iiot_table *t, int score);

#endif
