/* R1 grading (seed 000 annex 2). Round1 of k = log2(S/3) is found exactly: 10k + 1/2 >= x
 * exactly when S^20 >= 3^20 * 2^(2x-1), compared in a small fixed-width integer. k never lies
 * on a rounding boundary (2^((2x-1)/20) is irrational), but exactness keeps that out of doubt. */
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "rules.h"

static const struct grade_ruleset default_ruleset = {
    .version = "seed000-annex2",
    .source = "seed 000 附件2：1≤k<1.5 第1级；1.5≤k<2.5 第2级；2.5≤k<4 第3级；4≤k<4.5 第4级；"
              "4.5≤k≤5 第5级",
    .k10_min = {10, 15, 25, 40, 45},
};

const struct grade_ruleset *grade_ruleset_default(void)
{
    return &default_ruleset;
}

/* An unsigned integer of 8 × 32 bits, enough for 96^20 < 2^132 and 3^20 · 2^101 < 2^134. */
#define BIG_LIMBS 8
struct big {
    uint32_t limb[BIG_LIMBS]; /* least significant first */
};

static void big_set(struct big *b, uint32_t value)
{
    memset(b, 0, sizeof *b);
    b->limb[0] = value;
}

static void big_mul(struct big *b, uint32_t factor)
{
    uint64_t carry = 0;
    for (int i = 0; i < BIG_LIMBS; i++) {
        uint64_t t = (uint64_t)b->limb[i] * factor + carry;
        b->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
}

static void big_pow(struct big *b, uint32_t base, int exponent)
{
    big_set(b, 1);
    while (exponent-- > 0)
        big_mul(b, base);
}

static void big_shl(struct big *b, int bits)
{
    while (bits-- > 0)
        big_mul(b, 2);
}

static int big_cmp(const struct big *a, const struct big *b)
{
    for (int i = BIG_LIMBS - 1; i >= 0; i--)
        if (a->limb[i] != b->limb[i])
            return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

/* 1 when Round1(log2(s/3)) >= x/10, i.e. s^20 >= 3^20 · 2^(2x-1) (x >= 1). */
static int k10_at_least(int s, int x)
{
    struct big lhs, rhs;
    big_pow(&lhs, (uint32_t)s, 20);
    big_pow(&rhs, 3, 20);
    big_shl(&rhs, 2 * x - 1);
    return big_cmp(&lhs, &rhs) >= 0;
}

static _Atomic int k10_memo[97]; /* 0: not computed yet */

static int k10_of(int s)
{
    int k10 = k10_memo[s];
    if (k10)
        return k10;
    k10 = 10;
    while (k10 < 50 && k10_at_least(s, k10 + 1))
        k10++;
    k10_memo[s] = k10; /* idempotent: racing threads store the same value */
    return k10;
}

enum err grade_ruleset_check(const struct grade_ruleset *rules)
{
    const int *min = rules->k10_min;
    if (min[0] > 10 || min[4] > 50)
        return errf(ERR_VALIDATION, "ruleset", "定级阈值应使 k=1.0 落入第1级、第5级可达");
    for (int n = 1; n < 5; n++)
        if (min[n] <= min[n - 1])
            return errf(ERR_VALIDATION, "ruleset", "定级阈值应逐级递增");
    return ERR_OK;
}

static enum err check_input(const char *field, const char *label, int value)
{
    if (value < 1 || value > 5)
        return errf(ERR_VALIDATION, field, "%s取值应为 1 至 5 的整数", label);
    return ERR_OK;
}

enum err unit_grade_with(const struct grade_ruleset *rules, int i, int r, int v,
                         struct unit_grade_result *out)
{
    enum err rc;
    if ((rc = check_input("i", "社会影响力（I）", i)) ||
        (rc = check_input("r", "规模和服务范围（R）", r)) ||
        (rc = check_input("v", "所提供服务的重要性（V）", v)) || (rc = grade_ruleset_check(rules)))
        return rc;

    /* R1: α = β = γ = 1/3, so k = log2(S/3) with S = 2^I + 2^R + 2^V in 6..96: 1 <= k <= 5.
     * k depends on S alone: the exact search runs once per S and is remembered (bulk imports
     * grade hundreds of thousands of units). */
    int s = (1 << i) + (1 << r) + (1 << v);
    int k10 = k10_of(s);

    /* R1, seed 000 annex 2: round first, then map. */
    int level = 1;
    for (int n = 2; n <= 5; n++)
        if (k10 >= rules->k10_min[n - 1])
            level = n;

    out->s = s;
    out->k10 = k10;
    out->level = level;
    return ERR_OK;
}

enum err unit_grade(int i, int r, int v, struct unit_grade_result *out)
{
    return unit_grade_with(grade_ruleset_default(), i, r, v, out);
}
