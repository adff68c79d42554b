/* R9 industrial internet rules (src/iiot/rules.c): types and competence (第三条), the
 * questionnaire's levels at and around the thresholds, unanswered and unknown answers, scoring
 * tables as data (checks, round trip, type-specific questions), and the deadlines: re-grading
 * (第四条), 符合性评测 (第七条), verification and correction in working days (第六条, R6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "err.h"
#include "iiot/rules.h"
#include "workday.h"

static struct date D(int y, int m, int d) {
    return (struct date){y, m, d};
}

static void
assert_date(struct date got, struct date want)
{
    if (date_cmp(got, want)) {
        char g[11], w[11];
        date_format(got, g);
        date_format(want, w);
        fail_msg("date %s, expected %s", g, w);
    }
}

static struct iiot_table default_table(void)
{
    struct iiot_table t;
    json_t *j = json_loads(iiot_table_default_json(), 0, NULL);
    assert_non_null(j);
    assert_int_equal(iiot_table_parse(j, &t), ERR_OK);
    json_decref(j);
    return t;
}

/* 第三条: 省工信厅 → 联网工业企业; 省通信管理局 → 平台企业、标识解析企业. */
static void test_types_and_competence(void **state)
{
    (void)state;
    assert_int_equal(iiot_type_parse("connected"), IIOT_CONNECTED);
    assert_int_equal(iiot_type_parse("platform"), IIOT_PLATFORM);
    assert_int_equal(iiot_type_parse("identifier"), IIOT_IDENTIFIER);
    assert_int_equal(iiot_type_parse("Connected"), -1);
    assert_int_equal(iiot_type_parse(NULL), -1);
    assert_int_equal(iiot_type_of_org_kind("iiot_connected"), IIOT_CONNECTED);
    assert_int_equal(iiot_type_of_org_kind("iiot_platform"), IIOT_PLATFORM);
    assert_int_equal(iiot_type_of_org_kind("iiot_identifier"), IIOT_IDENTIFIER);
    assert_int_equal(iiot_type_of_org_kind("vas"), -1);
    assert_string_equal(iiot_type_name(IIOT_CONNECTED), "联网工业企业");

    assert_true(iiot_competent("regulator_miit", IIOT_CONNECTED));
    assert_false(iiot_competent("regulator_miit", IIOT_PLATFORM));
    assert_false(iiot_competent("regulator_miit", IIOT_IDENTIFIER));
    assert_false(iiot_competent("regulator_ca", IIOT_CONNECTED));
    assert_true(iiot_competent("regulator_ca", IIOT_PLATFORM));
    assert_true(iiot_competent("regulator_ca", IIOT_IDENTIFIER));
    assert_false(iiot_competent("regulator_ministry", IIOT_PLATFORM));
    assert_false(iiot_competent("regulator_city", IIOT_CONNECTED));
    assert_false(iiot_competent(NULL, IIOT_CONNECTED));
    assert_string_equal(iiot_competent_kind(IIOT_IDENTIFIER), "regulator_ca");

    assert_string_equal(iiot_level_name(3), "三级");
    assert_string_equal(iiot_level_name(2), "二级");
    assert_string_equal(iiot_level_name(1), "一级");
    assert_string_equal(iiot_level_name(4), "");
}

/* The shipped table is an example and says so; it covers the seven factors of 第四条. */
static void test_default_table(void **state)
{
    (void)state;
    struct iiot_table t = default_table();
    assert_non_null(strstr(t.label, "默认评分表（示例），须以主管部门正式发布的评分表替换"));
    assert_int_equal(t.n_questions, IIOT_FACTORS);
    for (int f = 0; f < IIOT_FACTORS; f++)
        assert_int_equal(t.questions[f].factor, f);
    assert_int_equal(t.level3_min, 60);
    assert_int_equal(t.level2_min, 30);
    /* round trip: the JSON form parses back to the same table */
    json_t *j = iiot_table_json(&t);
    struct iiot_table u;
    assert_int_equal(iiot_table_parse(j, &u), ERR_OK);
    json_t *k = iiot_table_json(&u);
    assert_true(json_equal(j, k));
    json_decref(j);
    json_decref(k);
    iiot_table_release(&u);
    iiot_table_release(&t);
}

static json_t *answers(const char *const ids[7])
{
    static const char *const q[7] = {
        "scale",          "business_scope",      "iiot_use",       "important_systems",
        "important_data", "industry_importance", "incident_impact"};
    json_t *a = json_object();
    for (int i = 0; i < 7; i++)
        if (ids[i])
            json_object_set_new(a, q[i], json_string(ids[i]));
    return a;
}

/* Levels at and around the thresholds: ≥ 60 → 三级, ≥ 30 → 二级, else 一级. */
static void test_levels(void **state)
{
    (void)state;
    struct iiot_table t = default_table();
    static const struct {
        const char *ids[7];
        int score, level;
    } cases[] = {
        {{"micro", "local", "single", "none", "none", "low", "minor"}, 0, 1},
        {{"micro", "local", "single", "none", "none", "high", "grave"}, 29, 1},
        {{"micro", "local", "single", "none", "core", "very_high", "minor"}, 30, 2},
        {{"micro", "local", "single", "production", "core", "very_high", "grave"}, 59, 2},
        {{"micro", "local", "main", "production", "core", "very_high", "serious"}, 60, 3},
        {{"huge", "national", "full", "critical", "core", "very_high", "grave"}, 100, 3},
    };
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++)
        for (int type = 0; type < IIOT__TYPES; type++) {
            json_t *a = answers(cases[n].ids);
            struct iiot_grade_result g;
            assert_int_equal(iiot_grade(&t, type, a, &g), ERR_OK);
            assert_int_equal(g.score, cases[n].score);
            assert_int_equal(g.level, cases[n].level);
            assert_int_equal(g.max_score, 100);
            json_decref(a);
        }
    iiot_table_release(&t);
}

/* A questionnaire with a gap is refused, naming every unanswered question. */
static void test_unanswered(void **state)
{
    (void)state;
    struct iiot_table t = default_table();
    struct iiot_grade_result g = {-1, -1, -1};
    const char *one[7] = {"micro", "local", "single", "none", "none", "low", NULL};
    json_t *a = answers(one);
    assert_int_equal(iiot_grade(&t, IIOT_CONNECTED, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers.incident_impact");
    assert_non_null(strstr(err_last()->msg, "发生网络安全事件的影响后果"));
    assert_int_equal(g.level, -1); /* untouched */
    json_decref(a);

    const char *two[7] = {NULL, "local", "single", "none", "none", "low", NULL};
    a = answers(two);
    json_object_set_new(a, "business_scope", json_null()); /* null is no answer */
    assert_int_equal(iiot_grade(&t, IIOT_PLATFORM, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field,
                        "answers.scale,answers.business_scope,answers.incident_impact");
    assert_non_null(strstr(err_last()->msg, "第 1 题"));
    json_decref(a);

    a = json_object();
    assert_int_equal(iiot_grade(&t, IIOT_IDENTIFIER, a, &g), ERR_VALIDATION);
    assert_non_null(strstr(err_last()->field, "answers.scale"));
    json_decref(a);
    a = json_array();
    assert_int_equal(iiot_grade(&t, IIOT_IDENTIFIER, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers");
    json_decref(a);
    iiot_table_release(&t);
}

static void test_unknown_answers(void **state)
{
    (void)state;
    struct iiot_table t = default_table();
    struct iiot_grade_result g;
    const char *all[7] = {"micro", "local", "single", "none", "none", "low", "minor"};
    json_t *a = answers(all);
    json_object_set_new(a, "scale", json_string("gigantic"));
    assert_int_equal(iiot_grade(&t, IIOT_CONNECTED, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers.scale");
    json_object_set_new(a, "scale", json_integer(3));
    assert_int_equal(iiot_grade(&t, IIOT_CONNECTED, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers.scale");
    json_object_set_new(a, "scale", json_string("micro"));
    json_object_set_new(a, "bogus", json_string("x"));
    assert_int_equal(iiot_grade(&t, IIOT_CONNECTED, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers.bogus");
    json_decref(a);
    iiot_table_release(&t);
}

/* A table with a question for 平台企业 only: it is asked of platforms, refused for others. */
static const char PLATFORM_TABLE[] =
    "{\"version\":\"t-2\",\"label\":\"测试\",\"source\":\"单元测试\","
    "\"thresholds\":{\"level3_min\":8,\"level2_min\":4},\"questions\":["
    "{\"id\":\"f0\",\"factor\":\"scale\",\"text\":\"规模\",\"options\":[{\"id\":\"a\",\"text\":"
    "\"小\","
    "\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":1}]},"
    "{\"id\":\"f1\",\"factor\":\"business_scope\",\"text\":\"范围\",\"options\":[{\"id\":\"a\","
    "\"text\":\"小\",\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":1}]},"
    "{\"id\":\"f2\",\"factor\":\"iiot_use\",\"text\":\"程度\",\"options\":[{\"id\":\"a\",\"text\":"
    "\"小\","
    "\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":1}]},"
    "{\"id\":\"f3\",\"factor\":\"important_systems\",\"text\":\"系统\",\"options\":[{\"id\":\"a\","
    "\"text\":\"小\",\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":2}]},"
    "{\"id\":\"f4\",\"factor\":\"important_data\",\"text\":\"数据\",\"options\":[{\"id\":\"a\","
    "\"text\":\"小\",\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":2}]},"
    "{\"id\":\"f5\",\"factor\":\"industry_importance\",\"text\":\"行业\",\"options\":[{\"id\":"
    "\"a\","
    "\"text\":\"小\",\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":2}]},"
    "{\"id\":\"f6\",\"factor\":\"incident_impact\",\"text\":\"后果\",\"options\":[{\"id\":\"a\","
    "\"text\":\"小\",\"points\":0},{\"id\":\"b\",\"text\":\"大\",\"points\":3}]},"
    "{\"id\":\"p1\",\"factor\":\"iiot_use\",\"types\":[\"platform\"],\"text\":\"平台用户数\","
    "\"options\":[{\"id\":\"a\",\"text\":\"少\",\"points\":0},{\"id\":\"b\",\"text\":\"多\","
    "\"points\":5}]}]}";

static void test_type_specific_questions(void **state)
{
    (void)state;
    struct iiot_table t;
    json_t *j = json_loads(PLATFORM_TABLE, 0, NULL);
    assert_int_equal(iiot_table_parse(j, &t), ERR_OK);
    json_decref(j);
    json_t *a = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "f0", "b", "f1", "b", "f2", "b", "f3",
                          "b", "f4", "a", "f5", "a", "f6", "a");
    struct iiot_grade_result g;
    assert_int_equal(iiot_grade(&t, IIOT_CONNECTED, a, &g), ERR_OK);
    assert_int_equal(g.score, 5);
    assert_int_equal(g.level, 2);
    assert_int_equal(g.max_score, 12);
    assert_int_equal(iiot_grade(&t, IIOT_PLATFORM, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers.p1");
    json_object_set_new(a, "p1", json_string("b"));
    assert_int_equal(iiot_grade(&t, IIOT_PLATFORM, a, &g), ERR_OK);
    assert_int_equal(g.score, 10);
    assert_int_equal(g.level, 3);
    assert_int_equal(g.max_score, 17);
    assert_int_equal(iiot_grade(&t, IIOT_IDENTIFIER, a, &g), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "answers.p1");
    json_decref(a);
    iiot_table_release(&t);
}

/* Bad tables are refused with the field named, and leave nothing to free. */
static void test_table_checks(void **state)
{
    (void)state;
    static const struct {
        const char *edit_from, *edit_to, *field;
    } cases[] = {
        {"\"factor\":\"incident_impact\"", "\"factor\":\"scale\"", "questions"},
        {"\"level3_min\":8,\"level2_min\":4", "\"level3_min\":4,\"level2_min\":8", "thresholds"},
        {"\"level3_min\":8", "\"level3_min\":13", "thresholds.level3_min"},
        {"\"id\":\"f1\"", "\"id\":\"f0\"", "questions"},
        {"\"id\":\"f1\"", "\"id\":\"F1\"", "questions[1]"},
        {"\"points\":3", "\"points\":-3", "questions[6].options[1]"},
        {"\"points\":3", "\"points\":3,\"extra\":1", "questions[6].options[1]"},
        {"\"version\":\"t-2\"", "\"version\":\"\"", "version"},
        {"\"label\":\"测试\"", "\"label\":\"\"", "label"},
        {"\"types\":[\"platform\"]", "\"types\":[\"factory\"]", "questions[7].types"},
        {"\"factor\":\"important_data\"", "\"factor\":\"data\"", "questions[4]"},
        {"\"source\":\"单元测试\"", "\"source\":\"单元测试\",\"weights\":[]", "weights"},
    };
    for (size_t n = 0; n < sizeof cases / sizeof cases[0]; n++) {
        const char *at = strstr(PLATFORM_TABLE, cases[n].edit_from);
        assert_non_null(at);
        size_t pre = (size_t)(at - PLATFORM_TABLE);
        size_t size = sizeof PLATFORM_TABLE + 64;
        char *text = malloc(size);
        snprintf(text, size, "%.*s%s%s", (int)pre, PLATFORM_TABLE, cases[n].edit_to,
                 at + strlen(cases[n].edit_from));
        json_t *j = json_loads(text, 0, NULL);
        assert_non_null(j);
        struct iiot_table t;
        if (iiot_table_parse(j, &t) != ERR_VALIDATION)
            fail_msg("case %zu accepted", n);
        if (strcmp(err_last()->field, cases[n].field))
            fail_msg("case %zu: field %s, expected %s (%s)", n, err_last()->field, cases[n].field,
                     err_last()->msg);
        assert_int_equal(t.n_questions, 0);
        iiot_table_release(&t);
        json_decref(j);
        free(text);
    }
}

/* 第四条 re-grading within 3 months (month ends clamp); 第七条 每年 / 每两年; 一级 none. */
static void test_deadlines(void **state)
{
    (void)state;
    const struct iiot_ruleset *rs = iiot_ruleset_default();
    assert_date(iiot_regrade_due(rs, D(2025, 3, 12)), D(2025, 6, 12));
    assert_date(iiot_regrade_due(rs, D(2025, 11, 30)), D(2026, 2, 28));
    assert_date(iiot_regrade_due(rs, D(2023, 11, 30)), D(2024, 2, 29));
    struct date due;
    assert_int_equal(iiot_assessment_due(rs, 3, D(2025, 3, 10), &due), ERR_OK);
    assert_date(due, D(2026, 3, 10));
    assert_int_equal(iiot_assessment_due(rs, 2, D(2025, 3, 10), &due), ERR_OK);
    assert_date(due, D(2027, 3, 10));
    assert_int_equal(iiot_assessment_due(rs, 3, D(2024, 2, 29), &due), ERR_OK);
    assert_date(due, D(2025, 2, 28));
    assert_int_equal(iiot_assessment_due(rs, 1, D(2025, 3, 10), &due), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "level");
}

/* 第六条 with R6: verification within 30 working days, correction within 20. */
static void test_working_days(void **state)
{
    (void)state;
    const struct iiot_ruleset *rs = iiot_ruleset_default();
    struct workday_cal cal;
    workday_init(&cal);
    assert_int_equal(workday_load_embedded(&cal), ERR_OK);
    struct date due;
    assert_int_equal(rs->verify_workdays, 30);
    assert_int_equal(rs->correction_workdays, 20);
    /* submitted the Friday before National Day 2025: the holiday week is skipped and the two
     * make-up Saturdays/Sundays (09-28, 10-11) count */
    assert_int_equal(workday_add(&cal, D(2025, 9, 26), rs->verify_workdays, &due), ERR_OK);
    assert_date(due, D(2025, 11, 13));
    assert_int_equal(workday_add(&cal, D(2025, 9, 26), rs->correction_workdays, &due), ERR_OK);
    assert_date(due, D(2025, 10, 30));
    assert_int_equal(workday_add(&cal, D(2025, 12, 31), rs->correction_workdays, &due), ERR_OK);
    assert_date(due, D(2026, 1, 29));
    int n;
    assert_int_equal(workday_count(&cal, D(2025, 9, 26), D(2025, 11, 13), &n), ERR_OK);
    assert_int_equal(n, 30);
    /* a year without a notice is an error, never a guess */
    assert_int_equal(workday_add(&cal, D(2099, 1, 5), rs->verify_workdays, &due), ERR_NO_CALENDAR);
    workday_release(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_competence),
        cmocka_unit_test(test_default_table),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_unanswered),
        cmocka_unit_test(test_unknown_answers),
        cmocka_unit_test(test_type_specific_questions),
        cmocka_unit_test(test_table_checks),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_working_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
