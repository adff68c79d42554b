/* R6 working days (src/base/workday.c) over the embedded State Council notices: the worked cases,
 * every holiday block of 2024–2026, a missing year, and the loader's rejection of bad files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "date.h"
#include "workday.h"

static struct date D(int y, int m, int d) {
    return (struct date){y, m, d};
}

static int
group_setup(void **state)
{
    static struct workday_cal cal;
    workday_init(&cal);
    if (workday_load_embedded(&cal) != ERR_OK) {
        print_message("workday_load_embedded: %s\n", err_last()->msg);
        return -1;
    }
    *state = &cal;
    return 0;
}

static int group_teardown(void **state)
{
    workday_release(*state);
    return 0;
}

static int is_workday(const struct workday_cal *cal, struct date d)
{
    int w = -1;
    enum err rc = workday_is_workday(cal, d, &w);
    if (rc)
        print_message("%04d-%02d-%02d: %s\n", d.y, d.m, d.d, err_last()->msg);
    assert_int_equal(rc, ERR_OK);
    return w;
}

static void assert_add(const struct workday_cal *cal, struct date start, int n, struct date want)
{
    struct date got = {0, 0, 0};
    char s[11], g[11] = "(error)", w[11];
    enum err rc = workday_add(cal, start, n, &got);
    date_format(start, s);
    date_format(want, w);
    if (!rc)
        date_format(got, g);
    if (rc || date_cmp(got, want) != 0)
        print_message("%s + %d: got %s, want %s (%s)\n", s, n, g, w, rc ? err_last()->msg : "");
    assert_int_equal(rc, ERR_OK);
    assert_int_equal(date_cmp(got, want), 0);
}

static void test_years_loaded(void **state)
{
    const struct workday_cal *cal = *state;
    for (int y = 2007; y <= 2026; y++)
        assert_true(workday_has_year(cal, y));
    assert_false(workday_has_year(cal, 2006));
    assert_false(workday_has_year(cal, 2027));
}

/* R6 worked cases. */
static void test_worked_cases(void **state)
{
    const struct workday_cal *cal = *state;
    assert_add(cal, D(2025, 9, 26), 10, D(2025, 10, 16));
    assert_add(cal, D(2025, 12, 31), 20, D(2026, 1, 29));
    assert_add(cal, D(2026, 2, 13), 10, D(2026, 3, 5));
    /* the National Day week of the first case: its two weekend workdays */
    assert_true(is_workday(cal, D(2025, 9, 28)));
    assert_true(is_workday(cal, D(2025, 10, 11)));
}

static void test_add_details(void **state)
{
    const struct workday_cal *cal = *state;
    assert_add(cal, D(2025, 9, 26), 0, D(2025, 9, 26));
    assert_add(cal, D(2025, 9, 26), 1, D(2025, 9, 28)); /* Sunday, a make-up workday */
    assert_add(cal, D(2025, 9, 26), 2, D(2025, 9, 29));
    assert_add(cal, D(2025, 9, 30), 1, D(2025, 10, 9)); /* past the whole holiday */
    assert_add(cal, D(2025, 10, 3), 1, D(2025, 10, 9)); /* start on an off-day */
    assert_add(cal, D(2025, 10, 16), -10, D(2025, 9, 26));
    assert_add(cal, D(2026, 1, 29), -20, D(2025, 12, 31));
    assert_add(cal, D(2025, 10, 9), -1, D(2025, 9, 30));
    /* R5: 总结报告 10 working days after the response ends on a Friday */
    assert_add(cal, D(2024, 9, 27), 10, D(2024, 10, 16));
}

static void test_count(void **state)
{
    const struct workday_cal *cal = *state;
    int n = -1;
    assert_int_equal(workday_count(cal, D(2025, 9, 26), D(2025, 10, 16), &n), ERR_OK);
    assert_int_equal(n, 10);
    assert_int_equal(workday_count(cal, D(2025, 12, 31), D(2026, 1, 29), &n), ERR_OK);
    assert_int_equal(n, 20);
    assert_int_equal(workday_count(cal, D(2026, 2, 13), D(2026, 3, 5), &n), ERR_OK);
    assert_int_equal(n, 10);
    assert_int_equal(workday_count(cal, D(2025, 10, 16), D(2025, 9, 26), &n), ERR_OK);
    assert_int_equal(n, -10);
    assert_int_equal(workday_count(cal, D(2025, 10, 1), D(2025, 10, 1), &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(workday_count(cal, D(2025, 9, 30), D(2025, 10, 8), &n), ERR_OK);
    assert_int_equal(n, 0);
    /* Working days per year under the notices (2024: 366 days, 262 weekdays, 251 working). */
    static const struct {
        int year, working;
    } years[] = {{2024, 251}, {2025, 248}, {2026, 248}};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        assert_int_equal(
            workday_count(cal, D(years[i].year - 1, 12, 31), D(years[i].year, 12, 31), &n), ERR_OK);
        assert_int_equal(n, years[i].working);
    }
}

/* One holiday block of a notice: every day first..last is off, every make-up day works. */
struct block {
    const char *name;
    struct date first, last;
    struct date makeup[2];
};

static const struct block blocks[] = {
    /* 国办发明电〔2023〕7号 (2024) */
    {"2024 元旦", {2024, 1, 1}, {2024, 1, 1}, {{0, 0, 0}}},
    {"2024 春节", {2024, 2, 10}, {2024, 2, 17}, {{2024, 2, 4}, {2024, 2, 18}}},
    {"2024 清明节", {2024, 4, 4}, {2024, 4, 6}, {{2024, 4, 7}}},
    {"2024 劳动节", {2024, 5, 1}, {2024, 5, 5}, {{2024, 4, 28}, {2024, 5, 11}}},
    {"2024 端午节", {2024, 6, 10}, {2024, 6, 10}, {{0, 0, 0}}},
    {"2024 中秋节", {2024, 9, 15}, {2024, 9, 17}, {{2024, 9, 14}}},
    {"2024 国庆节", {2024, 10, 1}, {2024, 10, 7}, {{2024, 9, 29}, {2024, 10, 12}}},
    /* 国办发明电〔2024〕12号 (2025) */
    {"2025 元旦", {2025, 1, 1}, {2025, 1, 1}, {{0, 0, 0}}},
    {"2025 春节", {2025, 1, 28}, {2025, 2, 4}, {{2025, 1, 26}, {2025, 2, 8}}},
    {"2025 清明节", {2025, 4, 4}, {2025, 4, 6}, {{0, 0, 0}}},
    {"2025 劳动节", {2025, 5, 1}, {2025, 5, 5}, {{2025, 4, 27}}},
    {"2025 端午节", {2025, 5, 31}, {2025, 6, 2}, {{0, 0, 0}}},
    {"2025 国庆节、中秋节", {2025, 10, 1}, {2025, 10, 8}, {{2025, 9, 28}, {2025, 10, 11}}},
    /* 2026 notice */
    {"2026 元旦", {2026, 1, 1}, {2026, 1, 3}, {{2026, 1, 4}}},
    {"2026 春节", {2026, 2, 15}, {2026, 2, 23}, {{2026, 2, 14}, {2026, 2, 28}}},
    {"2026 清明节", {2026, 4, 4}, {2026, 4, 6}, {{0, 0, 0}}},
    {"2026 劳动节", {2026, 5, 1}, {2026, 5, 5}, {{2026, 5, 9}}},
    {"2026 端午节", {2026, 6, 19}, {2026, 6, 21}, {{0, 0, 0}}},
    {"2026 中秋节", {2026, 9, 25}, {2026, 9, 27}, {{0, 0, 0}}},
    {"2026 国庆节", {2026, 10, 1}, {2026, 10, 7}, {{2026, 9, 20}, {2026, 10, 10}}},
};

static void test_holiday_blocks(void **state)
{
    const struct workday_cal *cal = *state;
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        const struct block *blk = &blocks[b];
        for (struct date d = blk->first; date_cmp(d, blk->last) <= 0; d = date_add_days(d, 1)) {
            if (is_workday(cal, d))
                print_message("%s: %04d-%02d-%02d should be off\n", blk->name, d.y, d.m, d.d);
            assert_false(is_workday(cal, d));
        }
        for (int k = 0; k < 2 && blk->makeup[k].y; k++) {
            struct date d = blk->makeup[k];
            int weekday = date_weekday(d);
            assert_true(weekday == 0 || weekday == 6); /* a make-up day falls on a weekend */
            if (!is_workday(cal, d))
                print_message("%s: %04d-%02d-%02d should work\n", blk->name, d.y, d.m, d.d);
            assert_true(is_workday(cal, d));
        }
    }
}

static void test_ordinary_days(void **state)
{
    const struct workday_cal *cal = *state;
    assert_true(is_workday(cal, D(2025, 9, 26)));   /* Friday */
    assert_false(is_workday(cal, D(2025, 9, 27)));  /* Saturday */
    assert_false(is_workday(cal, D(2025, 10, 12))); /* Sunday */
    assert_true(is_workday(cal, D(2025, 10, 9)));   /* Thursday after the holiday */
    assert_true(is_workday(cal, D(2026, 12, 31)));
    assert_false(is_workday(cal, D(2024, 6, 9))); /* Sunday before 端午 */
}

/* A notice can list days of the year before (2008.json: 2007-12-29 works, 12-30/31 off). */
static void test_adjacent_year_days(void **state)
{
    const struct workday_cal *cal = *state;
    assert_true(is_workday(cal, D(2007, 12, 29)));  /* Saturday */
    assert_false(is_workday(cal, D(2007, 12, 31))); /* Monday */
    assert_false(is_workday(cal, D(2022, 12, 31))); /* from 2023.json */
    /* 2007.json lists 2006-12-30/31, but 2006's own notice is not loaded. */
    int w;
    assert_int_equal(workday_is_workday(cal, D(2006, 12, 31), &w), ERR_NO_CALENDAR);
    assert_string_equal(err_last()->msg, "2006 年节假日安排未导入");
}

/* R6: a year without its notice is an error the user sees, never a weekday guess. */
static void test_missing_year(void **state)
{
    const struct workday_cal *cal = *state;
    int w = 42, n = 42;
    struct date out = {1, 2, 3};

    err_clear();
    assert_int_equal(workday_is_workday(cal, D(2027, 1, 4), &w), ERR_NO_CALENDAR);
    assert_int_equal(w, 42);
    assert_int_equal(err_last()->code, ERR_NO_CALENDAR);
    assert_string_equal(err_last()->field, "date");
    assert_string_equal(err_last()->msg, "2027 年节假日安排未导入");

    err_clear();
    assert_int_equal(workday_add(cal, D(2026, 12, 20), 10, &out), ERR_NO_CALENDAR);
    assert_string_equal(err_last()->msg, "2027 年节假日安排未导入");
    assert_int_equal(out.y, 1);

    err_clear();
    assert_int_equal(workday_count(cal, D(2026, 12, 1), D(2027, 1, 10), &n), ERR_NO_CALENDAR);
    assert_string_equal(err_last()->msg, "2027 年节假日安排未导入");
    assert_int_equal(n, 42);

    /* Within 2026 it still works up to the year's last working day. */
    assert_add(cal, D(2026, 12, 24), 5, D(2026, 12, 31));
}

static void test_empty_calendar(void **state)
{
    (void)state;
    struct workday_cal cal;
    int w;
    workday_init(&cal);
    assert_false(workday_has_year(&cal, 2025));
    assert_int_equal(workday_is_workday(&cal, D(2025, 3, 3), &w), ERR_NO_CALENDAR);
    assert_string_equal(err_last()->msg, "2025 年节假日安排未导入");
    workday_release(&cal);
    workday_release(&cal); /* releasing twice is harmless */
}

static enum err load(struct workday_cal *cal, const char *json)
{
    return workday_load_json(cal, json, strlen(json));
}

static void test_load_and_replace(void **state)
{
    (void)state;
    struct workday_cal cal;
    int w = -1;
    workday_init(&cal);
    /* 2030-01-02 is a Wednesday, 2030-01-05 a Saturday. */
    assert_int_equal(load(&cal, "{\"year\":2030,\"days\":["
                                "{\"name\":\"x\",\"date\":\"2030-01-02\",\"isOffDay\":true},"
                                "{\"name\":\"x\",\"date\":\"2030-01-05\",\"isOffDay\":false},"
                                "{\"name\":\"x\",\"date\":\"2030-01-02\",\"isOffDay\":true}]}"),
                     ERR_OK);
    assert_true(workday_has_year(&cal, 2030));
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 2), &w), ERR_OK);
    assert_int_equal(w, 0);
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 5), &w), ERR_OK);
    assert_int_equal(w, 1);
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 3), &w), ERR_OK);
    assert_int_equal(w, 1);

    /* Loading the year again replaces it. */
    assert_int_equal(load(&cal, "{\"year\":2030,\"days\":["
                                "{\"name\":\"y\",\"date\":\"2030-01-03\",\"isOffDay\":true}]}"),
                     ERR_OK);
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 2), &w), ERR_OK);
    assert_int_equal(w, 1);
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 3), &w), ERR_OK);
    assert_int_equal(w, 0);
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 5), &w), ERR_OK);
    assert_int_equal(w, 0);

    /* Years load in any order; an empty notice is a year with no holidays. */
    assert_int_equal(load(&cal, "{\"year\":2028,\"days\":[]}"), ERR_OK);
    assert_int_equal(load(&cal, "{\"year\":2029,\"days\":[]}"), ERR_OK);
    assert_true(workday_has_year(&cal, 2028) && workday_has_year(&cal, 2029));
    assert_int_equal(cal.n_years, 3);
    assert_int_equal(cal.years[0].year, 2028);
    assert_int_equal(cal.years[2].year, 2030);
    workday_release(&cal);
}

static void test_load_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        enum err rc;
        const char *field;
    } cases[] = {
        {"", ERR_BAD_JSON, "json"},
        {"{\"year\":2030,\"days\":[", ERR_BAD_JSON, "json"},
        {"{\"year\":2030,\"year\":2031,\"days\":[]}", ERR_BAD_JSON, "json"},
        {"[]", ERR_VALIDATION, "year"},
        {"{\"days\":[]}", ERR_VALIDATION, "year"},
        {"{\"year\":\"2030\",\"days\":[]}", ERR_VALIDATION, "year"},
        {"{\"year\":2030.0,\"days\":[]}", ERR_VALIDATION, "year"},
        {"{\"year\":20300,\"days\":[]}", ERR_VALIDATION, "year"},
        {"{\"year\":2030}", ERR_VALIDATION, "days"},
        {"{\"year\":2030,\"days\":{}}", ERR_VALIDATION, "days"},
        {"{\"year\":2030,\"days\":[1]}", ERR_VALIDATION, "days"},
        {"{\"year\":2030,\"days\":[{\"date\":\"2030-01-02\",\"isOffDay\":true}]}", ERR_VALIDATION,
         "days"},
        {"{\"year\":2030,\"days\":[{\"name\":\"x\",\"date\":\"2030-01-02\",\"isOffDay\":1}]}",
         ERR_VALIDATION, "days"},
        {"{\"year\":2030,\"days\":[{\"name\":\"x\",\"date\":20300102,\"isOffDay\":true}]}",
         ERR_VALIDATION, "days"},
        {"{\"year\":2030,\"days\":[{\"name\":\"x\",\"date\":\"2030-02-30\",\"isOffDay\":true}]}",
         ERR_VALIDATION, "date"},
        {"{\"year\":2030,\"days\":[{\"name\":\"x\",\"date\":\"2030/01/02\",\"isOffDay\":true}]}",
         ERR_VALIDATION, "date"},
        {"{\"year\":2030,\"days\":[{\"name\":\"x\",\"date\":\"2032-01-02\",\"isOffDay\":true}]}",
         ERR_VALIDATION, "date"},
        {"{\"year\":2030,\"days\":[{\"name\":\"x\",\"date\":\"2030-01-02\",\"isOffDay\":true},"
         "{\"name\":\"x\",\"date\":\"2030-01-02\",\"isOffDay\":false}]}",
         ERR_VALIDATION, "date"},
    };
    struct workday_cal cal;
    workday_init(&cal);
    assert_int_equal(load(&cal, "{\"year\":2030,\"days\":["
                                "{\"name\":\"x\",\"date\":\"2030-01-02\",\"isOffDay\":true}]}"),
                     ERR_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err_clear();
        enum err rc = load(&cal, cases[i].json);
        if (rc != cases[i].rc || strcmp(err_last()->field, cases[i].field) != 0)
            print_message("case %zu: rc %d field \"%s\" msg \"%s\"\n", i, rc, err_last()->field,
                          err_last()->msg);
        assert_int_equal(rc, cases[i].rc);
        assert_string_equal(err_last()->field, cases[i].field);
        assert_true(err_last()->msg[0] != '\0');
    }
    /* The calendar is unchanged by the failed loads. */
    int w = -1;
    assert_int_equal(cal.n_years, 1);
    assert_int_equal(workday_is_workday(&cal, D(2030, 1, 2), &w), ERR_OK);
    assert_int_equal(w, 0);
    workday_release(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_years_loaded),       cmocka_unit_test(test_worked_cases),
        cmocka_unit_test(test_add_details),        cmocka_unit_test(test_count),
        cmocka_unit_test(test_holiday_blocks),     cmocka_unit_test(test_ordinary_days),
        cmocka_unit_test(test_adjacent_year_days), cmocka_unit_test(test_missing_year),
        cmocka_unit_test(test_empty_calendar),     cmocka_unit_test(test_load_and_replace),
        cmocka_unit_test(test_load_rejects),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
