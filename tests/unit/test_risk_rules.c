/* R7 risk calculation (src/risk/rules.c): exact rounding of square roots, the multiplication
 * method with its worked case, the default matrix, input errors, and asset values by R1's rule. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "risk/rules.h"

static void test_isqrt_round(void **state)
{
    (void)state;
    static const int cases[][2] = {
        {0, 0},  {1, 1},  {2, 1},  {3, 2},  {4, 2},  {6, 2},  {7, 3},  {12, 3},   {13, 4},
        {15, 4}, {16, 4}, {20, 4}, {21, 5}, {25, 5}, {30, 5}, {31, 6}, {625, 25},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(isqrt_round(cases[i][0]), cases[i][1]);
    /* The integer rule agrees with floor(√p + 1/2) far beyond the 1..25 that R7 needs. */
    for (int p = 0; p <= 1000000; p++)
        if (isqrt_round(p) != (int)floor(sqrt((double)p) + 0.5))
            fail_msg("isqrt_round(%d) = %d", p, isqrt_round(p));
}

/* R7 worked case: Ia = 4, T = 3, Va = 5 → L = [√15] = 4, F = [√20] = 4, R = 16 → 高. */
static void test_worked_case(void **state)
{
    (void)state;
    struct risk_result res;
    assert_int_equal(risk_calc_multiply(4, 3, 5, &res), ERR_OK);
    assert_int_equal(res.likelihood, 4);
    assert_int_equal(res.loss, 4);
    assert_int_equal(res.value, 16);
    assert_int_equal(res.level, 4);
    assert_string_equal(res.level_name, "高");
    assert_string_equal(res.method, "multiply");
    assert_string_equal(res.version, RISK_MULTIPLY_VERSION);
}

/* R7 bands: 1–5 / 6–10 / 11–15 / 16–20 / 21–25 → 很低 / 低 / 中 / 高 / 很高. */
static void test_multiply_all(void **state)
{
    (void)state;
    static const char *const names[5] = {"很低", "低", "中", "高", "很高"};
    for (int ia = 1; ia <= 5; ia++)
        for (int t = 1; t <= 5; t++)
            for (int va = 1; va <= 5; va++) {
                struct risk_result res;
                assert_int_equal(risk_calc_multiply(ia, t, va, &res), ERR_OK);
                assert_int_equal(res.likelihood, (int)floor(sqrt((double)(t * va)) + 0.5));
                assert_int_equal(res.loss, (int)floor(sqrt((double)(ia * va)) + 0.5));
                assert_int_equal(res.value, res.likelihood * res.loss);
                assert_true(res.value >= 1 && res.value <= 25);
                int level = res.value <= 5    ? 1
                            : res.value <= 10 ? 2
                            : res.value <= 15 ? 3
                            : res.value <= 20 ? 4
                                              : 5;
                assert_int_equal(res.level, level);
                assert_string_equal(res.level_name, names[level - 1]);
            }
    struct risk_result res;
    assert_int_equal(risk_calc_multiply(1, 1, 1, &res), ERR_OK);
    assert_int_equal(res.value, 1);
    assert_string_equal(res.level_name, "很低");
    assert_int_equal(risk_calc_multiply(5, 5, 5, &res), ERR_OK);
    assert_int_equal(res.value, 25);
    assert_string_equal(res.level_name, "很高");
}

static void test_input_errors(void **state)
{
    (void)state;
    static const struct {
        int ia, t, va;
        const char *field;
    } cases[] = {
        {0, 3, 3, "asset"}, {6, 3, 3, "asset"}, {3, 0, 3, "threat"},   {3, 6, 3, "threat"},
        {3, 3, 0, "vuln"},  {3, 3, 6, "vuln"},  {-5, -5, -5, "asset"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct risk_result res = {.level = 9};
        assert_int_equal(risk_calc_multiply(cases[i].ia, cases[i].t, cases[i].va, &res),
                         ERR_VALIDATION);
        assert_string_equal(err_last()->field, cases[i].field);
        assert_non_null(strstr(err_last()->msg, "1 至 5"));
        assert_int_equal(
            risk_calc_matrix(risk_matrix_default(), cases[i].ia, cases[i].t, cases[i].va, &res),
            ERR_VALIDATION);
        assert_string_equal(err_last()->field, cases[i].field);
        assert_int_equal(res.level, 9); /* untouched */
    }
}

static void test_matrix_default(void **state)
{
    (void)state;
    const struct risk_matrix *m = risk_matrix_default();
    struct risk_result res;
    assert_int_equal(risk_matrix_check(m), ERR_OK);
    assert_non_null(m->version);

    assert_int_equal(risk_calc_matrix(m, 4, 3, 5, &res), ERR_OK);
    assert_int_equal(res.likelihood, 4);
    assert_int_equal(res.loss, 5);
    assert_int_equal(res.value, 23);
    assert_int_equal(res.level, 4);
    assert_string_equal(res.level_name, "高");
    assert_string_equal(res.method, "matrix");
    assert_string_equal(res.version, m->version);

    assert_int_equal(risk_calc_matrix(m, 1, 1, 1, &res), ERR_OK);
    assert_int_equal(res.value, 3);
    assert_int_equal(res.level, 1);
    assert_int_equal(risk_calc_matrix(m, 5, 5, 5, &res), ERR_OK);
    assert_int_equal(res.value, 25);
    assert_int_equal(res.level, 5);

    /* Monotone: raising any input never lowers the risk. */
    for (int ia = 1; ia <= 5; ia++)
        for (int t = 1; t <= 5; t++)
            for (int va = 1; va <= 5; va++) {
                struct risk_result up;
                assert_int_equal(risk_calc_matrix(m, ia, t, va, &res), ERR_OK);
                if (ia < 5) {
                    assert_int_equal(risk_calc_matrix(m, ia + 1, t, va, &up), ERR_OK);
                    assert_true(up.value >= res.value);
                }
                if (t < 5) {
                    assert_int_equal(risk_calc_matrix(m, ia, t + 1, va, &up), ERR_OK);
                    assert_true(up.value >= res.value);
                }
                if (va < 5) {
                    assert_int_equal(risk_calc_matrix(m, ia, t, va + 1, &up), ERR_OK);
                    assert_true(up.value >= res.value);
                }
            }
}

static void test_matrix_custom(void **state)
{
    (void)state;
    struct risk_matrix m = *risk_matrix_default();
    struct risk_result res;
    m.version = "org-2026";
    m.band_min[4] = 23; /* a stricter top band */
    assert_int_equal(risk_calc_matrix(&m, 4, 3, 5, &res), ERR_OK);
    assert_int_equal(res.level, 5);
    assert_string_equal(res.version, "org-2026");

    struct risk_matrix bad = *risk_matrix_default();
    bad.likelihood[2][2] = 6;
    assert_int_equal(risk_calc_matrix(&bad, 3, 3, 3, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "matrix");
    bad = *risk_matrix_default();
    bad.loss[0][0] = 0;
    assert_int_equal(risk_matrix_check(&bad), ERR_VALIDATION);
    bad = *risk_matrix_default();
    bad.band_min[2] = bad.band_min[1];
    assert_int_equal(risk_matrix_check(&bad), ERR_VALIDATION);
    bad = *risk_matrix_default();
    bad.band_min[0] = 4; /* the risk value 3 would have no level */
    assert_int_equal(risk_matrix_check(&bad), ERR_VALIDATION);
}

/* R7 asset value by R1's S rule: S ≤ 8 → 1; 10..16 → 2; 18..46 → 3; 48..64 → 4; ≥ 66 → 5. */
static void test_asset_value(void **state)
{
    (void)state;
    for (int c = 1; c <= 5; c++)
        for (int i = 1; i <= 5; i++)
            for (int a = 1; a <= 5; a++) {
                int s = (1 << c) + (1 << i) + (1 << a);
                int want = s <= 8 ? 1 : s <= 16 ? 2 : s <= 46 ? 3 : s <= 64 ? 4 : 5;
                assert_int_equal(risk_asset_value(c, i, a), want);
            }
    assert_int_equal(risk_asset_value(1, 5, 5), 5);
    assert_int_equal(risk_asset_value(4, 4, 5), 4);
    assert_int_equal(risk_asset_value(0, 3, 3), 0);
    assert_int_equal(risk_asset_value(3, 6, 3), 0);
    assert_int_equal(risk_asset_value(3, 3, -1), 0);
}

static void test_level_names(void **state)
{
    (void)state;
    assert_string_equal(risk_level_name(1), "很低");
    assert_string_equal(risk_level_name(3), "中");
    assert_string_equal(risk_level_name(5), "很高");
    assert_null(risk_level_name(0));
    assert_null(risk_level_name(6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isqrt_round),    cmocka_unit_test(test_worked_case),
        cmocka_unit_test(test_multiply_all),   cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_matrix_default), cmocka_unit_test(test_matrix_custom),
        cmocka_unit_test(test_asset_value),    cmocka_unit_test(test_level_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
