/* R1: grading a telecom network unit (定级), seed 000 annex 2. Pure functions, no I/O.
 * k = Round1{log2[(2^I + 2^R + 2^V) / 3]}, then the level from a threshold table kept as data. */
#ifndef FANGHU_UNIT_RULES_H
#define FANGHU_UNIT_RULES_H

#include "err.h"

/* R1 [configurable]: level n (1..5) when k10 >= k10_min[n-1], the highest such n. k10_min must
 * rise strictly, with k10_min[0] <= 10 (every unit has k >= 1.0) and k10_min[4] <= 50. */
struct grade_ruleset {
    const char *version; /* stored with each grading, e.g. "seed000-annex2" */
    const char *source;  /* where the thresholds come from */
    int k10_min[5];      /* k thresholds times ten */
};

struct unit_grade_result {
    int s;     /* 2^I + 2^R + 2^V, 6..96 */
    int k10;   /* Round1(k) times ten, 10..50 (45 means k = 4.5) */
    int level; /* 1..5 (第1级 .. 第5级) */
};

/* The seed's thresholds: 1 ≤ k < 1.5 → 1; < 2.5 → 2; < 4 → 3; < 4.5 → 4; 4.5 ≤ k ≤ 5 → 5.
 * Static data. */
const struct grade_ruleset *grade_ruleset_default(void);

/* Checks a ruleset against the constraints above. Errors: ERR_VALIDATION, field "ruleset". */
enum err grade_ruleset_check(const struct grade_ruleset *rules);

/* R1 with the given ruleset: i (社会影响力), r (规模和服务范围), v (所提供服务的重要性) are
 * integers 1..5. k is computed exactly (no floating point) and rounded half up to one decimal
 * before the threshold is applied (round first, then map). Errors: ERR_VALIDATION with field
 * "i", "r" or "v" for a value outside 1..5, "ruleset" for a bad ruleset; *out untouched then. */
enum err unit_grade_with(const struct grade_ruleset *rules, int i, int r, int v,
                         struct unit_grade_result *out);

/* unit_grade_with(grade_ruleset_default(), ...). */
enum err unit_grade(int i, int r, int v, struct unit_grade_result *out);

#endif
