/* R2 MLPS grading (src/mlps/rules.c): the GB/T 22240-2020 table, the higher of the two sides,
 * and the "object:degree" notation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "mlps/rules.h"

#define H(o, d) ((struct mlps_harm){MLPS_##o, MLPS_##d})

/* R2 table, every cell. */
static void test_table(void **state)
{
    (void)state;
    static const int want[3][3] = {{1, 2, 2}, {2, 3, 4}, {3, 4, 5}};
    static const enum mlps_object objects[3] = {MLPS_RIGHTS, MLPS_ORDER, MLPS_NATION};
    static const enum mlps_degree degrees[3] = {MLPS_GENERAL, MLPS_SERIOUS, MLPS_GRAVE};
    for (int o = 0; o < 3; o++)
        for (int d = 0; d < 3; d++)
            assert_int_equal(mlps_cell(objects[o], degrees[d]), want[o][d]);
    assert_int_equal(mlps_cell((enum mlps_object)3, MLPS_GENERAL), 0);
    assert_int_equal(mlps_cell(MLPS_RIGHTS, (enum mlps_degree)3), 0);
    assert_int_equal(mlps_cell((enum mlps_object) - 1, MLPS_GENERAL), 0);
}

static void grade(const struct mlps_harm *info, size_t n_info, const struct mlps_harm *service,
                  size_t n_service, int want_info, int want_service, int want_level)
{
    struct mlps_result res;
    assert_int_equal(mlps_grade(info, n_info, service, n_service, &res), ERR_OK);
    assert_int_equal(res.info_level, want_info);
    assert_int_equal(res.service_level, want_service);
    assert_int_equal(res.level, want_level);
}

/* R2: each side is its highest cell; the level is the higher side. */
static void test_grade(void **state)
{
    (void)state;
    const struct mlps_harm rights_general[] = {H(RIGHTS, GENERAL)};
    const struct mlps_harm rights_grave[] = {H(RIGHTS, GRAVE)};
    const struct mlps_harm order_serious[] = {H(ORDER, SERIOUS)};
    const struct mlps_harm mixed[] = {H(RIGHTS, GRAVE), H(ORDER, SERIOUS), H(RIGHTS, GENERAL)};
    const struct mlps_harm nation_grave[] = {H(ORDER, GENERAL), H(NATION, GRAVE)};
    const struct mlps_harm order_grave[] = {H(ORDER, GRAVE)};

    grade(rights_general, 1, rights_general, 1, 1, 1, 1);
    grade(rights_grave, 1, rights_general, 1, 2, 1, 2);  /* 第二级: files with 公安机关 */
    grade(rights_general, 1, order_serious, 1, 1, 3, 3); /* the service side decides */
    grade(order_serious, 1, rights_grave, 1, 3, 2, 3);
    grade(mixed, 3, rights_general, 1, 3, 1, 3);
    grade(mixed, 3, order_grave, 1, 3, 4, 4);
    grade(nation_grave, 2, order_serious, 1, 5, 3, 5);
}

static void test_grade_errors(void **state)
{
    (void)state;
    const struct mlps_harm ok[] = {H(ORDER, SERIOUS)};
    const struct mlps_harm bad[] = {H(ORDER, SERIOUS), {(enum mlps_object)7, MLPS_GENERAL}};
    struct mlps_result res = {9, 9, 9};

    assert_int_equal(mlps_grade(ok, 0, ok, 1, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "info");
    assert_int_equal(mlps_grade(NULL, 0, ok, 1, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "info");
    assert_int_equal(mlps_grade(ok, 1, ok, 0, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "service");
    assert_int_equal(mlps_grade(ok, 1, NULL, 0, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "service");
    assert_int_equal(mlps_grade(bad, 2, ok, 1, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "info");
    assert_int_equal(mlps_grade(ok, 1, bad, 2, &res), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "service");
    assert_int_equal(res.level, 9); /* untouched */
}

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum mlps_object object;
        enum mlps_degree degree;
    } good[] = {
        {"rights:general", MLPS_RIGHTS, MLPS_GENERAL},
        {"rights:serious", MLPS_RIGHTS, MLPS_SERIOUS},
        {"rights:grave", MLPS_RIGHTS, MLPS_GRAVE},
        {"order:general", MLPS_ORDER, MLPS_GENERAL},
        {"order:serious", MLPS_ORDER, MLPS_SERIOUS},
        {"order:grave", MLPS_ORDER, MLPS_GRAVE},
        {"nation:general", MLPS_NATION, MLPS_GENERAL},
        {"nation:serious", MLPS_NATION, MLPS_SERIOUS},
        {"nation:grave", MLPS_NATION, MLPS_GRAVE},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct mlps_harm h;
        assert_int_equal(mlps_parse_harm(good[i].text, &h), ERR_OK);
        assert_int_equal(h.object, good[i].object);
        assert_int_equal(h.degree, good[i].degree);
    }
    static const char *const bad[] = {
        "",
        "rights",
        "rights:",
        ":serious",
        "right:serious",
        "rights:seriously",
        "Rights:serious",
        "rights: serious",
        " rights:serious",
        "rights:serious:grave",
        "order-serious",
        "nation:",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mlps_harm h = {MLPS_NATION, MLPS_GRAVE};
        if (mlps_parse_harm(bad[i], &h) != ERR_VALIDATION)
            print_message("accepted \"%s\"\n", bad[i]);
        assert_int_equal(mlps_parse_harm(bad[i], &h), ERR_VALIDATION);
        assert_string_equal(err_last()->field, "harm");
        assert_int_equal(h.object, MLPS_NATION);
    }
    struct mlps_harm h;
    assert_int_equal(mlps_parse_harm(NULL, &h), ERR_VALIDATION);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mlps_object_name(MLPS_RIGHTS), "公民、法人和其他组织的合法权益");
    assert_string_equal(mlps_object_name(MLPS_ORDER), "社会秩序、公共利益");
    assert_string_equal(mlps_object_name(MLPS_NATION), "国家安全");
    assert_string_equal(mlps_degree_name(MLPS_GENERAL), "一般损害");
    assert_string_equal(mlps_degree_name(MLPS_SERIOUS), "严重损害");
    assert_string_equal(mlps_degree_name(MLPS_GRAVE), "特别严重损害");
    assert_null(mlps_object_name((enum mlps_object)3));
    assert_null(mlps_degree_name((enum mlps_degree)3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),        cmocka_unit_test(test_grade),
        cmocka_unit_test(test_grade_errors), cmocka_unit_test(test_parse),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
