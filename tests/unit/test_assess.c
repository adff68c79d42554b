/* 符合性评测 and uploads (src/assess/rules.c) and the R7 matrix tables as data (src/risk/store.c):
 * the exact score with N/A excluded and round half up, manual scores, date order, import
 * columns, file kinds by their bytes (zip containers built here), cleaned file names, the
 * Content-Disposition header, and reading a matrix table from JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "assess/rules.h"
#include "err.h"
#include "risk/risk.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- score ---- */

/* The same rule by another route: quotient and remainder, half up. */
static long long hundredths_ref(long long passed, long long failed)
{
    long long total = passed + failed, q = passed * 10000 / total, rem = passed * 10000 % total;
    return q + (2 * rem >= total);
}

static void test_score(void **state)
{
    (void)state;
    static const struct {
        long long passed, failed;
        const char *want;
    } cases[] = {
        {2, 1, "66.67"},   {1, 2, "33.33"},    {7, 1, "87.50"},
        {1, 0, "100.00"},  {0, 5, "0.00"},     {1, 6, "14.29"},
        {1, 31, "3.13"},   {1, 79, "1.25"},    {35, 5, "87.50"},
        {199, 1, "99.50"}, {1999, 1, "99.95"}, {19999, 1, "100.00"}, /* 99.995 rounds half up */
    };
    char out[16];
    for (size_t i = 0; i < N_OF(cases); i++) {
        assert_int_equal(assess_score(cases[i].passed, cases[i].failed, out), 1);
        assert_string_equal(out, cases[i].want);
    }
    assert_int_equal(assess_score(0, 0, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(assess_score(-1, 2, out), 0);
    for (long long p = 0; p <= 120; p++)
        for (long long f = 0; f <= 120; f++) {
            if (!p && !f)
                continue;
            long long h = hundredths_ref(p, f);
            char want[48];
            snprintf(want, sizeof want, "%lld.%02lld", h / 100, h % 100);
            assess_score(p, f, out);
            if (strcmp(out, want))
                fail_msg("assess_score(%lld, %lld) = %s, want %s", p, f, out, want);
        }
}

static void test_score_parse(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"0", "0.00"},       {"100", "100.00"},    {"87.5", "87.50"}, {"87.55", "87.55"},
        {"100.0", "100.00"}, {"100.00", "100.00"}, {"05", "5.00"},    {"99.99", "99.99"},
    };
    char out[16];
    for (size_t i = 0; i < N_OF(good); i++) {
        assert_int_equal(assess_score_parse(good[i][0], "score", out), ERR_OK);
        assert_string_equal(out, good[i][1]);
    }
    static const char *const bad[] = {"",    "-1",  "100.01", "101", "87.",  ".5",   "87.555",
                                      "abc", "1e2", " 87",    "87 ", "1000", "9.9.9"};
    for (size_t i = 0; i < N_OF(bad); i++) {
        if (assess_score_parse(bad[i], "score", out) != ERR_VALIDATION)
            fail_msg("accepted score \"%s\"", bad[i]);
        assert_string_equal(err_last()->field, "score");
    }
    assert_int_equal(assess_score_parse(NULL, "score", out), ERR_VALIDATION);
}

/* ---- dates ---- */

static void test_dates(void **state)
{
    (void)state;
    struct date today = {2026, 3, 10};
    assert_int_equal(assess_dates_check("2026-01-05", NULL, today, "s", "e"), ERR_OK);
    assert_int_equal(assess_dates_check("2026-01-05", "2026-02-01", today, "s", "e"), ERR_OK);
    assert_int_equal(assess_dates_check("2026-03-10", "2026-03-10", today, "s", "e"), ERR_OK);
    /* a planned assessment may start in the future while it has not ended */
    assert_int_equal(assess_dates_check("2026-05-01", NULL, today, "s", "e"), ERR_OK);

    assert_int_equal(assess_dates_check("2026-02-01", "2026-01-31", today, "s", "e"),
                     ERR_VALIDATION);
    assert_string_equal(err_last()->field, "s,e");
    assert_int_equal(assess_dates_check("2026-02-01", "2026-03-11", today, "s", "e"),
                     ERR_VALIDATION);
    assert_string_equal(err_last()->field, "e");
    assert_int_equal(assess_dates_check("2026-04-01", "2026-04-02", today, "s", "e"),
                     ERR_VALIDATION);
    assert_string_equal(err_last()->field, "e");
    assert_int_equal(assess_dates_check("2026-02-30", NULL, today, "s", "e"), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "s");
    assert_int_equal(assess_dates_check(NULL, NULL, today, "s", "e"), ERR_VALIDATION);
    assert_int_equal(assess_dates_check("2026-01-01", "20260102", today, "s", "e"), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "e");
}

/* ---- import columns ---- */

static void test_checklist_columns(void **state)
{
    (void)state;
    int col[CL__COUNT];
    const char *en[] = {"序号", "area", "requirement", "method"};
    struct tab_row row = {4, en, 1};
    assert_int_equal(assess_checklist_columns(&row, col), 0);
    for (int c = 0; c < CL__COUNT; c++)
        assert_int_equal(col[c], c);

    const char *zh[] = {"备注", " 检测方法 ", "检查域", "编号", "安全要求"};
    row = (struct tab_row){5, zh, 1};
    assert_int_equal(assess_checklist_columns(&row, col), 0);
    assert_int_equal(col[CL_NO], 3);
    assert_int_equal(col[CL_AREA], 2);
    assert_int_equal(col[CL_REQUIREMENT], 4);
    assert_int_equal(col[CL_METHOD], 1);

    const char *mixed[] = {"ITEM_NO", "Area", "REQUIREMENT"};
    row = (struct tab_row){3, mixed, 1};
    assert_int_equal(assess_checklist_columns(&row, col), 1);
    assert_int_equal(col[CL_NO], 0);
    assert_int_equal(col[CL_METHOD], -1);
    assert_string_equal(assess_checklist_column_name(CL_METHOD), "method");

    row = (struct tab_row){0, NULL, 1};
    assert_int_equal(assess_checklist_columns(&row, col), CL__COUNT);
    assert_int_equal(assess_checklist_columns(NULL, col), CL__COUNT);
}

/* ---- file kinds ---- */

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, unsigned long v)
{
    put16(p, (unsigned)(v & 0xffff));
    put16(p + 2, (unsigned)(v >> 16));
}

/* A zip of stored entries; the caller frees. */
static unsigned char *make_zip(const char *const *names, size_t n, size_t *len)
{
    static const char content[] = "<x/>";
    size_t cap = 4096, off = 0, cd_off;
    unsigned char *z = calloc(1, cap), *cd = calloc(1, 2048);
    size_t cd_len = 0;
    unsigned long crc = crc32(0, (const Bytef *)content, sizeof content - 1);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(names[i]), dl = sizeof content - 1;
        unsigned char *h = z + off;
        put32(h, 0x04034b50);
        put16(h + 4, 20);
        put32(h + 14, crc);
        put32(h + 18, dl);
        put32(h + 22, dl);
        put16(h + 26, (unsigned)nl);
        memcpy(h + 30, names[i], nl);
        memcpy(h + 30 + nl, content, dl);
        unsigned char *c = cd + cd_len;
        put32(c, 0x02014b50);
        put16(c + 4, 20);
        put16(c + 6, 20);
        put32(c + 16, crc);
        put32(c + 20, dl);
        put32(c + 24, dl);
        put16(c + 28, (unsigned)nl);
        put32(c + 42, off);
        memcpy(c + 46, names[i], nl);
        cd_len += 46 + nl;
        off += 30 + nl + dl;
    }
    cd_off = off;
    memcpy(z + off, cd, cd_len);
    off += cd_len;
    unsigned char *e = z + off;
    put32(e, 0x06054b50);
    put16(e + 8, (unsigned)n);
    put16(e + 10, (unsigned)n);
    put32(e + 12, cd_len);
    put32(e + 16, cd_off);
    off += 22;
    free(cd);
    *len = off;
    return z;
}

static enum file_kind kind_of_zip(const char *const *names, size_t n)
{
    size_t len;
    unsigned char *z = make_zip(names, n, &len);
    enum file_kind k = assess_file_kind(z, len);
    free(z);
    return k;
}

static void test_file_kind(void **state)
{
    (void)state;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'};
    assert_int_equal(assess_file_kind("%PDF-1.7\n%\xe2\xe3", 12), FILE_PDF);
    assert_int_equal(assess_file_kind(png, sizeof png), FILE_PNG);
    assert_int_equal(assess_file_kind(jpeg, sizeof jpeg), FILE_JPEG);
    assert_int_equal(assess_file_kind("%PDF-", 5), FILE_NONE); /* too short to be anything */
    assert_int_equal(assess_file_kind("hello, world", 12), FILE_NONE);
    assert_int_equal(assess_file_kind("MZ\x90\0\3\0\0\0\4\0", 10), FILE_NONE);
    assert_int_equal(assess_file_kind(" %PDF-1.4 late", 14), FILE_NONE);
    assert_int_equal(assess_file_kind(NULL, 0), FILE_NONE);
    assert_int_equal(
        assess_file_kind("PK\3\4 broken zip of no use", strlen("PK\3\4 broken zip of no use")),
        FILE_NONE);

    const char *docx[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml"};
    const char *xlsx[] = {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"};
    const char *docm[] = {"[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"};
    const char *xlsm[] = {"[Content_Types].xml", "xl/workbook.xml", "xl/VBAPROJECT.BIN"};
    const char *jar[] = {"META-INF/MANIFEST.MF", "a/B.class"};
    const char *no_types[] = {"word/document.xml"};
    assert_int_equal(kind_of_zip(docx, N_OF(docx)), FILE_DOCX);
    assert_int_equal(kind_of_zip(xlsx, N_OF(xlsx)), FILE_XLSX);
    assert_int_equal(kind_of_zip(docm, N_OF(docm)), FILE_MACRO);
    assert_int_equal(kind_of_zip(xlsm, N_OF(xlsm)), FILE_MACRO);
    assert_int_equal(kind_of_zip(jar, N_OF(jar)), FILE_NONE);
    assert_int_equal(kind_of_zip(no_types, N_OF(no_types)), FILE_NONE);
    /* A central directory announcing more entries than a document has is not even opened. */
    size_t len;
    unsigned char *z = make_zip(docx, N_OF(docx), &len);
    put16(z + len - 22 + 10, 20000);
    assert_int_equal(assess_file_kind(z, len), FILE_NONE);
    put16(z + len - 22 + 10, 0xffff);
    assert_int_equal(assess_file_kind(z, len), FILE_NONE);
    free(z);

    assert_string_equal(assess_file_media_type(FILE_PDF), "application/pdf");
    assert_string_equal(assess_file_media_type(FILE_XLSX),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_null(assess_file_media_type(FILE_NONE));
    assert_null(assess_file_media_type(FILE_MACRO));
    assert_true(assess_file_ext_matches(FILE_PDF, "报告.PDF"));
    assert_true(assess_file_ext_matches(FILE_JPEG, "a.jpeg"));
    assert_true(assess_file_ext_matches(FILE_JPEG, "a.JPG"));
    assert_false(assess_file_ext_matches(FILE_PDF, "a.pdf.exe"));
    assert_false(assess_file_ext_matches(FILE_PDF, ".pdf"));
    assert_false(assess_file_ext_matches(FILE_DOCX, "a.doc"));
    assert_false(assess_file_ext_matches(FILE_NONE, "a.pdf"));
    assert_false(assess_file_ext_matches(FILE_PNG, NULL));
}

/* ---- names ---- */

static void test_file_name(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"C:\\Users\\张三\\报告.pdf", "报告.pdf"},
        {"../../etc/passwd", "passwd"},
        {"  评测报告（终稿）.docx  ", "评测报告（终稿）.docx"},
        {"a b.pdf", "a b.pdf"},
    };
    char out[256];
    for (size_t i = 0; i < N_OF(good); i++) {
        assert_int_equal(assess_file_name(good[i][0], "name", out), ERR_OK);
        assert_string_equal(out, good[i][1]);
    }
    char longest[202];
    memset(longest, 'a', 201);
    longest[201] = '\0';
    static const char *const bad[] = {"",          "   ",       "dir/",         "..",
                                      ".",         "a\x01.pdf", "\xff\xfe.pdf", "a\xc2\x85.pdf",
                                      "a\x7f.pdf", NULL};
    for (size_t i = 0; i < N_OF(bad); i++) {
        if (assess_file_name(bad[i], "name", out) != ERR_VALIDATION)
            fail_msg("accepted name %zu", i);
        assert_string_equal(err_last()->field, "name");
    }
    assert_int_equal(assess_file_name(longest, "name", out), ERR_VALIDATION);
    longest[200] = '\0';
    assert_int_equal(assess_file_name(longest, "name", out), ERR_OK);
}

static void test_content_disposition(void **state)
{
    (void)state;
    char out[512];
    assess_content_disposition("report-2026.pdf", out, sizeof out);
    assert_string_equal(out, "attachment; filename=\"report-2026.pdf\"; "
                             "filename*=UTF-8''report-2026.pdf");
    assess_content_disposition("报告.pdf", out, sizeof out);
    assert_string_equal(out, "attachment; filename=\"__.pdf\"; "
                             "filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf");
    assess_content_disposition("a\"b\\c;d%e f.pdf", out, sizeof out);
    assert_string_equal(out, "attachment; filename=\"a_b_c_d_e f.pdf\"; "
                             "filename*=UTF-8''a%22b%5Cc%3Bd%25e%20f.pdf");
    /* Truncation never splits an escape or a character. */
    char small[80];
    assess_content_disposition("报告报告报告报告报告.pdf", small, sizeof small);
    size_t n = strlen(small);
    assert_true(n < sizeof small);
    const char *star = strstr(small, "UTF-8''");
    assert_non_null(star);
    size_t tail = strlen(star + 7);
    assert_int_equal(tail, 18); /* two whole characters of three escaped bytes each */
    /* Too small for the header's fixed part: a bare "attachment". */
    char tiny[24];
    assess_content_disposition("a-rather-long-file-name.pdf", tiny, sizeof tiny);
    assert_string_equal(tiny, "attachment");
}

/* ---- R7 matrix tables as data ---- */

static json_t *matrix_json(int lik, int loss, int risk, const char *bands)
{
    json_t *m = json_object();
    const char *keys[] = {"likelihood", "loss", "risk"};
    int vals[] = {lik, loss, risk};
    for (int k = 0; k < 3; k++) {
        json_t *rows = json_array();
        for (int i = 0; i < 5; i++) {
            json_t *r = json_array();
            for (int j = 0; j < 5; j++)
                json_array_append_new(r, json_integer(vals[k]));
            json_array_append_new(rows, r);
        }
        json_object_set_new(m, keys[k], rows);
    }
    json_object_set_new(m, "band_min", json_loads(bands, 0, NULL));
    json_object_set_new(m, "version", json_string("v-test"));
    return m;
}

static void test_matrix_json(void **state)
{
    (void)state;
    struct risk_matrix m;
    char version[65];
    /* The default round-trips. */
    json_t *d = risk_matrix_to_json(risk_matrix_default());
    assert_int_equal(risk_matrix_from_json(d, &m, version), ERR_OK);
    assert_string_equal(m.version, risk_matrix_default()->version);
    assert_ptr_equal(m.version, version);
    assert_memory_equal(m.risk, risk_matrix_default()->risk, sizeof m.risk);
    assert_memory_equal(m.band_min, risk_matrix_default()->band_min, sizeof m.band_min);
    json_decref(d);

    json_t *ok = matrix_json(2, 3, 10, "[1,5,9,15,20]");
    assert_int_equal(risk_matrix_from_json(ok, &m, version), ERR_OK);
    struct risk_result res;
    assert_int_equal(risk_calc_matrix(&m, 4, 3, 5, &res), ERR_OK);
    assert_int_equal(res.value, 10);
    assert_int_equal(res.level, 3);
    assert_string_equal(res.version, "v-test");
    json_decref(ok);

    static const struct {
        int lik, loss, risk;
        const char *bands, *field;
    } bad[] = {
        {6, 3, 10, "[1,5,9,15,20]", "matrix"},   {2, 0, 10, "[1,5,9,15,20]", "loss"},
        {2, 3, 10, "[1,5,5,15,20]", "band_min"}, {2, 3, 10, "[1,5,9,15]", "band_min"},
        {2, 3, 1, "[2,5,9,15,20]", "matrix"},    {2, 3, 1001, "[1,5,9,15,20]", "risk"},
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        json_t *j = matrix_json(bad[i].lik, bad[i].loss, bad[i].risk, bad[i].bands);
        assert_int_equal(risk_matrix_from_json(j, &m, version), ERR_VALIDATION);
        if (strcmp(err_last()->field, bad[i].field) && strcmp(err_last()->field, "matrix"))
            fail_msg("case %zu: field %s, want %s", i, err_last()->field, bad[i].field);
        json_decref(j);
    }
    /* A row of four, a string cell, an empty version. */
    json_t *j = matrix_json(2, 3, 10, "[1,5,9,15,20]");
    json_array_remove(json_array_get(json_object_get(j, "likelihood"), 2), 0);
    assert_int_equal(risk_matrix_from_json(j, &m, version), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "likelihood");
    json_decref(j);
    j = matrix_json(2, 3, 10, "[1,5,9,15,20]");
    json_array_set_new(json_array_get(json_object_get(j, "risk"), 0), 0, json_string("9"));
    assert_int_equal(risk_matrix_from_json(j, &m, version), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "risk");
    json_object_set_new(j, "version", json_string(""));
    assert_int_equal(risk_matrix_from_json(j, &m, version), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "version");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_score_parse),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_checklist_columns),
        cmocka_unit_test(test_file_kind),
        cmocka_unit_test(test_file_name),
        cmocka_unit_test(test_content_disposition),
        cmocka_unit_test(test_matrix_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
