/* R7 risk calculation: the multiplication method with exact integer rounding, the matrix method
 * over versioned tables, and the asset value from C/I/A by R1's rule. */
#include <stddef.h>

#include "err.h"
#include "rules.h"
#include "unit/rules.h"

static const char *const level_names[5] = {"很低", "低", "中", "高", "很高"};

/* Default matrix [configurable]: the three tables of the GB/T 20984-2007 appendix A matrix example
 * (A.2.2), with the likelihood and loss tables already mapped to levels (1–5 → 1, 6–11 → 2,
 * 12–16 → 3, 17–21 → 4, 22–25 → 5 for likelihood; 1–5, 6–10, 11–15, 16–20, 21–25 for loss).
 * Illustrative only: replace with the tables the organisation's assessment method approves. */
/* clang-format off */
static const struct risk_matrix default_matrix = {
    .version = "default-gbt20984-annexA",
    .likelihood = {
        /* Va:  1  2  3  4  5 */
        {1, 1, 2, 2, 3}, /* T = 1 */
        {1, 2, 2, 3, 4}, /* T = 2 */
        {1, 2, 3, 3, 4}, /* T = 3 */
        {2, 2, 3, 4, 5}, /* T = 4 */
        {2, 3, 4, 4, 5}, /* T = 5 */
    },
    .loss = {
        /* Va:  1  2  3  4  5 */
        {1, 1, 2, 2, 3}, /* Ia = 1 */
        {1, 1, 2, 3, 4}, /* Ia = 2 */
        {1, 2, 3, 3, 4}, /* Ia = 3 */
        {1, 2, 3, 4, 5}, /* Ia = 4 */
        {2, 2, 4, 5, 5}, /* Ia = 5 */
    },
    .risk = {
        /* F:   1   2   3   4   5 */
        {3, 6, 9, 12, 16},   /* L = 1 */
        {5, 8, 11, 15, 18},  /* L = 2 */
        {6, 9, 13, 17, 21},  /* L = 3 */
        {7, 11, 16, 20, 23}, /* L = 4 */
        {9, 14, 20, 23, 25}, /* L = 5 */
    },
    .band_min = {1, 7, 13, 19, 24},
};
/* clang-format on */

const struct risk_matrix *risk_matrix_default(void)
{
    return &default_matrix;
}

int isqrt_round(int p)
{
    if (p <= 0)
        return 0;
    /* isqrt by Newton's method on integers, from an estimate above the root. */
    long n = p, next = (n + 1) / 2;
    while (next < n) {
        n = next;
        next = (n + p / n) / 2;
    }
    /* R7 [x]: round half up. (n + 1/2)² = n² + n + 1/4 is never an integer, so √p > n + 1/2
     * exactly when p − n² > n. */
    return (int)(p - n * n > n ? n + 1 : n);
}

const char *risk_level_name(int level)
{
    return level >= 1 && level <= 5 ? level_names[level - 1] : NULL;
}

static enum err check_inputs(int ia, int t, int va)
{
    if (ia < 1 || ia > 5)
        return errf(ERR_VALIDATION, "asset", "资产价值取值应为 1 至 5 的整数");
    if (t < 1 || t > 5)
        return errf(ERR_VALIDATION, "threat", "威胁频率取值应为 1 至 5 的整数");
    if (va < 1 || va > 5)
        return errf(ERR_VALIDATION, "vuln", "脆弱性严重程度取值应为 1 至 5 的整数");
    return ERR_OK;
}

enum err risk_calc_multiply(int ia, int t, int va, struct risk_result *out)
{
    enum err rc = check_inputs(ia, t, va);
    if (rc)
        return rc;
    /* R7: L = [√(T·Va)], F = [√(Ia·Va)], R = L·F; levels by 1–5 / 6–10 / 11–15 / 16–20 / 21–25. */
    int likelihood = isqrt_round(t * va);
    int loss = isqrt_round(ia * va);
    int value = likelihood * loss;
    int level = (value + 4) / 5;
    *out = (struct risk_result){.likelihood = likelihood,
                                .loss = loss,
                                .value = value,
                                .level = level,
                                .level_name = level_names[level - 1],
                                .method = "multiply",
                                .version = RISK_MULTIPLY_VERSION};
    return ERR_OK;
}

static int in_levels(const int table[5][5])
{
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
            if (table[r][c] < 1 || table[r][c] > 5)
                return 0;
    return 1;
}

enum err risk_matrix_check(const struct risk_matrix *m)
{
    if (!in_levels(m->likelihood) || !in_levels(m->loss))
        return errf(ERR_VALIDATION, "matrix", "可能性矩阵和损失矩阵的取值应为 1 至 5");
    for (int n = 1; n < 5; n++)
        if (m->band_min[n] <= m->band_min[n - 1])
            return errf(ERR_VALIDATION, "matrix", "风险等级的下限应逐级递增");
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
            if (m->risk[r][c] < m->band_min[0])
                return errf(ERR_VALIDATION, "matrix", "风险矩阵的取值应不低于第1级的下限");
    return ERR_OK;
}

enum err risk_calc_matrix(const struct risk_matrix *m, int ia, int t, int va,
                          struct risk_result *out)
{
    enum err rc = check_inputs(ia, t, va);
    if (!rc)
        rc = risk_matrix_check(m);
    if (rc)
        return rc;
    int likelihood = m->likelihood[t - 1][va - 1];
    int loss = m->loss[ia - 1][va - 1];
    int value = m->risk[likelihood - 1][loss - 1];
    int level = 1;
    for (int n = 2; n <= 5; n++)
        if (value >= m->band_min[n - 1])
            level = n;
    *out = (struct risk_result){.likelihood = likelihood,
                                .loss = loss,
                                .value = value,
                                .level = level,
                                .level_name = level_names[level - 1],
                                .method = "matrix",
                                .version = m->version};
    return ERR_OK;
}

int risk_asset_value(int c, int i, int a)
{
    /* R7: asset value by R1's S rule with R1's default bands. */
    struct unit_grade_result grade;
    if (c < 1 || c > 5 || i < 1 || i > 5 || a < 1 || a > 5)
        return 0;
    if (unit_grade(c, i, a, &grade))
        return 0;
    return grade.level;
}
