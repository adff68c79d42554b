/* R10 inspection rules (src/inspect/rules.c) and `fanghu inspect draw` (src/cli_inspect.c):
 * the 双随机 draw is reproducible from its seed (a known-answer vector pins the algorithm),
 * never puts an inspector on a target of his own group, refuses impossible draws without
 * drawing, and is unbiased (every permutation and every eligible inspector equally likely);
 * points and the quantified score are exact; the checklist reader reports every bad row. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "csv.h"
#include "err.h"
#include "inspect/rules.h"
#include "json.h"

int cmd_inspect(int argc, char **argv);

static const char SEED[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void seed_from(unsigned counter, unsigned char seed[INSPECT_SEED_BYTES])
{
    memset(seed, 0, INSPECT_SEED_BYTES);
    memcpy(seed, &counter, sizeof counter);
}

static void test_seed_parse(void **state)
{
    (void)state;
    unsigned char seed[INSPECT_SEED_BYTES];
    assert_int_equal(inspect_seed_parse(SEED, seed), ERR_OK);
    assert_int_equal(seed[0], 0);
    assert_int_equal(seed[31], 0x1f);
    char upper[65];
    for (int i = 0; i < 64; i++)
        upper[i] = (char)(SEED[i] >= 'a' ? SEED[i] - 32 : SEED[i]);
    upper[64] = '\0';
    assert_int_equal(inspect_seed_parse(upper, seed), ERR_OK);
    assert_int_equal(seed[10], 0x0a);
    const char *bad[] = {NULL,
                         "",
                         "00",
                         SEED + 1,
                         "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(inspect_seed_parse(bad[i], seed), ERR_VALIDATION);
        assert_string_equal(err_last()->field, "seed");
    }
}

/* A pool of ten organisations in four groups (and two without a group), six inspectors. */
static const struct draw_target POOL[] = {
    {"11", "甲省公司", "10"}, {"12", "甲市公司", "10"}, {"21", "乙省公司", "20"},
    {"22", "乙市公司", "20"}, {"31", "丙公司", "30"},   {"41", "丁公司", "40"},
    {"42", "丁分公司", "40"}, {"51", "戊公司", NULL},   {"61", "己公司", ""},
    {"13", "甲县公司", "10"},
};
static const struct draw_inspector INSPECTORS[] = {
    {"1", "10"}, {"2", "20"}, {"3", NULL}, {"4", "30"}, {"5", ""}, {"6", "10"},
};
enum { NP = sizeof POOL / sizeof POOL[0], NI = sizeof INSPECTORS / sizeof INSPECTORS[0] };

static int same_group(const struct draw_target *t, const struct draw_inspector *i)
{
    return t->group && *t->group && i->group && *i->group && !strcmp(t->group, i->group);
}

static void test_reproducible(void **state)
{
    (void)state;
    unsigned char seed[INSPECT_SEED_BYTES];
    assert_int_equal(inspect_seed_parse(SEED, seed), ERR_OK);
    struct draw_result a, b;
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 4, 2, &a), ERR_OK);
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 4, 2, &b), ERR_OK);
    assert_int_equal(a.n, 4);
    assert_int_equal(a.team_size, 2);
    assert_memory_equal(a.targets, b.targets, 4 * sizeof *a.targets);
    assert_memory_equal(a.teams, b.teams, 8 * sizeof *a.teams);
    /* distinct targets, distinct team members */
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(a.targets[i], a.targets[j]);
        assert_int_not_equal(a.teams[2 * i], a.teams[2 * i + 1]);
    }
    inspect_draw_release(&b);
    /* The algorithm is pinned: this vector (checked against an independent implementation over
     * the ChaCha20 of Python's cryptography package) changes only with a new algorithm. */
    static const size_t want_targets[4] = {1, 4, 8, 9};
    static const size_t want_teams[8] = {4, 1, 0, 5, 3, 1, 1, 4};
    if (memcmp(a.targets, want_targets, sizeof want_targets) ||
        memcmp(a.teams, want_teams, sizeof want_teams))
        fail_msg("known answer changed: targets %zu %zu %zu %zu, teams %zu %zu %zu %zu %zu %zu %zu "
                 "%zu",
                 a.targets[0], a.targets[1], a.targets[2], a.targets[3], a.teams[0], a.teams[1],
                 a.teams[2], a.teams[3], a.teams[4], a.teams[5], a.teams[6], a.teams[7]);
    inspect_draw_release(&a);
    /* another seed, another draw */
    seed[0] ^= 1;
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, NP, 2, &a), ERR_OK);
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, NP, 2, &b), ERR_OK);
    assert_memory_equal(a.targets, b.targets, NP * sizeof *a.targets);
    inspect_draw_release(&a);
    inspect_draw_release(&b);
}

/* R10: no inspector on a target of his own group, over many seeds and the whole pool. */
static void test_exclusion(void **state)
{
    (void)state;
    unsigned char seed[INSPECT_SEED_BYTES];
    for (unsigned c = 0; c < 500; c++) {
        struct draw_result r;
        seed_from(c, seed);
        assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, NP, 3, &r), ERR_OK);
        for (size_t k = 0; k < r.n; k++)
            for (size_t j = 0; j < 3; j++) {
                const struct draw_target *t = &POOL[r.targets[k]];
                const struct draw_inspector *i = &INSPECTORS[r.teams[k * 3 + j]];
                if (same_group(t, i))
                    fail_msg("seed %u: inspector %s on %s of his own group", c, i->id, t->id);
            }
        inspect_draw_release(&r);
    }
}

/* Refusals: nothing drawn, the field named. */
static void test_refusals(void **state)
{
    (void)state;
    unsigned char seed[INSPECT_SEED_BYTES] = {0};
    struct draw_result r;
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, NP + 1, 1, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "n");
    assert_null(r.targets);
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 0, 1, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "n");
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 1, NI + 1, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "team_size");
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 1, 0, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "team_size");
    /* group 10 has two of the six inspectors: teams of five cannot avoid them */
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 1, 5, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "inspectors");
    assert_non_null(strstr(err_last()->msg, "甲省公司"));
    assert_null(r.targets);
    /* ... whichever target the seed would draw: the whole pool is checked first */
    for (unsigned c = 0; c < 50; c++) {
        seed_from(c, seed);
        assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, 1, 5, &r), ERR_VALIDATION);
    }
    /* teams of four are possible for every target */
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, NI, NP, 4, &r), ERR_OK);
    inspect_draw_release(&r);
    const struct draw_target dup_pool[] = {{"1", "a", NULL}, {"2", "b", NULL}, {"1", "c", NULL}};
    assert_int_equal(inspect_draw(seed, dup_pool, 3, INSPECTORS, NI, 1, 1, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "pool");
    const struct draw_inspector dup_insp[] = {{"7", NULL}, {"7", NULL}};
    assert_int_equal(inspect_draw(seed, POOL, NP, dup_insp, 2, 1, 1, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "inspectors");
    assert_int_equal(inspect_draw(seed, POOL, NP, INSPECTORS, 0, 1, 1, &r), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "team_size");
}

/* Unbiased: with three targets, the six orders come out equally often; with a pool of seven
 * (not a power of two) each one is drawn first equally often; each eligible inspector is
 * equally likely on a team. Bounds are about five standard deviations. */
static void test_uniform(void **state)
{
    (void)state;
    unsigned char seed[INSPECT_SEED_BYTES];
    const struct draw_target three[] = {{"a", NULL, NULL}, {"b", NULL, NULL}, {"c", NULL, NULL}};
    const struct draw_inspector one[] = {{"x", NULL}};
    enum { ROUNDS = 12000 };
    int perms[6] = {0};
    for (unsigned c = 0; c < ROUNDS; c++) {
        struct draw_result r;
        seed_from(c, seed);
        assert_int_equal(inspect_draw(seed, three, 3, one, 1, 3, 1, &r), ERR_OK);
        int code = (int)(r.targets[0] * 2 + (r.targets[1] > r.targets[2] ? 1 : 0));
        perms[code]++;
        inspect_draw_release(&r);
    }
    for (int p = 0; p < 6; p++)
        if (perms[p] < ROUNDS / 6 - 210 || perms[p] > ROUNDS / 6 + 210)
            fail_msg("order %d drawn %d times of %d", p, perms[p], ROUNDS);

    struct draw_target seven[7];
    static const char *const ids[] = {"1", "2", "3", "4", "5", "6", "7"};
    for (int i = 0; i < 7; i++)
        seven[i] = (struct draw_target){ids[i], NULL, NULL};
    /* inspectors: two of the target group "g" never drawn for it, the other five equally */
    const struct draw_inspector insp[] = {{"i1", "g"}, {"i2", NULL}, {"i3", NULL}, {"i4", "g"},
                                          {"i5", "h"}, {"i6", NULL}, {"i7", "k"}};
    const struct draw_target target_g[] = {{"t", "t", "g"}};
    int first[7] = {0}, member[7] = {0};
    for (unsigned c = 0; c < 14000; c++) {
        struct draw_result r;
        seed_from(c + 100000, seed);
        assert_int_equal(inspect_draw(seed, seven, 7, one, 1, 1, 1, &r), ERR_OK);
        first[r.targets[0]]++;
        inspect_draw_release(&r);
        assert_int_equal(inspect_draw(seed, target_g, 1, insp, 7, 1, 2, &r), ERR_OK);
        member[r.teams[0]]++;
        member[r.teams[1]]++;
        inspect_draw_release(&r);
    }
    for (int i = 0; i < 7; i++)
        if (first[i] < 2000 - 210 || first[i] > 2000 + 210)
            fail_msg("target %d first %d times of 14000", i, first[i]);
    assert_int_equal(member[0], 0);
    assert_int_equal(member[3], 0);
    /* 28000 places over five eligible inspectors: 5600 each */
    for (int i = 0; i < 7; i++)
        if (i != 0 && i != 3 && (member[i] < 5600 - 300 || member[i] > 5600 + 300))
            fail_msg("inspector %d on %d teams of 14000", i, member[i]);
}

static json_t *pool_json(void)
{
    json_t *p = json_array();
    for (size_t i = 0; i < NP; i++)
        json_array_append_new(p, json_pack("{s:s,s:s,s:s?}", "org_id", POOL[i].id, "name",
                                           POOL[i].name, "group_id",
                                           POOL[i].group && *POOL[i].group ? POOL[i].group : NULL));
    return p;
}

static json_t *inspectors_json(void)
{
    json_t *p = json_array();
    for (size_t i = 0; i < NI; i++)
        json_array_append_new(
            p, json_pack("{s:s,s:s,s:s?}", "id", INSPECTORS[i].id, "name", "检查员", "group_id",
                         INSPECTORS[i].group && *INSPECTORS[i].group ? INSPECTORS[i].group : NULL));
    return p;
}

/* The JSON form the API records and the CLI reads gives the same draw as the arrays. */
static void test_draw_json(void **state)
{
    (void)state;
    json_t *pool = pool_json(), *insp = inspectors_json(), *result, *again;
    assert_int_equal(inspect_draw_json(SEED, pool, insp, 4, 2, &result), ERR_OK);
    assert_int_equal(json_array_size(result), 4);
    assert_string_equal(json_str(json_array_get(result, 0), "org_id"), "12");
    assert_string_equal(json_str(json_array_get(result, 0), "name"), "甲市公司");
    json_t *team = json_object_get(json_array_get(result, 0), "team");
    assert_string_equal(json_str(json_array_get(team, 0), "id"), "5");
    assert_string_equal(json_str(json_array_get(team, 1), "id"), "2");
    assert_int_equal(inspect_draw_json(SEED, pool, insp, 4, 2, &again), ERR_OK);
    assert_true(json_equal(result, again));
    json_decref(again);
    json_decref(result);
    json_array_append_new(pool, json_pack("{s:s}", "name", "没有编号"));
    assert_int_equal(inspect_draw_json(SEED, pool, insp, 4, 2, &result), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "pool");
    assert_int_equal(inspect_draw_json("abc", pool, insp, 4, 2, &result), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "seed");
    json_decref(pool);
    json_decref(insp);
}

static void test_points(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long centi;
    } ok[] = {{"2", 200}, {"0.5", 50},        {"12.25", 1225}, {" 3 ", 300},
              {"0", 0},   {"10000", 1000000}, {"0.05", 5},     {"7.10", 710}};
    long long v;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(inspect_points_parse(ok[i].in, "s", &v), ERR_OK);
        assert_int_equal(v, ok[i].centi);
    }
    const char *bad[] = {"1.234", "-1", "abc", "", "2.", ".5", "10000.01", "1e2", "1,5", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (inspect_points_parse(bad[i], "max_score", &v) != ERR_VALIDATION)
            fail_msg("accepted %s", bad[i] ? bad[i] : "NULL");
        assert_string_equal(err_last()->field, "max_score");
    }
    char out[24];
    inspect_points_format(200, out);
    assert_string_equal(out, "2");
    inspect_points_format(50, out);
    assert_string_equal(out, "0.5");
    inspect_points_format(1225, out);
    assert_string_equal(out, "12.25");
    inspect_points_format(5, out);
    assert_string_equal(out, "0.05");
    inspect_points_format(0, out);
    assert_string_equal(out, "0");
    /* the quantified score: score / max as a percentage, exact, half up */
    assert_int_equal(inspect_percent_centi(875, 1000), 8750);
    assert_int_equal(inspect_percent_centi(100, 300), 3333);
    assert_int_equal(inspect_percent_centi(200, 300), 6667);
    assert_int_equal(inspect_percent_centi(1, 8), 1250);
    assert_int_equal(inspect_percent_centi(1, 80000), 0); /* 0.00125 % */
    assert_int_equal(inspect_percent_centi(1, 16000), 1); /* 0.00625 % → 0.01 */
    assert_int_equal(inspect_percent_centi(5, 0), 0);
}

static enum err read_csv(struct arena *a, const char *text, struct checklist_item **items,
                         size_t *n, json_t *errors)
{
    struct tab t;
    enum err rc = csv_read(a, text, strlen(text), NULL, &t);
    return rc ? rc : inspect_checklist_read(a, &t, items, n, errors);
}

static void test_checklist(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct checklist_item *items;
    size_t n;
    json_t *errors = json_array();
    assert_int_equal(read_csv(&a,
                              "area,point,method,evidence,score,max score\n"
                              "网络安全,边界访问控制,查看配置,配置截图,未配置扣 2 分,2\n"
                              ",,,,,\n"
                              "管理,应急预案,查阅文件,,,0.5\n",
                              &items, &n, errors),
                     ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].area, "网络安全");
    assert_string_equal(items[0].criteria, "未配置扣 2 分");
    assert_int_equal(items[0].max_centi, 200);
    assert_int_equal(items[1].line, 4);
    assert_string_equal(items[1].evidence, "");
    assert_int_equal(items[1].max_centi, 50);

    assert_int_equal(read_csv(&a,
                              "检查领域,检查要点,检查方法,佐证材料,评分标准,分值\n"
                              "主机,审计,查看,日志,,1\n",
                              &items, &n, errors),
                     ERR_OK);
    assert_int_equal(n, 1);

    /* every bad row, nothing read */
    assert_int_equal(read_csv(&a,
                              "area,point,method,evidence,score,max score\n"
                              "网络安全,边界,查看,,,2\n"
                              ",要点,方法,,,1\n"
                              "主机,审计,,,,x\n"
                              "网络安全,边界,查看,,,2\n",
                              &items, &n, errors),
                     ERR_VALIDATION);
    assert_string_equal(err_last()->field, "file");
    assert_int_equal(n, 0);
    static const struct {
        int line;
        const char *field;
    } want[] = {{3, "area"}, {4, "method"}, {4, "max_score"}, {5, "point"}};
    assert_int_equal(json_array_size(errors), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(errors, i);
        assert_int_equal(json_int(e, "line", 0), want[i].line);
        assert_string_equal(json_str(e, "field"), want[i].field);
    }
    json_array_clear(errors);
    assert_int_equal(read_csv(&a, "area,point,method,score\nx,y,z,1\n", &items, &n, errors),
                     ERR_VALIDATION);
    assert_int_equal(json_array_size(errors), 2); /* evidence and max score missing */
    assert_string_equal(json_str(json_array_get(errors, 0), "field"), "evidence");
    assert_string_equal(json_str(json_array_get(errors, 1), "field"), "max_score");
    json_array_clear(errors);
    assert_int_equal(
        read_csv(&a, "area,point,method,evidence,score,max score\n", &items, &n, errors),
        ERR_VALIDATION);
    json_decref(errors);
    arena_release(&a);
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/fanghu-inspect-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int run_cli(int argc, const char **argv)
{
    char *copy[16];
    for (int i = 0; i < argc; i++)
        copy[i] = (char *)(uintptr_t)argv[i];
    return cmd_inspect(argc, copy);
}

/* `fanghu inspect draw`: the result, --verify against the recorded result and a tampered one. */
static void test_cli(void **state)
{
    (void)state;
    json_t *pool = pool_json(), *insp = inspectors_json(), *result;
    assert_int_equal(inspect_draw_json(SEED, pool, insp, 4, 2, &result), ERR_OK);
    char *pool_s = json_dump(pool), *insp_s = json_dump(insp);
    json_t *record = json_pack("{s:s,s:o}", "seed", SEED, "result", result);
    char *rec_s = json_dump(record);
    char *pool_f = write_temp(pool_s), *insp_f = write_temp(insp_s), *rec_f = write_temp(rec_s);
    const char *ok[] = {"draw", "--seed", SEED, "--pool",      pool_f, "--inspectors",
                        insp_f, "--n",    "4",  "--team-size", "2",    "--verify",
                        rec_f};
    assert_int_equal(run_cli(13, ok), 0);
    const char *eq[] = {"draw",
                        "--seed="
                        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                        "--pool",
                        pool_f,
                        "--inspectors",
                        insp_f,
                        "--n=4",
                        "--verify",
                        rec_f};
    assert_int_equal(run_cli(9, eq), 0); /* team size 2 by default */
    const char *other[] = {"draw", "--seed", SEED, "--pool",      pool_f, "--inspectors",
                           insp_f, "--n",    "4",  "--team-size", "3",    "--verify",
                           rec_f};
    assert_int_equal(run_cli(13, other), 1);
    const char *missing[] = {"draw", "--seed", SEED, "--pool", pool_f, "--n", "4"};
    assert_int_equal(run_cli(7, missing), 2);
    const char *too_many[] = {"draw",         "--seed", SEED,  "--pool", pool_f,
                              "--inspectors", insp_f,   "--n", "11"};
    assert_int_equal(run_cli(9, too_many), 2);
    const char *unknown[] = {"draw", "--seed", SEED, "--pool",  pool_f, "--inspectors",
                             insp_f, "--n",    "1",  "--bogus", "1"};
    assert_int_equal(run_cli(11, unknown), 2);
    unlink(pool_f);
    unlink(insp_f);
    unlink(rec_f);
    free(pool_f);
    free(insp_f);
    free(rec_f);
    free(pool_s);
    free(insp_s);
    free(rec_s);
    json_decref(record);
    json_decref(pool);
    json_decref(insp);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_parse), cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_exclusion),  cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_uniform),    cmocka_unit_test(test_draw_json),
        cmocka_unit_test(test_points),     cmocka_unit_test(test_checklist),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
