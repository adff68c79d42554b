/* R1 grading (src/unit/rules.c): the seed's worked cases, all 125 I/R/V combinations against the
 * S-band rule and against floating point, input errors, and rulesets as data. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "unit/rules.h"

/* R1 worked cases: (I, R, V) → k → level. */
static void test_worked_cases(void **state)
{
    (void)state;
    static const struct {
        int i, r, v, k10, level;
    } cases[] = {
        {1, 1, 1, 10, 1}, {1, 1, 2, 14, 1}, {1, 2, 2, 17, 2}, {2, 2, 2, 20, 2},
        {1, 3, 3, 26, 3}, {5, 1, 1, 36, 3}, {4, 4, 3, 37, 3}, {3, 3, 5, 40, 4},
        {4, 4, 4, 40, 4}, {4, 4, 5, 44, 4}, {1, 5, 5, 45, 5}, /* k = 4.459: without Round1 it would
                                                                 be 第4级 */
        {5, 5, 4, 47, 5}, {5, 5, 5, 50, 5},
    };
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
        struct unit_grade_result res;
        assert_int_equal(unit_grade(cases[n].i, cases[n].r, cases[n].v, &res), ERR_OK);
        if (res.k10 != cases[n].k10 || res.level != cases[n].level)
            print_message("(%d,%d,%d): k10 %d level %d\n", cases[n].i, cases[n].r, cases[n].v,
                          res.k10, res.level);
        assert_int_equal(res.s, (1 << cases[n].i) + (1 << cases[n].r) + (1 << cases[n].v));
        assert_int_equal(res.k10, cases[n].k10);
        assert_int_equal(res.level, cases[n].level);
    }
}

/* R1: S ≤ 8 → 1; 10..16 → 2; 18..46 → 3; 48..64 → 4; S ≥ 66 → 5. */
static int band_level(int s)
{
    return s <= 8 ? 1 : s <= 16 ? 2 : s <= 46 ? 3 : s <= 64 ? 4 : 5;
}

static void test_all_combinations(void **state)
{
    (void)state;
    int seen = 0;
    for (int i = 1; i <= 5; i++)
        for (int r = 1; r <= 5; r++)
            for (int v = 1; v <= 5; v++) {
                struct unit_grade_result res;
                int s = (1 << i) + (1 << r) + (1 << v);
                assert_int_equal(unit_grade(i, r, v, &res), ERR_OK);
                assert_int_equal(res.s, s);
                if (res.level != band_level(s))
                    fail_msg("(%d,%d,%d) S=%d: level %d, S band says %d", i, r, v, s, res.level,
                             band_level(s));
                /* Round1 in floating point agrees: no k lies near a .x5 boundary. */
                double k = log2(s / 3.0);
                assert_int_equal(res.k10, (int)floor(10.0 * k + 0.5));
                assert_true(res.k10 >= 10 && res.k10 <= 50);
                /* The grade does not depend on which of I, R, V holds which value. */
                struct unit_grade_result swapped;
                assert_int_equal(unit_grade(v, i, r, &swapped), ERR_OK);
                assert_int_equal(swapped.k10, res.k10);
                seen++;
            }
    assert_int_equal(seen, 125);
}

static void test_out_of_range(void **state)
{
    (void)state;
    static const struct {
        int i, r, v;
        const char *field;
    } cases[] = {
        {0, 3, 3, "i"}, {6, 3, 3, "i"}, {-1, 3, 3, "i"}, {3, 0, 3, "r"},
        {3, 6, 3, "r"}, {3, 3, 0, "v"}, {3, 3, 99, "v"}, {0, 0, 0, "i"},
    };
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
        struct unit_grade_result res = {7, 7, 7};
        err_clear();
        assert_int_equal(unit_grade(cases[n].i, cases[n].r, cases[n].v, &res), ERR_VALIDATION);
        assert_string_equal(err_last()->field, cases[n].field);
        assert_non_null(strstr(err_last()->msg, "取值应为 1 至 5 的整数"));
        assert_int_equal(res.level, 7); /* untouched */
    }
}

static void test_default_ruleset(void **state)
{
    (void)state;
    const struct grade_ruleset *rules = grade_ruleset_default();
    static const int want[5] = {10, 15, 25, 40, 45};
    assert_memory_equal(rules->k10_min, want, sizeof want);
    assert_non_null(rules->version);
    assert_non_null(rules->source);
    assert_int_equal(grade_ruleset_check(rules), ERR_OK);
}

static void test_custom_ruleset(void **state)
{
    (void)state;
    /* A narrower 第3级 band: 2.5 ≤ k < 3.5. */
    const struct grade_ruleset narrow = {"test-1", "test", {10, 15, 25, 35, 45}};
    struct unit_grade_result res;
    assert_int_equal(unit_grade_with(&narrow, 5, 1, 1, &res), ERR_OK); /* k = 3.6 */
    assert_int_equal(res.k10, 36);
    assert_int_equal(res.level, 4);
    assert_int_equal(unit_grade_with(&narrow, 1, 3, 3, &res), ERR_OK); /* k = 2.6 */
    assert_int_equal(res.level, 3);

    static const struct grade_ruleset bad[] = {
        {"bad-1", "x", {11, 15, 25, 40, 45}}, /* k = 1.0 would have no level */
        {"bad-2", "x", {10, 15, 15, 40, 45}}, /* not rising */
        {"bad-3", "x", {10, 25, 15, 40, 45}},
        {"bad-4", "x", {10, 15, 25, 40, 51}}, /* 第5级 unreachable */
    };
    for (size_t n = 0; n < sizeof bad / sizeof bad[0]; n++) {
        assert_int_equal(unit_grade_with(&bad[n], 3, 3, 3, &res), ERR_VALIDATION);
        assert_string_equal(err_last()->field, "ruleset");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_cases),   cmocka_unit_test(test_all_combinations),
        cmocka_unit_test(test_out_of_range),   cmocka_unit_test(test_default_ruleset),
        cmocka_unit_test(test_custom_ruleset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
