/* Civil dates (src/base/date.c): strict parsing, day numbers, weekdays, and the R3 "N 个月内"
 * month arithmetic with its month-end and leap-year cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "err.h"
#include "date.h"

static struct date D(int y, int m, int d) {
    return (struct date){y, m, d};
}

static void
assert_date(struct date got, int y, int m, int d)
{
    char text[11];
    date_format(got, text);
    if (got.y != y || got.m != m || got.d != d)
        print_message("got %s, want %04d-%02d-%02d\n", text, y, m, d);
    assert_int_equal(got.y, y);
    assert_int_equal(got.m, m);
    assert_int_equal(got.d, d);
}

static void test_parse_valid(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int y, m, d;
    } cases[] = {
        {"2025-09-26", 2025, 9, 26},  {"2024-02-29", 2024, 2, 29},  {"2000-02-29", 2000, 2, 29},
        {"0001-01-01", 1, 1, 1},      {"9999-12-31", 9999, 12, 31}, {"2026-04-30", 2026, 4, 30},
        {"2026-12-31", 2026, 12, 31},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct date d;
        assert_int_equal(date_parse(cases[i].text, &d), ERR_OK);
        assert_date(d, cases[i].y, cases[i].m, cases[i].d);
        char text[11];
        date_format(d, text);
        assert_string_equal(text, cases[i].text);
    }
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "",           "2025-9-26",   "2025-09-6",   "25-09-26",
        "2025/09/26", "2025-09-26 ", " 2025-09-26", "2025-09-26T",
        "+025-09-26", "2025-+9-26",  "2025-09- 6",  "2025-00-10",
        "2025-13-01", "2025-01-00",  "2025-01-32",  "2025-04-31",
        "2023-02-29", "1900-02-29",  "2100-02-29",  "0000-01-01",
        "abcd-ef-gh", "2025-09-26x", "20250926",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct date d = {7, 7, 7};
        if (date_parse(cases[i], &d) != ERR_VALIDATION)
            print_message("accepted \"%s\"\n", cases[i]);
        assert_int_equal(date_parse(cases[i], &d), ERR_VALIDATION);
        assert_string_equal(err_last()->field, "date");
        assert_true(err_last()->msg[0] != '\0');
        assert_date(d, 7, 7, 7); /* untouched */
    }
    struct date d;
    assert_int_equal(date_parse(NULL, &d), ERR_VALIDATION);
}

static void test_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2025, 2), 28);
    assert_int_equal(date_days_in_month(1900, 2), 28);
    assert_int_equal(date_days_in_month(2000, 2), 29);
    assert_int_equal(date_days_in_month(2025, 4), 30);
    assert_int_equal(date_days_in_month(2025, 12), 31);
    assert_int_equal(date_days_in_month(2025, 13), 0);
    assert_true(date_valid(D(2024, 2, 29)));
    assert_false(date_valid(D(2025, 2, 29)));
    assert_false(date_valid(D(0, 1, 1)));
    assert_false(date_valid(D(10000, 1, 1)));
}

static void test_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(date_to_days(D(1970, 1, 1)), 0);
    assert_int_equal(date_to_days(D(1969, 12, 31)), -1);
    assert_int_equal(date_to_days(D(2000, 1, 1)), 10957);
    assert_int_equal(date_to_days(D(2025, 9, 26)), 20357);
    assert_int_equal(date_to_days(D(1, 1, 1)), -719162);
    assert_int_equal(date_to_days(D(9999, 12, 31)), 2932896);
    assert_date(date_from_days(0), 1970, 1, 1);
    assert_date(date_from_days(-1), 1969, 12, 31);
    assert_date(date_from_days(11016), 2000, 2, 29);

    /* Every day of years 1..9999 round-trips and follows the one before. */
    struct date prev = D(1, 1, 1);
    for (long day = -719162 + 1; day <= 2932896; day++) {
        struct date d = date_from_days(day);
        assert_true(date_valid(d));
        assert_true(date_cmp(prev, d) < 0);
        if (date_to_days(d) != day)
            fail_msg("day %ld does not round-trip", day);
        struct date next;
        if (prev.d < date_days_in_month(prev.y, prev.m))
            next = D(prev.y, prev.m, prev.d + 1);
        else if (prev.m < 12)
            next = D(prev.y, prev.m + 1, 1);
        else
            next = D(prev.y + 1, 1, 1);
        assert_int_equal(date_cmp(next, d), 0);
        prev = d;
    }
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(date_weekday(D(1970, 1, 1)), 4); /* Thursday */
    assert_int_equal(date_weekday(D(1969, 12, 28)), 0);
    assert_int_equal(date_weekday(D(2000, 1, 1)), 6);
    assert_int_equal(date_weekday(D(2025, 9, 26)), 5);
    assert_int_equal(date_weekday(D(2025, 9, 28)), 0); /* R6: the Sunday that is a workday */
    assert_int_equal(date_weekday(D(2025, 10, 11)), 6);
    assert_int_equal(date_weekday(D(2026, 1, 1)), 4);
    assert_int_equal(date_weekday(D(1, 1, 1)), 1);
}

static void test_add_days(void **state)
{
    (void)state;
    assert_date(date_add_days(D(2025, 9, 26), 30), 2025, 10, 26);
    assert_date(date_add_days(D(2024, 2, 28), 1), 2024, 2, 29);
    assert_date(date_add_days(D(2025, 2, 28), 1), 2025, 3, 1);
    assert_date(date_add_days(D(2025, 12, 31), 1), 2026, 1, 1);
    assert_date(date_add_days(D(2026, 1, 1), -1), 2025, 12, 31);
    assert_date(date_add_days(D(2025, 1, 1), 365), 2026, 1, 1);
    assert_date(date_add_days(D(2024, 1, 1), 365), 2024, 12, 31);
    assert_date(date_add_days(D(2025, 5, 5), 0), 2025, 5, 5);
}

static void test_add_months(void **state)
{
    (void)state;
    static const struct {
        struct date from;
        int n;
        struct date want;
    } cases[] = {
        /* R3: same day N months later */
        {{2025, 9, 26}, 1, {2025, 10, 26}},
        {{2025, 11, 15}, 3, {2026, 2, 15}},
        {{2025, 6, 30}, 12, {2026, 6, 30}},
        {{2025, 3, 10}, 0, {2025, 3, 10}},
        /* month end: the month's last day when it has no such day */
        {{2025, 1, 31}, 1, {2025, 2, 28}},
        {{2024, 1, 31}, 1, {2024, 2, 29}},
        {{2025, 3, 31}, 1, {2025, 4, 30}},
        {{2025, 8, 31}, 1, {2025, 9, 30}},
        {{2025, 10, 31}, 1, {2025, 11, 30}},
        {{2025, 5, 31}, 6, {2025, 11, 30}},
        {{2025, 1, 30}, 1, {2025, 2, 28}},
        {{2025, 1, 29}, 1, {2025, 2, 28}},
        {{2024, 1, 29}, 1, {2024, 2, 29}},
        {{2025, 2, 28}, 1, {2025, 3, 28}}, /* not moved to the month's end */
        {{2025, 4, 30}, 1, {2025, 5, 30}},
        {{2025, 12, 31}, 2, {2026, 2, 28}},
        {{2027, 12, 31}, 2, {2028, 2, 29}},
        /* leap day */
        {{2024, 2, 29}, 12, {2025, 2, 28}},
        {{2024, 2, 29}, 48, {2028, 2, 29}},
        {{2024, 2, 29}, 1, {2024, 3, 29}},
        {{2096, 2, 29}, 48, {2100, 2, 28}}, /* 2100 is not a leap year */
        {{1996, 2, 29}, 48, {2000, 2, 29}}, /* 2000 is */
        /* year boundaries, and backwards */
        {{2025, 11, 30}, 3, {2026, 2, 28}},
        {{2025, 12, 15}, 1, {2026, 1, 15}},
        {{2026, 1, 15}, -1, {2025, 12, 15}},
        {{2025, 3, 31}, -1, {2025, 2, 28}},
        {{2024, 3, 31}, -1, {2024, 2, 29}},
        {{2026, 1, 31}, -14, {2024, 11, 30}},
        {{2025, 1, 1}, 120, {2035, 1, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_date(date_add_months(cases[i].from, cases[i].n), cases[i].want.y, cases[i].want.m,
                    cases[i].want.d);
}

static void test_cmp(void **state)
{
    (void)state;
    assert_true(date_cmp(D(2025, 1, 1), D(2025, 1, 2)) < 0);
    assert_true(date_cmp(D(2025, 2, 1), D(2025, 1, 31)) > 0);
    assert_true(date_cmp(D(2024, 12, 31), D(2025, 1, 1)) < 0);
    assert_int_equal(date_cmp(D(2025, 9, 26), D(2025, 9, 26)), 0);
}

static void test_today(void **state)
{
    (void)state;
    struct date today = date_today_shanghai();
    assert_true(date_valid(today));
    assert_true(today.y >= 2025);
    /* UTC+8: today in Shanghai is the UTC day of now + 8 h. */
    long utc_days = (long)((time(NULL) + 8 * 3600) / 86400);
    long got = date_to_days(today);
    assert_true(got == utc_days || got == utc_days + 1); /* the clock may tick over midnight */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),   cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_days_in_month), cmocka_unit_test(test_day_numbers),
        cmocka_unit_test(test_weekday),       cmocka_unit_test(test_add_days),
        cmocka_unit_test(test_add_months),    cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
