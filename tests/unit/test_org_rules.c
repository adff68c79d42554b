/* R11 identifiers (src/org/rules.c): the GB 32100-2015 check character and GB/T 2260 provinces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "org/rules.h"

static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* R11 worked cases. */
static void test_uscc_worked(void **state)
{
    (void)state;
    assert_true(uscc_valid("91350100M000100Y43"));
    assert_false(uscc_valid("91350100M000100Y44"));
}

static void test_uscc_valid_codes(void **state)
{
    (void)state;
    assert_true(uscc_valid("914403001922038216"));
    assert_true(uscc_valid("91110000802100433B"));
    assert_true(uscc_valid("91330100716105852F"));
    assert_true(uscc_valid("000000000000000000")); /* Σ mod 31 = 0: check 31 is written 0 */
}

static void test_uscc_shape(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "91350100M000100Y4",   /* 17 characters */
        "91350100M000100Y433", /* 19 */
        "91350100m000100y43",  /* lower case */
        "91350100I000100Y43",  /* I, O, S, V, Z are not in the charset */
        "91350100O000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "91350100Z000100Y43",
        "91350100M000100Y4 ",
        " 1350100M000100Y43",
        "91350100-000100Y43",
        "91350100M000100Y4\xe4",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (uscc_valid(bad[i]))
            print_message("accepted \"%s\"\n", bad[i]);
        assert_false(uscc_valid(bad[i]));
    }
    assert_false(uscc_valid(NULL));
}

/* Weights are all nonzero mod 31 (a prime): any single substitution breaks the check. */
static void test_uscc_single_substitution(void **state)
{
    (void)state;
    char code[19];
    for (int pos = 0; pos < 18; pos++) {
        for (int c = 0; c < 31; c++) {
            snprintf(code, sizeof code, "%s", "91350100M000100Y43");
            if (code[pos] == charset[c])
                continue;
            code[pos] = charset[c];
            if (uscc_valid(code))
                fail_msg("accepted %s", code);
        }
    }
}

static void test_province_name(void **state)
{
    (void)state;
    assert_string_equal(province_name("11"), "北京市");
    assert_string_equal(province_name("35"), "福建省");
    assert_string_equal(province_name("44"), "广东省");
    assert_string_equal(province_name("53"), "云南省");
    assert_string_equal(province_name("65"), "新疆维吾尔自治区");
    assert_string_equal(province_name("71"), "台湾省");
    assert_string_equal(province_name("81"), "香港特别行政区");
    assert_string_equal(province_name("82"), "澳门特别行政区");
    assert_null(province_name("10"));
    assert_null(province_name("66"));
    assert_null(province_name("00"));
    assert_null(province_name("1"));
    assert_null(province_name("110"));
    assert_null(province_name("350100"));
    assert_null(province_name(""));
    assert_null(province_name(NULL));
}

static void test_province_list(void **state)
{
    (void)state;
    size_t n = 0;
    const struct province *list = province_list(&n);
    assert_int_equal(n, 34);
    assert_string_equal(list[0].code, "11");
    assert_string_equal(list[n - 1].code, "82");
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(list[i].code), 2);
        if (i > 0)
            assert_true(strcmp(list[i - 1].code, list[i].code) < 0);
        assert_string_equal(province_name(list[i].code), list[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc_worked),   cmocka_unit_test(test_uscc_valid_codes),
        cmocka_unit_test(test_uscc_shape),    cmocka_unit_test(test_uscc_single_substitution),
        cmocka_unit_test(test_province_name), cmocka_unit_test(test_province_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
