/* R5 (src/incident/rules.c): the grade suggested from the numbers entered, at every threshold of
 * 工信部网安〔2017〕281号 and of configured gates; who gets the immediate report; the CAC report's
 * allowance and its effective date; deadline states at their boundaries; the 总结报告 ten working
 * days after the response ends (R6 worked cases, a year without a notice is an error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "incident/rules.h"
#include "workday.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static enum incident_grade suggest(const struct incident_ruleset *rs, long long pi, long long users,
                                   enum outage_scope scope, int hours)
{
    struct incident_facts f = {pi, users, scope, hours};
    struct incident_suggestion s;
    assert_int_equal(incident_suggest_grade(rs, &f, &s), ERR_OK);
    assert_int_equal(s.grade, s.by_pi > s.by_outage ? s.by_pi : s.by_outage);
    return s.grade;
}

static void test_default_ruleset(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    assert_int_equal(incident_ruleset_check(rs), ERR_OK);
    assert_non_null(strstr(rs->version, "281"));
    assert_int_equal(rs->pi_leaked_min[0], 100000);
    assert_int_equal(rs->pi_leaked_min[3], 100000000);
    assert_int_equal(rs->report_minutes, 60);
    assert_int_equal(rs->cac_minutes, 240);
    assert_int_equal(rs->cac_cii_minutes, 60);
    assert_int_equal(rs->summary_workdays, 10);
}

/* 281号: 10万 / 1百万 / 1千万 / 1亿 以上用户的个人信息泄露; "以上" includes the number. */
static void test_pi_thresholds(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    static const struct {
        long long pi;
        enum incident_grade want;
    } cases[] = {
        {0, INCIDENT_GRADE_NONE},
        {1, INCIDENT_GRADE_NONE},
        {99999, INCIDENT_GRADE_NONE},
        {100000, INCIDENT_GENERAL},
        {100001, INCIDENT_GENERAL},
        {999999, INCIDENT_GENERAL},
        {1000000, INCIDENT_LARGE},
        {9999999, INCIDENT_LARGE},
        {10000000, INCIDENT_MAJOR},
        {99999999, INCIDENT_MAJOR},
        {100000000, INCIDENT_ESPECIALLY_MAJOR},
        {1400000000, INCIDENT_ESPECIALLY_MAJOR},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        enum incident_grade g = suggest(rs, cases[i].pi, 0, OUTAGE_NONE, 0);
        if (g != cases[i].want)
            fail_msg("pi_leaked %lld: grade %d, want %d", cases[i].pi, g, cases[i].want);
    }
}

/* 281号: 1 个地市 / 1 个省 / 多个省 / 全国 大量用户无法正常上网. */
static void test_outage_scopes(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    assert_int_equal(suggest(rs, 0, 0, OUTAGE_NONE, 0), INCIDENT_GRADE_NONE);
    assert_int_equal(suggest(rs, 0, 0, OUTAGE_CITY, 0), INCIDENT_GENERAL);
    assert_int_equal(suggest(rs, 0, 0, OUTAGE_PROVINCE, 0), INCIDENT_LARGE);
    assert_int_equal(suggest(rs, 0, 0, OUTAGE_MULTI_PROVINCE, 0), INCIDENT_MAJOR);
    assert_int_equal(suggest(rs, 0, 0, OUTAGE_NATIONAL, 0), INCIDENT_ESPECIALLY_MAJOR);
    /* the default sets no number of users or hours: the extent alone decides */
    assert_int_equal(suggest(rs, 0, 1, OUTAGE_PROVINCE, 1), INCIDENT_LARGE);
}

/* Configured gates: "大量用户" as a number and a shortest outage, each at its boundary. */
static void test_outage_gates(void **state)
{
    (void)state;
    struct incident_ruleset rs = *incident_ruleset_default();
    rs.version = "test";
    rs.outage_users_min = 10000;
    rs.outage_hours_min = 2;
    assert_int_equal(incident_ruleset_check(&rs), ERR_OK);
    assert_int_equal(suggest(&rs, 0, 9999, OUTAGE_NATIONAL, 5), INCIDENT_GRADE_NONE);
    assert_int_equal(suggest(&rs, 0, 10000, OUTAGE_NATIONAL, 5), INCIDENT_ESPECIALLY_MAJOR);
    assert_int_equal(suggest(&rs, 0, 50000, OUTAGE_CITY, 1), INCIDENT_GRADE_NONE);
    assert_int_equal(suggest(&rs, 0, 50000, OUTAGE_CITY, 2), INCIDENT_GENERAL);
    /* the other criterion is untouched by the gates */
    assert_int_equal(suggest(&rs, 1000000, 0, OUTAGE_NATIONAL, 0), INCIDENT_LARGE);
    /* configured personal-information thresholds, at their boundaries */
    rs.pi_leaked_min[0] = 1000;
    rs.pi_leaked_min[1] = 5000;
    assert_int_equal(suggest(&rs, 999, 0, OUTAGE_NONE, 0), INCIDENT_GRADE_NONE);
    assert_int_equal(suggest(&rs, 1000, 0, OUTAGE_NONE, 0), INCIDENT_GENERAL);
    assert_int_equal(suggest(&rs, 4999, 0, OUTAGE_NONE, 0), INCIDENT_GENERAL);
    assert_int_equal(suggest(&rs, 5000, 0, OUTAGE_NONE, 0), INCIDENT_LARGE);
}

/* The suggestion is the highest grade any criterion reaches. */
static void test_highest_criterion(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    struct incident_facts f = {2000000, 0, OUTAGE_MULTI_PROVINCE, 3};
    struct incident_suggestion s;
    assert_int_equal(incident_suggest_grade(rs, &f, &s), ERR_OK);
    assert_int_equal(s.by_pi, INCIDENT_LARGE);
    assert_int_equal(s.by_outage, INCIDENT_MAJOR);
    assert_int_equal(s.grade, INCIDENT_MAJOR);
    f = (struct incident_facts){200000000, 0, OUTAGE_CITY, 0};
    assert_int_equal(incident_suggest_grade(rs, &f, &s), ERR_OK);
    assert_int_equal(s.grade, INCIDENT_ESPECIALLY_MAJOR);
}

static void test_bad_input(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    struct incident_suggestion s = {INCIDENT_MAJOR, INCIDENT_MAJOR, INCIDENT_MAJOR};
    struct incident_facts f = {-1, 0, OUTAGE_NONE, 0};
    assert_int_equal(incident_suggest_grade(rs, &f, &s), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "pi_leaked");
    assert_int_equal(s.grade, INCIDENT_MAJOR); /* untouched */
    f = (struct incident_facts){0, -5, OUTAGE_NONE, 0};
    assert_int_equal(incident_suggest_grade(rs, &f, &s), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "users_affected");
    f = (struct incident_facts){0, 0, OUTAGE_CITY, -1};
    assert_int_equal(incident_suggest_grade(rs, &f, &s), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "outage_hours");

    struct incident_ruleset bad = *rs;
    bad.pi_leaked_min[2] = bad.pi_leaked_min[1];
    assert_int_equal(incident_ruleset_check(&bad), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "ruleset");
    f = (struct incident_facts){0, 0, OUTAGE_NONE, 0};
    assert_int_equal(incident_suggest_grade(&bad, &f, &s), ERR_VALIDATION);
    bad = *rs;
    bad.outage_scope_min[1] = OUTAGE_CITY;
    assert_int_equal(incident_ruleset_check(&bad), ERR_VALIDATION);
    bad = *rs;
    bad.report_minutes = 0;
    assert_int_equal(incident_ruleset_check(&bad), ERR_VALIDATION);
    bad = *rs;
    bad.cac_min_grade = INCIDENT_GRADE_NONE;
    assert_int_equal(incident_ruleset_check(&bad), ERR_VALIDATION);
}

/* 331号 §七: 重大及以上 → 部网络安全管理局；较大、一般 → 属地通信管理局. */
static void test_recipient(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    assert_int_equal(incident_report_recipient(rs, INCIDENT_GENERAL), RECIPIENT_LOCAL_CA);
    assert_int_equal(incident_report_recipient(rs, INCIDENT_LARGE), RECIPIENT_LOCAL_CA);
    assert_int_equal(incident_report_recipient(rs, INCIDENT_MAJOR), RECIPIENT_MIIT);
    assert_int_equal(incident_report_recipient(rs, INCIDENT_ESPECIALLY_MAJOR), RECIPIENT_MIIT);
    assert_string_equal(incident_recipient_name(RECIPIENT_MIIT), "工业和信息化部网络安全管理局");
    assert_string_equal(incident_recipient_name(RECIPIENT_LOCAL_CA), "属地通信管理局");
}

/* "立即" shown overdue after 1 hour: at the due second still pending, one second later overdue. */
static void test_report_deadline(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    time_t detected = 1770859800; /* 2026-02-12T09:30:00+08:00 */
    time_t due = incident_report_due(rs, detected);
    assert_int_equal(due - detected, 3600);
    assert_string_equal(incident_deadline_state(due, 0, detected), "pending");
    assert_string_equal(incident_deadline_state(due, 0, due), "pending");
    assert_string_equal(incident_deadline_state(due, 0, due + 1), "overdue");
    assert_string_equal(incident_deadline_state(due, due, due + 100), "done");
    assert_string_equal(incident_deadline_state(due, detected + 60, due + 100), "done");
    assert_string_equal(incident_deadline_state(due, due + 1, due + 100), "done_late");
}

/* CAC (from 2025-11-01): 较大及以上 4 hours, 1 hour with CII; none below 较大 or before. */
static void test_cac(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    struct date on = {2026, 2, 12}, eve = {2025, 10, 31}, first = {2025, 11, 1};
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_GENERAL, 0, on), 0);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_GENERAL, 1, on), 0);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_LARGE, 0, on), 240);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_LARGE, 1, on), 60);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_MAJOR, 0, on), 240);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_ESPECIALLY_MAJOR, 1, on), 60);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_LARGE, 0, eve), 0);
    assert_int_equal(incident_cac_minutes(rs, INCIDENT_LARGE, 0, first), 240);
}

static void test_date_state(void **state)
{
    (void)state;
    struct date due = {2025, 10, 16}, before = {2025, 10, 15}, after = {2025, 10, 17};
    assert_string_equal(incident_deadline_state_date(due, NULL, before), "pending");
    assert_string_equal(incident_deadline_state_date(due, NULL, due), "pending");
    assert_string_equal(incident_deadline_state_date(due, NULL, after), "overdue");
    assert_string_equal(incident_deadline_state_date(due, &due, after), "done");
    assert_string_equal(incident_deadline_state_date(due, &after, after), "done_late");
    assert_string_equal(incident_deadline_state_name("overdue"), "已逾期");
}

/* R6 worked cases with the rule set's ten working days; a year without a notice is an error. */
static void test_summary_workdays(void **state)
{
    (void)state;
    const struct incident_ruleset *rs = incident_ruleset_default();
    struct workday_cal cal;
    workday_init(&cal);
    assert_int_equal(workday_load_embedded(&cal), ERR_OK);
    static const struct {
        struct date end, due;
    } cases[] = {
        {{2025, 9, 26}, {2025, 10, 16}}, /* across the National Day week */
        {{2026, 2, 13}, {2026, 3, 5}},   /* across the Spring Festival */
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        struct date due;
        assert_int_equal(workday_add(&cal, cases[i].end, rs->summary_workdays, &due), ERR_OK);
        assert_int_equal(date_cmp(due, cases[i].due), 0);
    }
    if (!workday_has_year(&cal, 2027)) {
        struct date due = {0, 0, 0};
        assert_int_equal(workday_add(&cal, (struct date){2026, 12, 28}, 10, &due), ERR_NO_CALENDAR);
        assert_int_equal(due.y, 0);
    }
    workday_release(&cal);
}

static void test_codes(void **state)
{
    (void)state;
    static const char *const grades[] = {"general", "large", "major", "especially_major"};
    static const char *const names[] = {"一般", "较大", "重大", "特别重大"};
    for (int g = INCIDENT_GENERAL; g <= INCIDENT_ESPECIALLY_MAJOR; g++) {
        assert_int_equal(incident_grade_parse(grades[g - 1]), g);
        assert_string_equal(incident_grade_code(g), grades[g - 1]);
        assert_string_equal(incident_grade_name(g), names[g - 1]);
    }
    assert_int_equal(incident_grade_parse("较大"), INCIDENT_GRADE_NONE);
    assert_int_equal(incident_grade_parse(NULL), INCIDENT_GRADE_NONE);
    assert_int_equal(incident_grade_parse("Major"), INCIDENT_GRADE_NONE);
    enum outage_scope sc;
    assert_int_equal(outage_scope_parse("multi_province", &sc), 0);
    assert_int_equal(sc, OUTAGE_MULTI_PROVINCE);
    assert_int_equal(outage_scope_parse("county", &sc), -1);
    enum incident_recipient rc;
    assert_int_equal(incident_recipient_parse("cac", &rc), 0);
    assert_int_equal(rc, RECIPIENT_CAC);
    assert_int_equal(incident_recipient_parse("ministry", &rc), -1);
    assert_string_equal(incident_category_name("malware"), "恶意程序事件");
    assert_null(incident_category_name("virus"));
    assert_string_equal(incident_status_name("responding"), "应急处置中");
    assert_null(incident_status_name("done"));
    assert_string_equal(incident_method_name("document"), "书面公文");
    assert_string_equal(incident_report_kind_name("summary"), "总结报告");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_ruleset),
        cmocka_unit_test(test_pi_thresholds),
        cmocka_unit_test(test_outage_scopes),
        cmocka_unit_test(test_outage_gates),
        cmocka_unit_test(test_highest_criterion),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_recipient),
        cmocka_unit_test(test_report_deadline),
        cmocka_unit_test(test_cac),
        cmocka_unit_test(test_date_state),
        cmocka_unit_test(test_summary_workdays),
        cmocka_unit_test(test_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
