/* Tabular I/O (src/base/csv.c, xlsx.c, xlsxw.c): CSV edge cases and limits, the writer's
 * quoting and formula-injection escape, XLSX written with xlsxw and read back (number cells, a
 * document of several tables under a merged title), a hand-made workbook exercising every cell
 * type, and hostile workbooks (entity bombs, lying sizes, not a zip at all) refused with
 * ERR_VALIDATION. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include <cmocka.h>

#include "arena.h"
#include "csv.h"
#include "sbuf.h"
#include "xlsx.h"
#include "xlsxw.h"
#include "err.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define BOM     "\xEF\xBB\xBF"

/* ---- helpers ---- */

static void assert_row(const struct tab *t, size_t row, const char *const *want, size_t n)
{
    assert_true(row < t->n_rows);
    if (t->rows[row].n_cells != n)
        print_message("row %zu: %zu cells, want %zu\n", row, t->rows[row].n_cells, n);
    assert_int_equal(t->rows[row].n_cells, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(t->rows[row].cells[i], want[i]);
}

#define ROW(t, r, ...)                                                                             \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        assert_row((t), (r), want_, N_OF(want_));                                                  \
    } while (0)

static struct tab csv_ok(struct arena *a, const char *text, size_t len)
{
    struct tab t;
    enum err rc = csv_read(a, text, len, NULL, &t);
    if (rc)
        print_message("csv_read: %s\n", err_last()->msg);
    assert_int_equal(rc, ERR_OK);
    return t;
}

/* The reader refuses text with ERR_VALIDATION on field "file", its message containing needle. */
static void csv_refused(const char *text, size_t len, const struct tab_limits *lim,
                        const char *needle)
{
    struct arena a;
    struct tab t;
    arena_init(&a);
    err_clear();
    assert_int_equal(csv_read(&a, text, len, lim, &t), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "file");
    if (!strstr(err_last()->msg, needle))
        print_message("message \"%s\" lacks \"%s\"\n", err_last()->msg, needle);
    assert_non_null(strstr(err_last()->msg, needle));
    assert_int_equal(t.n_rows, 0);
    arena_release(&a);
}

static void xlsx_refused(const void *data, size_t len, const struct tab_limits *lim,
                         const char *needle)
{
    struct arena a;
    struct tab t;
    arena_init(&a);
    err_clear();
    assert_int_equal(xlsx_read(&a, data, len, NULL, lim, &t), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "file");
    if (!strstr(err_last()->msg, needle))
        print_message("message \"%s\" lacks \"%s\"\n", err_last()->msg, needle);
    assert_non_null(strstr(err_last()->msg, needle));
    assert_int_equal(t.n_rows, 0);
    arena_release(&a);
}

struct zpart {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
};

/* A zip of the parts, built in memory with libzip; free() the result. */
static char *make_zip(const struct zpart *parts, size_t n, size_t *len)
{
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &zerr);
    assert_non_null(src);
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &zerr);
    assert_non_null(za);
    zip_source_keep(src);
    for (size_t i = 0; i < n; i++) {
        size_t size = parts[i].len ? parts[i].len : strlen(parts[i].data);
        zip_source_t *s = zip_source_buffer(za, parts[i].data, size, 0);
        assert_non_null(s);
        assert_true(zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
    assert_int_equal(zip_source_open(src), 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
    zip_int64_t size = zip_source_tell(src);
    assert_true(size > 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
    char *out = malloc((size_t)size);
    assert_int_equal(zip_source_read(src, out, (zip_uint64_t)size), size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&zerr);
    *len = (size_t)size;
    return out;
}

#define NS_MAIN  "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL   "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define REL_TYPE NS_REL "/"

static const char root_rels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";

static const char one_sheet_book[] = "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
                                     "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
                                     "</sheets></workbook>";

static const char one_sheet_rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";

/* A one-sheet workbook with this sheet XML and shared strings (NULL: none). */
static char *make_book(const char *sheet, const char *sst, size_t *len)
{
    struct zpart parts[] = {
        {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", one_sheet_book, 0},
        {"xl/_rels/workbook.xml.rels", one_sheet_rels, 0},
        {"xl/worksheets/sheet1.xml", sheet, 0},
        {"xl/sharedStrings.xml", sst ? sst : "", 0},
    };
    return make_zip(parts, sst ? 5 : 4, len);
}

/* ---- CSV reader ---- */

static void test_csv_basic(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char text[] = "名称,代码,级别\r\n某某市大数据中心,91110000MA01ABCD1X,3\r\n";
    struct tab t = csv_ok(&a, text, strlen(text));
    assert_int_equal(t.n_rows, 2);
    assert_int_equal(t.n_cols, 3);
    ROW(&t, 0, "名称", "代码", "级别");
    ROW(&t, 1, "某某市大数据中心", "91110000MA01ABCD1X", "3");
    assert_int_equal(t.rows[0].line, 1);
    assert_int_equal(t.rows[1].line, 2);

    /* LF line ends, no final line end, empty fields, spaces kept. */
    const char lf[] = "a,,c\n, b ,\nlast";
    t = csv_ok(&a, lf, strlen(lf));
    assert_int_equal(t.n_rows, 3);
    ROW(&t, 0, "a", "", "c");
    ROW(&t, 1, "", " b ", "");
    ROW(&t, 2, "last");

    /* A lone CR ends a line too (old Mac files). */
    t = csv_ok(&a, "a\rb\r", 4);
    assert_int_equal(t.n_rows, 2);
    ROW(&t, 1, "b");
    assert_int_equal(t.rows[1].line, 2);

    /* Empty input, a BOM alone, blank lines alone: no rows. */
    t = csv_ok(&a, NULL, 0);
    assert_int_equal(t.n_rows, 0);
    assert_null(t.rows);
    t = csv_ok(&a, "\xEF\xBB\xBF", 3);
    assert_int_equal(t.n_rows, 0);
    t = csv_ok(&a, "\r\n\n\r\n", 5);
    assert_int_equal(t.n_rows, 0);
    arena_release(&a);
}

static void test_csv_quotes(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char text[] = "\"a \"\"q\"\" b\",\"x,y\",\"\",plain\"quote\n"
                        "\"line1\r\nline2\nline3\",z\r\n"
                        "\"\"\"\",\"end\"";
    struct tab t = csv_ok(&a, text, strlen(text));
    assert_int_equal(t.n_rows, 3);
    ROW(&t, 0, "a \"q\" b", "x,y", "", "plain\"quote");
    /* CRLF inside quotes reads as LF; the next record starts three lines further. */
    ROW(&t, 1, "line1\nline2\nline3", "z");
    ROW(&t, 2, "\"", "end");
    assert_int_equal(t.rows[0].line, 1);
    assert_int_equal(t.rows[1].line, 2);
    assert_int_equal(t.rows[2].line, 5);

    /* A quoted field that is the whole file; a lone CR, then CR + CRLF, inside. */
    t = csv_ok(&a, "\"a\rb\r\r\nc\"", 9);
    ROW(&t, 0, "a\nb\n\nc");
    arena_release(&a);

    csv_refused("a,b\n\"open\nstill open", 19, NULL, "第 2 行：引号未闭合");
    csv_refused("ok\n\"a\"b,c\n", 10, NULL, "第 2 行：引号后出现多余字符");
    csv_refused("\"a\" ,b", 6, NULL, "第 1 行");
}

static void test_csv_bom_and_blank_lines(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char text[] = "\xEF\xBB\xBF"
                        "单位,IP\r\n\r\n甲,10.0.0.1\r\n\r\n\r\n";
    struct tab t = csv_ok(&a, text, strlen(text));
    /* The BOM is not part of the first cell; the inner blank line is a row of no cells; the
     * trailing ones are dropped. */
    assert_int_equal(t.n_rows, 3);
    ROW(&t, 0, "单位", "IP");
    assert_int_equal(t.rows[1].n_cells, 0);
    assert_int_equal(t.rows[1].line, 2);
    ROW(&t, 2, "甲", "10.0.0.1");
    assert_int_equal(t.rows[2].line, 3);
    assert_string_equal(tab_cell(&t, 1, 0), "");

    /* A row of one empty quoted field is not a blank line. */
    t = csv_ok(&a, "\"\"\n", 3);
    assert_int_equal(t.n_rows, 1);
    ROW(&t, 0, "");
    arena_release(&a);
}

static void test_csv_ragged(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char text[] = "a,b,c\n1\n1,2,3,4,5\n,\n";
    struct tab t = csv_ok(&a, text, strlen(text));
    assert_int_equal(t.n_rows, 4);
    assert_int_equal(t.n_cols, 5);
    ROW(&t, 1, "1");
    ROW(&t, 3, "", "");
    assert_string_equal(tab_cell(&t, 1, 2), "");
    assert_string_equal(tab_cell(&t, 2, 4), "5");
    assert_string_equal(tab_cell(&t, 9, 9), "");
    arena_release(&a);
}

static void test_csv_invalid_text(void **state)
{
    (void)state;
    /* "单位" in GBK, as Excel on a Chinese Windows saves "CSV (逗号分隔)". */
    csv_refused("name\n\xB5\xA5\xCE\xBB\n", 10, NULL, "第 2 行：不是 UTF-8 编码");
    csv_refused("a\r\nb\r\n\xFF", 7, NULL, "第 3 行");
    csv_refused("\xC0\xAF", 2, NULL, "第 1 行");         /* overlong "/" */
    csv_refused("\xED\xA0\x80", 3, NULL, "第 1 行");     /* a surrogate */
    csv_refused("\xF4\x90\x80\x80", 4, NULL, "第 1 行"); /* past U+10FFFF */
    csv_refused("ok,\xE4\xB8", 5, NULL, "第 1 行");      /* truncated */
    csv_refused("a\n\"b\nc\"\nd\0e", 11, NULL, "第 4 行：含有空字符");
    /* A UTF-16 file (Excel's "Unicode text"). */
    csv_refused("\xFF\xFE"
                "a\0",
                4, NULL, "第 1 行");
}

static void test_csv_limits(void **state)
{
    (void)state;
    struct tab_limits lim = {.max_bytes = 10};
    csv_refused("0123456789a", 11, &lim, "文件超过 10 字节");

    lim = (struct tab_limits){.max_rows = 2};
    csv_refused("a\nb\nc\n", 6, &lim, "第 3 行：超过 2 行");
    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(csv_read(&a, "a\nb\n", 4, &lim, &t), ERR_OK);

    lim = (struct tab_limits){.max_cols = 3};
    csv_refused("a,b,c\n1,2,3,4\n", 14, &lim, "第 2 行：超过 3 列");
    assert_int_equal(csv_read(&a, "a,b,c\n", 6, &lim, &t), ERR_OK);

    lim = (struct tab_limits){.max_cell = 4};
    csv_refused("abcd\nabcde\n", 11, &lim, "第 2 行：第 1 列超过 4 字节");
    csv_refused("x,\"ab\"\"cd\"\n", 11, &lim, "第 1 行：第 2 列超过 4 字节");
    assert_int_equal(csv_read(&a, "abcd,\"a\"\"c\"\n", 12, &lim, &t), ERR_OK);

    lim = (struct tab_limits){.max_cells = 5};
    csv_refused("a,b,c\nd,e,f\n", 12, &lim, "第 2 行：表格超过 5 个单元格");

    /* Defaults apply to the fields left 0. */
    struct tab_limits resolved;
    tab_limits_resolve(&(struct tab_limits){.max_rows = 7}, &resolved);
    assert_int_equal(resolved.max_rows, 7);
    assert_int_equal(resolved.max_cols, 256);
    assert_int_equal(resolved.max_bytes, 32u << 20);
    arena_release(&a);
}

/* ---- CSV writer ---- */

static void test_csv_write(void **state)
{
    (void)state;
    struct sbuf sb;
    sbuf_init(&sb, 0);
    assert_int_equal(csv_write_bom(&sb), ERR_OK);
    const char *row1[] = {"a", "x,y", "say \"hi\"", "l1\nl2", "", NULL, "单位"};
    assert_int_equal(csv_write_row(&sb, row1, N_OF(row1)), ERR_OK);
    const char *alone[] = {""};
    assert_int_equal(csv_write_row(&sb, alone, 1), ERR_OK);
    assert_int_equal(csv_write_row(&sb, NULL, 0), ERR_OK);
    assert_string_equal(sb.buf, "\xEF\xBB\xBF"
                                "a,\"x,y\",\"say \"\"hi\"\"\",\"l1\nl2\",,,单位\r\n"
                                "\"\"\r\n"
                                "\r\n");

    /* A full buffer leaves what was there. */
    struct sbuf small;
    sbuf_init(&small, 8);
    const char *two[] = {"abc", "de"};
    assert_int_equal(csv_write_row(&small, two, 2), ERR_OK);
    assert_int_equal(csv_write_row(&small, two, 2), ERR_TOO_LARGE);
    assert_string_equal(small.buf, "abc,de\r\n");
    sbuf_release(&small);
    sbuf_release(&sb);
}

static void test_csv_formula_injection(void **state)
{
    (void)state;
    struct sbuf sb;
    sbuf_init(&sb, 0);
    const char *row[] = {"=1+1", "+86 10", "-5",     "@SUM(A1)", "\tx", "=HYPERLINK(\"x\",1)",
                         "a=b",  "ok",     "'quoted"};
    assert_int_equal(csv_write_row(&sb, row, N_OF(row)), ERR_OK);
    assert_string_equal(sb.buf, "'=1+1,'+86 10,'-5,'@SUM(A1),'\tx,\"'=HYPERLINK(\"\"x\"\",1)\","
                                "a=b,ok,'quoted\r\n");
    const char *cr[] = {"\rx"};
    sbuf_reset(&sb);
    assert_int_equal(csv_write_row(&sb, cr, 1), ERR_OK);
    assert_string_equal(sb.buf, "\"'\rx\"\r\n");
    sbuf_release(&sb);
}

static void test_csv_round_trip(void **state)
{
    (void)state;
    static const char *const cells[][4] = {
        {"单位名称", "a,b", "\"", ""},
        {"x\ny", "line\r\nbreak", " sp ", "end\""},
        {"", "", "", "z"},
        {BOM "bom", BOM, "", ""},
    };
    struct sbuf sb;
    struct arena a;
    sbuf_init(&sb, 0);
    arena_init(&a);
    csv_write_bom(&sb);
    for (size_t i = 0; i < N_OF(cells); i++)
        assert_int_equal(csv_write_row(&sb, cells[i], 4), ERR_OK);
    struct tab t = csv_ok(&a, sb.buf, sb.len);
    assert_int_equal(t.n_rows, 4);
    ROW(&t, 0, "单位名称", "a,b", "\"", "");
    ROW(&t, 1, "x\ny", "line\nbreak", " sp ", "end\"");
    ROW(&t, 2, "", "", "", "z");
    assert_int_equal(t.rows[2].line, 5);
    ROW(&t, 3, BOM "bom", BOM, "", "");

    /* Without the file's own BOM, a first cell starting with U+FEFF still reads back. */
    sbuf_reset(&sb);
    assert_int_equal(csv_write_row(&sb, cells[3], 4), ERR_OK);
    t = csv_ok(&a, sb.buf, sb.len);
    ROW(&t, 0, BOM "bom", BOM, "", "");
    arena_release(&a);
    sbuf_release(&sb);
}

/* ---- XLSX: written with xlsxw, read back ---- */

static const char *const units_head[] = {"序号", "单位名称", "统一社会信用代码", "联系电话",
                                         "备注"};
static const char *const units[][5] = {
    {"001", "某某市大数据中心", "91110000MA01ABCD1X", "13800138000", "第一行\n第二行"},
    {"2", "网络安全保卫支队", "", "010-12345678", NULL},
    {"3.14", "=SUM(A1:A2)", "-5", "@x", "+86"},
    {"0012", "Ünïcödé ✓ 𠀀", "1E5", "TRUE", "  空格  "},
};
static const char *const expo_head[] = {"IP", "端口", "服务"};
static const char *const expo[][3] = {
    {"10.0.0.1", "443", "HTTPS"},
    {"2001:db8::1", "22", "SSH 远程管理"},
};

static char *write_workbook(size_t *len)
{
    struct xlsxw *w;
    assert_int_equal(xlsxw_begin(&w), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "单位清单", units_head, N_OF(units_head)), ERR_OK);
    for (size_t i = 0; i < N_OF(units); i++)
        assert_int_equal(xlsxw_row(w, units[i], N_OF(units[i])), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "暴露面", expo_head, N_OF(expo_head)), ERR_OK);
    for (size_t i = 0; i < N_OF(expo); i++)
        assert_int_equal(xlsxw_row(w, expo[i], N_OF(expo[i])), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "空模板", expo_head, N_OF(expo_head)), ERR_OK);
    char *bytes;
    assert_int_equal(xlsxw_finish(w, &bytes, len), ERR_OK);
    assert_non_null(bytes);
    assert_memory_equal(bytes, "PK\3\4", 4);
    return bytes;
}

static void assert_sheet(const struct tab *t, const char *const *head, size_t n_cols,
                         const char *const *rows, size_t n_rows)
{
    assert_int_equal(t->n_rows, n_rows + 1);
    for (size_t c = 0; c < n_cols; c++)
        assert_string_equal(tab_cell(t, 0, c), head[c]);
    for (size_t r = 0; r < n_rows; r++) {
        assert_int_equal(t->rows[r + 1].line, (int)r + 2);
        for (size_t c = 0; c < n_cols; c++) {
            const char *want = rows[r * n_cols + c];
            assert_string_equal(tab_cell(t, r + 1, c), want ? want : "");
        }
    }
}

/* The text of one part of a zip, NUL-terminated; free() it. */
static char *zip_part(const char *data, size_t len, const char *name)
{
    zip_source_t *src = zip_source_buffer_create(data, len, 0, NULL);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, NULL);
    assert_non_null(za);
    zip_stat_t st;
    assert_int_equal(zip_stat(za, name, 0, &st), 0);
    zip_file_t *f = zip_fopen(za, name, 0);
    char *text = calloc(1, (size_t)st.size + 1);
    assert_int_equal(zip_fread(f, text, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    zip_discard(za);
    return text;
}

static void test_xlsx_round_trip(void **state)
{
    (void)state;
    size_t len;
    char *bytes = write_workbook(&len);
    struct arena a;
    struct tab t;
    arena_init(&a);

    assert_int_equal(xlsx_read(&a, bytes, len, NULL, NULL, &t), ERR_OK);
    assert_int_equal(t.n_cols, 5);
    assert_sheet(&t, units_head, 5, &units[0][0], N_OF(units));

    assert_int_equal(xlsx_read(&a, bytes, len, "暴露面", NULL, &t), ERR_OK);
    assert_sheet(&t, expo_head, 3, &expo[0][0], N_OF(expo));

    assert_int_equal(xlsx_read(&a, bytes, len, "空模板", NULL, &t), ERR_OK);
    assert_sheet(&t, expo_head, 3, NULL, 0);

    assert_int_equal(xlsx_read(&a, bytes, len, "不存在", NULL, &t), ERR_VALIDATION);
    assert_string_equal(err_last()->msg, "找不到工作表“不存在”");

    /* tab_read_auto sees the zip magic, whatever the name says. */
    assert_int_equal(tab_read_auto(&a, bytes, len, "units.csv", NULL, &t), ERR_OK);
    assert_sheet(&t, units_head, 5, &units[0][0], N_OF(units));

    /* The header row is frozen and filtered, the columns sized, the text stored as text. */
    char *xml = zip_part(bytes, len, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "ySplit=\"1\""));
    assert_non_null(strstr(xml, "<autoFilter ref=\"A1:E5\""));
    assert_non_null(strstr(xml, "<col "));
    assert_non_null(strstr(xml, "t=\"inlineStr\""));
    assert_null(strstr(xml, "<f>"));
    free(xml);
    arena_release(&a);
    free(bytes);
}

static void test_xlsxw_cleanup_and_errors(void **state)
{
    (void)state;
    struct xlsxw *w;
    assert_int_equal(xlsxw_begin(&w), ERR_OK);
    /* Rows before any sheet go to a default one; bad text is repaired, long text cut. */
    char *long_cell = malloc(40000);
    memset(long_cell, 'x', 39999);
    long_cell[39999] = '\0';
    const char *row[] = {"a\x01"
                         "b",
                         "\xFF"
                         "ok",
                         long_cell, "tab\there"};
    assert_int_equal(xlsxw_row(w, row, N_OF(row)), ERR_OK);
    char *bytes;
    size_t len;
    assert_int_equal(xlsxw_finish(w, &bytes, &len), ERR_OK);
    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(xlsx_read(&a, bytes, len, NULL, NULL, &t), ERR_OK);
    assert_string_equal(tab_cell(&t, 0, 0), "ab");
    assert_string_equal(tab_cell(&t, 0, 1), "\xEF\xBF\xBDok");
    size_t n = strlen(tab_cell(&t, 0, 2));
    assert_true(n <= 32767 && n > 32000);
    assert_string_equal(tab_cell(&t, 0, 2) + n - 3, "…");
    assert_string_equal(tab_cell(&t, 0, 3), "tab\there");
    arena_release(&a);
    free(bytes);
    free(long_cell);

    /* Excel's sheet-name rules; the error sticks; abandoning removes the file. */
    assert_int_equal(xlsxw_begin(&w), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "a/b", NULL, 0), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "sheet");
    assert_int_equal(xlsxw_row(w, row, 1), ERR_VALIDATION);
    xlsxw_free(w);
    assert_int_equal(xlsxw_begin(&w), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "同名", NULL, 0), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "同名", NULL, 0), ERR_VALIDATION);
    assert_int_equal(xlsxw_finish(w, &bytes, &len), ERR_VALIDATION);
    assert_null(bytes);
    xlsxw_free(NULL);
}

/* The XML of cell ref in a sheet part, from "<c r=\"ref\"" to the end of its element, or NULL
 * when the sheet has no such cell; free() it. */
static char *cell_xml(const char *xml, const char *ref)
{
    char open[32];
    snprintf(open, sizeof open, "<c r=\"%s\"", ref);
    const char *p = strstr(xml, open);
    if (!p)
        return NULL;
    const char *end = strchr(p, '>');
    assert_non_null(end);
    end = end[-1] == '/' ? end + 1 : strstr(p, "</c>") + 4;
    return strndup(p, (size_t)(end - p));
}

/* Cell ref is a number cell holding value: no t= attribute (a number is the default type). */
static void assert_number_cell(const char *xml, const char *ref, const char *value)
{
    char *c = cell_xml(xml, ref), want[64];
    assert_non_null(c);
    snprintf(want, sizeof want, "<v>%s</v>", value);
    if (strstr(c, " t=\"") || !strstr(c, want))
        print_message("%s: %s, want a number %s\n", ref, c, value);
    assert_null(strstr(c, " t=\""));
    assert_non_null(strstr(c, want));
    free(c);
}

static void assert_string_cell(const char *xml, const char *ref)
{
    char *c = cell_xml(xml, ref);
    assert_non_null(c);
    assert_non_null(strstr(c, " t=\"inlineStr\""));
    free(c);
}

static void test_xlsxw_typed(void **state)
{
    (void)state;
    static const char *const head[] = {"序号", "编号", "指数", "长号码", "说明", "数量"};
    static const char *const rows[][6] = {
        {"12", "007", "1e5", "13800138000123456789", "文本", "12"},
        {"-3.5", "0", "0.25", "123456789012345", "12 个", "7"},
        {"", NULL, "1.", ".5", "inf", "-"},
    };
    static const bool numeric[] = {true, true, true, true, true, false};
    struct xlsxw *w;
    assert_int_equal(xlsxw_begin(&w), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "数字", head, N_OF(head)), ERR_OK);
    for (size_t i = 0; i < N_OF(rows); i++)
        assert_int_equal(xlsxw_row_typed(w, rows[i], numeric, N_OF(rows[i])), ERR_OK);
    /* numeric NULL is xlsxw_row. */
    assert_int_equal(xlsxw_row_typed(w, rows[0], NULL, N_OF(rows[0])), ERR_OK);
    char *bytes;
    size_t len;
    assert_int_equal(xlsxw_finish(w, &bytes, &len), ERR_OK);

    char *xml = zip_part(bytes, len, "xl/worksheets/sheet1.xml");
    assert_number_cell(xml, "A2", "12");
    assert_string_cell(xml, "B2"); /* "007" keeps its zeros */
    assert_string_cell(xml, "C2"); /* "1e5" is no plain decimal */
    assert_string_cell(xml, "D2"); /* 20 digits would lose some as a double */
    assert_string_cell(xml, "E2");
    assert_string_cell(xml, "F2"); /* "12" in a column not marked numeric */
    assert_number_cell(xml, "A3", "-3.5");
    assert_number_cell(xml, "B3", "0");
    assert_number_cell(xml, "C3", "0.25");
    assert_number_cell(xml, "D3", "123456789012345");
    assert_string_cell(xml, "E3");
    assert_string_cell(xml, "F3");
    assert_null(cell_xml(xml, "A4")); /* blank stays blank */
    assert_null(cell_xml(xml, "B4"));
    assert_string_cell(xml, "C4"); /* "1." */
    assert_string_cell(xml, "D4"); /* ".5" */
    assert_string_cell(xml, "E4");
    assert_string_cell(xml, "A5");
    assert_null(strstr(xml, "<f>"));
    free(xml);

    /* The reader gives numbers as written, strings as typed. */
    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(xlsx_read(&a, bytes, len, "数字", NULL, &t), ERR_OK);
    assert_int_equal(t.n_rows, 5);
    ROW(&t, 1, "12", "007", "1e5", "13800138000123456789", "文本", "12");
    ROW(&t, 2, "-3.5", "0", "0.25", "123456789012345", "12 个", "7");
    ROW(&t, 3, "", "", "1.", ".5", "inf", "-");
    ROW(&t, 4, "12", "007", "1e5", "13800138000123456789", "文本", "12");
    arena_release(&a);
    free(bytes);
}

/* A regulator's template laid out as a document: a merged title, then tables each under a
 * heading, blank rows between them, all on one sheet. */
static void test_xlsxw_document(void **state)
{
    (void)state;
    static const char *const office[] = {"序号", "责任主体", "资产名称", "IP 地址"};
    static const char *const vpn[] = {"序号", "责任主体", "资产名称", "IP 地址", "软件类型、版本"};
    static const char *const row1[] = {"1", "信息化部", "出口一", "203.0.113.1"};
    static const char *const row2[] = {"1", "信息化部", "SSL VPN", "203.0.113.2", "OpenVPN 2.6"};
    static const bool numeric[] = {true, false, false, false, false};
    struct xlsxw *w;
    assert_int_equal(xlsxw_begin(&w), ERR_OK);
    assert_int_equal(xlsxw_sheet(w, "互联网暴露面信息", NULL, 0), ERR_OK);
    assert_int_equal(xlsxw_title(w, "互联网暴露面信息", 5), ERR_OK);
    assert_int_equal(xlsxw_section(w, "一、办公网互联网出入口情况", N_OF(office)), ERR_OK);
    assert_int_equal(xlsxw_header(w, office, N_OF(office)), ERR_OK);
    assert_int_equal(xlsxw_row_typed(w, row1, numeric, N_OF(row1)), ERR_OK);
    assert_int_equal(xlsxw_row(w, NULL, 0), ERR_OK);
    assert_int_equal(xlsxw_section(w, "二、虚拟专用网络（VPN）出入口情况", N_OF(vpn)), ERR_OK);
    assert_int_equal(xlsxw_header(w, vpn, N_OF(vpn)), ERR_OK);
    assert_int_equal(xlsxw_row_typed(w, row2, numeric, N_OF(row2)), ERR_OK);
    /* A second sheet: a title and one table below it. */
    assert_int_equal(xlsxw_sheet(w, "单表", NULL, 0), ERR_OK);
    assert_int_equal(xlsxw_title(w, "标题", 1), ERR_OK);
    assert_int_equal(xlsxw_header(w, office, N_OF(office)), ERR_OK);
    assert_int_equal(xlsxw_row(w, row1, N_OF(row1)), ERR_OK);
    assert_int_equal(xlsxw_row(w, row1, N_OF(row1)), ERR_OK);
    char *bytes;
    size_t len;
    assert_int_equal(xlsxw_finish(w, &bytes, &len), ERR_OK);

    /* Title and headings merged across their tables, the title row taller; two tables on a
     * sheet: neither a frozen pane nor a filter. */
    char *xml = zip_part(bytes, len, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(xml, "<mergeCell ref=\"A1:E1\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"A2:D2\"/>"));
    assert_non_null(strstr(xml, "<mergeCell ref=\"A6:E6\"/>"));
    assert_non_null(strstr(xml, "<mergeCells count=\"3\">"));
    assert_non_null(strstr(xml, "<row r=\"1\""));
    assert_non_null(strstr(xml, "ht=\"30\" customHeight=\"1\""));
    assert_null(strstr(xml, "<pane"));
    assert_null(strstr(xml, "<autoFilter"));
    assert_number_cell(xml, "A4", "1");
    assert_number_cell(xml, "A8", "1");
    assert_null(strstr(xml, "<row r=\"5\"")); /* the blank row */
    /* A titled sheet prints one A4 landscape page wide. */
    assert_non_null(strstr(xml, "<pageSetUpPr fitToPage=\"1\"/>"));
    assert_non_null(
        strstr(xml, "<pageSetup paperSize=\"9\" fitToHeight=\"0\" orientation=\"landscape\"/>"));
    /* The heading does not widen column A, the 序号 column (minimum width 8). */
    assert_non_null(strstr(xml, "<col min=\"1\" max=\"1\" width=\"8."));
    free(xml);
    /* One table under a title: frozen down to its header, filtered from there. */
    xml = zip_part(bytes, len, "xl/worksheets/sheet2.xml");
    assert_non_null(strstr(xml, "ySplit=\"2\""));
    assert_non_null(strstr(xml, "<autoFilter ref=\"A2:D4\""));
    assert_null(strstr(xml, "<mergeCell"));
    free(xml);
    xml = zip_part(bytes, len, "xl/styles.xml");
    assert_non_null(strstr(xml, "<sz val=\"16\"/>"));
    free(xml);

    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(xlsx_read(&a, bytes, len, NULL, NULL, &t), ERR_OK);
    assert_int_equal(t.n_rows, 8);
    assert_string_equal(tab_cell(&t, 0, 0), "互联网暴露面信息");
    assert_string_equal(tab_cell(&t, 1, 0), "一、办公网互联网出入口情况");
    for (size_t c = 1; c < 5; c++) { /* the merged cells read blank */
        assert_string_equal(tab_cell(&t, 0, c), "");
        assert_string_equal(tab_cell(&t, 1, c), "");
    }
    assert_row(&t, 2, office, N_OF(office));
    assert_row(&t, 3, row1, N_OF(row1));
    assert_int_equal(t.rows[4].n_cells, 0);
    assert_int_equal(t.rows[4].line, 5);
    assert_string_equal(tab_cell(&t, 5, 0), "二、虚拟专用网络（VPN）出入口情况");
    assert_row(&t, 6, vpn, N_OF(vpn));
    assert_row(&t, 7, row2, N_OF(row2));
    assert_int_equal(xlsx_read(&a, bytes, len, "单表", NULL, &t), ERR_OK);
    assert_int_equal(t.n_rows, 4);
    ROW(&t, 0, "标题");
    assert_row(&t, 1, office, N_OF(office));
    arena_release(&a);
    free(bytes);
}

/* ---- XLSX: a hand-made workbook with every kind of cell ---- */

static const char full_book[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><workbookPr/><sheets>"
    "<sheet name=\"说明\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/>"
    "<sheet name=\"图表\" sheetId=\"2\" r:id=\"rId2\"/>"
    "<sheet name=\"资产\" sheetId=\"3\" r:id=\"rId3\"/>"
    "</sheets></workbook>";

static const char full_rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL_TYPE "chartsheet\" Target=\"chartsheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL_TYPE "worksheet\""
    " Target=\"/xl/worksheets/../worksheets/./sheet2.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId5\" Type=\"" REL_TYPE "styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId6\" Type=\"" REL_TYPE "hyperlink\" Target=\"http://x\""
    " TargetMode=\"External\"/>"
    "</Relationships>";

static const char full_sst[] =
    "<sst xmlns=\"" NS_MAIN "\" count=\"999999999\" uniqueCount=\"999999999\">"
    "<si><t>单位名称</t></si>"
    "<si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space=\"preserve\">文本 </t></r></si>"
    "<si><t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>かんじ</t></rPh><phoneticPr fontId=\"1\"/></si>"
    "<si><t>第一行_x000D_\n第二行</t></si>"
    "<si><t>a_x005F_x0041_b_x0000_</t></si>"
    "<si><t/></si>"
    "<si><t>&lt;&amp;&gt;</t></si>"
    "</sst>";

static const char full_styles[] =
    "<styleSheet xmlns=\"" NS_MAIN "\">"
    "<numFmts count=\"3\">"
    "<numFmt numFmtId=\"176\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"177\" formatCode=\"0.00&quot; 元 (d)&quot;\"/>"
    "<numFmt numFmtId=\"178\" formatCode=\"[h]:mm\"/>"
    "</numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"176\"/>"
    "<xf numFmtId=\"177\"/><xf numFmtId=\"178\"/><xf numFmtId=\"22\"/></cellXfs>"
    "<dxfs><dxf><numFmt numFmtId=\"177\" formatCode=\"yyyy\"/></dxf></dxfs>"
    "</styleSheet>";

/* Prefixed names (x:), as the .NET Open XML SDK writes them. */
static const char full_sheet2[] =
    "<x:worksheet xmlns:x=\"" NS_MAIN "\"><x:sheetData>"
    "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B1\" t=\"s\"><x:v>1</x:v>"
    "</x:c><x:c r=\"C1\" t=\"s\"><x:v>2</x:v></x:c></x:row>"
    "<x:row r=\"2\"><x:c r=\"A2\" t=\"inlineStr\"><x:is><x:r><x:t>内</x:t></x:r><x:r><x:t>联</x:t>"
    "</x:r></x:is></x:c><x:c r=\"B2\"><x:v>13800138000</x:v></x:c>"
    "<x:c r=\"D2\" t=\"b\"><x:v>1</x:v></x:c><x:c r=\"E2\" t=\"str\"><x:f>A1</x:f>"
    "<x:v>公式结果</x:v></x:c><x:c r=\"F2\" t=\"e\"><x:v>#N/A</x:v></x:c>"
    "<x:c r=\"G2\" t=\"b\"><x:v>0</x:v></x:c></x:row>"
    "<x:row r=\"4\"><x:c r=\"A4\" s=\"1\"><x:v>59</x:v></x:c><x:c r=\"B4\" s=\"1\"><x:v>60</x:v>"
    "</x:c><x:c r=\"C4\" s=\"1\"><x:v>45658</x:v></x:c><x:c r=\"D4\" s=\"2\"><x:v>45658.5</x:v>"
    "</x:c><x:c r=\"E4\" s=\"4\"><x:v>1.5</x:v></x:c><x:c r=\"F4\" s=\"3\"><x:v>3.5</x:v></x:c>"
    "<x:c r=\"G4\" s=\"5\"><x:v>0.25</x:v></x:c><x:c r=\"H4\" s=\"5\"><x:v>45658.75</x:v></x:c>"
    "<x:c r=\"I4\" s=\"99\"><x:v>45658</x:v></x:c><x:c r=\"J4\" s=\"1\" t=\"s\"><x:v>6</x:v>"
    "</x:c></x:row>"
    "<x:row r=\"5\"><x:c r=\"A5\" t=\"s\"><x:v>3</x:v></x:c>"
    "<x:c r=\"B5\" t=\"s\"><x:v>4</x:v></x:c><x:c r=\"C5\" t=\"s\"><x:v>5</x:v></x:c>"
    "<x:c r=\"D5\" s=\"1\"/></x:row>"
    "<x:row><x:c t=\"inlineStr\"><x:is><x:t>x</x:t><x:rPh><x:t>y</x:t></x:rPh></x:is></x:c>"
    "<x:c><x:v>1</x:v></x:c><x:c r=\"aa6\"><x:v>2</x:v></x:c></x:row>"
    "<x:row r=\"7\" spans=\"1:3\" s=\"1\" customFormat=\"1\"/>"
    "</x:sheetData><x:mergeCells count=\"1\"><x:mergeCell ref=\"A1:B1\"/></x:mergeCells>"
    "</x:worksheet>";

static const char full_sheet1[] =
    "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is>"
    "<t>隐藏的说明</t></is></c></row></sheetData></worksheet>";

static char *make_full_book(size_t *len)
{
    struct zpart parts[] = {
        {"[Content_Types].xml", "<Types/>", 0},
        {"_rels/.rels", root_rels, 0},
        {"xl/workbook.xml", full_book, 0},
        {"xl/_rels/workbook.xml.rels", full_rels, 0},
        {"xl/sharedStrings.xml", full_sst, 0},
        {"xl/styles.xml", full_styles, 0},
        {"xl/worksheets/sheet1.xml", full_sheet1, 0},
        {"xl/worksheets/sheet2.xml", full_sheet2, 0},
        {"xl/chartsheets/sheet1.xml", "<chartsheet/>", 0},
    };
    return make_zip(parts, N_OF(parts), len);
}

static void test_xlsx_cells(void **state)
{
    (void)state;
    size_t len;
    char *bytes = make_full_book(&len);
    struct arena a;
    struct tab t;
    arena_init(&a);
    enum err rc = xlsx_read(&a, bytes, len, NULL, NULL, &t);
    if (rc)
        print_message("xlsx_read: %s\n", err_last()->msg);
    assert_int_equal(rc, ERR_OK);
    /* The first visible worksheet: not the hidden one, not the chart sheet. */
    assert_int_equal(t.n_rows, 6); /* the styled but empty row 7 is dropped */
    assert_int_equal(t.n_cols, 27);
    ROW(&t, 0, "单位名称", "富文本 ", "漢字");
    ROW(&t, 1, "内联", "13800138000", "", "TRUE", "公式结果", "#N/A", "FALSE");
    assert_int_equal(t.rows[2].n_cells, 0); /* row 3 is missing from the file */
    assert_int_equal(t.rows[2].line, 3);
    ROW(&t, 3, "1900-02-28", "60", "2025-01-01", "2025-01-01 12:00:00", "12:00:00", "3.5",
        "06:00:00", "2025-01-01 18:00:00", "45658", "<&>");
    ROW(&t, 4, "第一行\r\n第二行", "a_x0041_b");
    assert_int_equal(t.rows[5].n_cells, 27);
    assert_string_equal(tab_cell(&t, 5, 0), "x");
    assert_string_equal(tab_cell(&t, 5, 1), "1");
    assert_string_equal(tab_cell(&t, 5, 26), "2");
    assert_int_equal(t.rows[5].line, 6);

    assert_int_equal(xlsx_read(&a, bytes, len, "说明", NULL, &t), ERR_OK);
    assert_int_equal(t.n_rows, 2);
    assert_string_equal(tab_cell(&t, 1, 1), "隐藏的说明");
    assert_int_equal(xlsx_read(&a, bytes, len, "图表", NULL, &t), ERR_VALIDATION);
    arena_release(&a);
    free(bytes);
}

static void test_xlsx_date1904(void **state)
{
    (void)state;
    static const char book[] =
        "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
        "<workbookPr date1904=\"true\"/><sheets>"
        "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    static const char rels[] =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"sheet.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"" REL_TYPE "styles\" Target=\"styles.xml\"/>"
        "</Relationships>";
    static const char styles[] = "<styleSheet xmlns=\"" NS_MAIN "\"><cellXfs>"
                                 "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
    static const char sheet[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row>"
                                "<c s=\"1\"><v>0</v></c><c s=\"1\"><v>44196</v></c>"
                                "<c s=\"1\"><v>-1</v></c><c s=\"1\"><v>9e9</v></c>"
                                "<c s=\"1\"><v>abc</v></c></row></sheetData></worksheet>";
    /* No _rels/.rels: xl/workbook.xml is assumed. */
    struct zpart parts[] = {
        {"xl/workbook.xml", book, 0},
        {"xl/_rels/workbook.xml.rels", rels, 0},
        {"xl/styles.xml", styles, 0},
        {"xl/sheet.xml", sheet, 0},
    };
    size_t len;
    char *bytes = make_zip(parts, N_OF(parts), &len);
    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(xlsx_read(&a, bytes, len, NULL, NULL, &t), ERR_OK);
    ROW(&t, 0, "1904-01-01", "2025-01-01", "-1", "9e9", "abc");
    arena_release(&a);
    free(bytes);
}

/* ---- XLSX: hostile input ---- */

static void test_xlsx_not_a_zip(void **state)
{
    (void)state;
    xlsx_refused("hello, world", 12, NULL, "不是有效的 XLSX 文件");
    xlsx_refused(NULL, 0, NULL, "不是有效的 XLSX 文件");
    xlsx_refused("PK\3\4\0\0\0\0", 8, NULL, "不是有效的 XLSX 文件");
    assert_string_equal(err_last()->msg, "不是有效的 XLSX 文件");

    size_t len;
    char *bytes = make_full_book(&len);
    xlsx_refused(bytes, len / 2, NULL, "不是有效的 XLSX 文件"); /* truncated */
    struct tab_limits lim = {.max_bytes = len - 1};
    xlsx_refused(bytes, len, &lim, "文件超过");
    free(bytes);

    /* Too many entries for a workbook: refused before libzip reads its directory. */
    enum { MANY = 10001 };
    struct zpart *many = calloc(MANY, sizeof *many);
    char(*names)[8] = calloc(MANY, sizeof *names);
    for (size_t i = 0; i < MANY; i++) {
        snprintf(names[i], sizeof names[i], "%zx", i);
        many[i] = (struct zpart){names[i], "", 0};
    }
    bytes = make_zip(many, MANY, &len);
    xlsx_refused(bytes, len, NULL, "压缩包中的文件过多");
    free(bytes);
    free(names);
    free(many);

    /* A zip, but no workbook in it. */
    struct zpart parts[] = {{"readme.txt", "hello", 0}};
    bytes = make_zip(parts, 1, &len);
    xlsx_refused(bytes, len, NULL, "不是有效的 XLSX 文件：缺少工作簿");
    free(bytes);

    /* A workbook whose sheet is not XML. */
    bytes = make_book("not xml", NULL, &len);
    xlsx_refused(bytes, len, NULL, "工作表不是合法的 XML");
    free(bytes);
}

static void test_xlsx_entity_bomb(void **state)
{
    (void)state;
    static const char lol[] =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
        "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row><c t=\"inlineStr\"><is><t>&lol9;</t>"
        "</is></c></row></sheetData></worksheet>";
    size_t len;
    char *bytes = make_book(lol, NULL, &len);
    xlsx_refused(bytes, len, NULL, "工作表含有 DTD 声明");
    free(bytes);

    /* In the shared strings, and an external entity (XXE). */
    static const char xxe[] = "<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY x SYSTEM "
                              "\"file:///etc/passwd\">]><sst xmlns=\"" NS_MAIN "\"><si><t>&x;</t>"
                              "</si></sst>";
    static const char sheet[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/></worksheet>";
    bytes = make_book(sheet, xxe, &len);
    xlsx_refused(bytes, len, NULL, "共享字符串表含有 DTD 声明");
    free(bytes);

    /* An entity without a DTD is just an error. */
    static const char undefined[] = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row><c "
                                    "t=\"inlineStr\"><is><t>&lol;</t></is></c></row></sheetData>"
                                    "</worksheet>";
    bytes = make_book(undefined, NULL, &len);
    xlsx_refused(bytes, len, NULL, "工作表不是合法的 XML");
    free(bytes);
}

/* Sets the uncompressed size the zip declares for name, in its local header and in the
 * central directory. */
static void patch_size(char *zip, size_t len, const char *name, uint32_t size)
{
    const size_t name_len = strlen(name);
    int patched = 0;
    for (size_t i = 0; i + 46 + name_len <= len; i++) {
        unsigned char *p = (unsigned char *)zip + i;
        size_t at, name_at, n;
        if (memcmp(p, "PK\3\4", 4) == 0)
            at = 22, name_at = 30, n = (size_t)(p[26] | p[27] << 8);
        else if (memcmp(p, "PK\1\2", 4) == 0)
            at = 24, name_at = 46, n = (size_t)(p[28] | p[29] << 8);
        else
            continue;
        if (n != name_len || memcmp(p + name_at, name, n) != 0)
            continue;
        for (int b = 0; b < 4; b++)
            p[at + (size_t)b] = (unsigned char)(size >> (8 * b));
        patched++;
    }
    assert_int_equal(patched, 2);
}

static char *big_sheet(size_t rows)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    sbuf_adds(&sb, "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
    for (size_t r = 1; r <= rows; r++)
        sbuf_addf(&sb, "<row r=\"%zu\"><c t=\"inlineStr\"><is><t>row %zu</t></is></c></row>", r, r);
    sbuf_adds(&sb, "</sheetData></worksheet>");
    return sbuf_detach(&sb, NULL);
}

static void test_xlsx_lying_sizes(void **state)
{
    (void)state;
    char *sheet = big_sheet(20000); /* about 1.3 MB of XML, deflated to a few KB */
    size_t len;
    char *bytes = make_book(sheet, NULL, &len);
    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(xlsx_read(&a, bytes, len, NULL, NULL, &t), ERR_OK);
    assert_int_equal(t.n_rows, 20000);
    arena_release(&a);

    /* Declared honestly but past max_part: refused before inflating. */
    struct tab_limits lim = {.max_part = 100000};
    xlsx_refused(bytes, len, &lim, "工作表解压后超过 100000 字节");

    /* Declared small: the bytes are counted as they come. */
    patch_size(bytes, len, "xl/worksheets/sheet1.xml", 1000);
    xlsx_refused(bytes, len, NULL, "不是有效的 XLSX 文件");
    xlsx_refused(bytes, len, &lim, "不是有效的 XLSX 文件");

    /* Declared larger than it is. */
    patch_size(bytes, len, "xl/worksheets/sheet1.xml", 50000000);
    xlsx_refused(bytes, len, NULL, "不是有效的 XLSX 文件");
    free(bytes);
    free(sheet);
}

/* A sheet of one cell whose XML is head, n copies of c, then tail. */
static char *long_sheet(const char *head, char c, size_t n, const char *tail, size_t *len)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    sbuf_addf(&sb, "<worksheet xmlns=\"%s\"><sheetData><row>%s", NS_MAIN, head);
    char *run = malloc(n);
    memset(run, c, n);
    sbuf_add(&sb, run, n);
    free(run);
    sbuf_addf(&sb, "%s</row></sheetData></worksheet>", tail);
    char *sheet = sbuf_detach(&sb, NULL);
    char *bytes = make_book(sheet, NULL, len);
    free(sheet);
    return bytes;
}

static void test_xlsx_long_tokens(void **state)
{
    (void)state;
    struct tab_limits lim = {.max_cell = 4 << 20};
    struct arena a;
    struct tab t;
    size_t len;
    arena_init(&a);

    /* Long text is fine (expat hands it over in pieces) up to max_cell. */
    char *bytes = long_sheet("<c t=\"inlineStr\"><is><t>", 'x', 3 << 20, "</t></is></c>", &len);
    assert_int_equal(xlsx_read(&a, bytes, len, NULL, &lim, &t), ERR_OK);
    assert_int_equal(strlen(tab_cell(&t, 0, 0)), 3 << 20);
    xlsx_refused(bytes, len, NULL, "第 1 行：第 1 列超过 65536 字节");
    free(bytes);

    /* A 3 MB attribute or comment would sit whole in expat's buffer. */
    bytes = long_sheet("<c t=\"inlineStr\" x=\"", 'x', 3 << 20, "\"/>", &len);
    xlsx_refused(bytes, len, &lim, "工作表中有过长的 XML 标记");
    free(bytes);
    bytes = long_sheet("<!--", 'x', 3 << 20, "-->", &len);
    xlsx_refused(bytes, len, &lim, "工作表中有过长的 XML 标记");
    free(bytes);
    arena_release(&a);
}

static void test_xlsx_limits(void **state)
{
    (void)state;
    static const struct {
        const char *sheet, *sst, *needle;
        struct tab_limits lim;
    } cases[] = {
        {"<row r=\"1048576\"><c><v>1</v></c></row>",
         NULL,
         "第 1048576 行：超过 1000 行",
         {.max_rows = 1000}},
        {"<row r=\"99999999999999999999\"/>", NULL, "超过", {0}},
        {"<row><c r=\"XFD1\"><v>1</v></c></row>", NULL, "第 1 行：超过 256 列", {0}},
        {"<row><c r=\"XFE1\"><v>1</v></c></row>", NULL, "单元格引用无效", {0}},
        {"<row><c r=\"1A\"><v>1</v></c></row>", NULL, "单元格引用无效", {0}},
        {"<row><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>", NULL, "顺序错误", {0}},
        {"<row r=\"3\"/><row r=\"2\"/>", NULL, "第 2 行：行号重复或顺序错误", {0}},
        {"<row r=\"0\"/>", NULL, "行号无效", {0}},
        {"<row><c t=\"s\"><v>1</v></c></row>",
         "<sst><si><t>a</t></si></sst>",
         "第 1 行：共享字符串编号无效",
         {0}},
        {"<row><c t=\"s\"><v>x</v></c></row>", NULL, "共享字符串编号无效", {0}},
        {"<row><c><v>123456</v></c></row>", NULL, "第 1 行：第 1 列超过 5 字节", {.max_cell = 5}},
        {"<row/>",
         "<sst><si><t>123456</t></si></sst>",
         "第 1 个共享字符串超过 5 字节",
         {.max_cell = 5}},
        {"<row/>", "<sst><si/><si/><si/></sst>", "共享字符串超过 2 个", {.max_cells = 2}},
        {"<row><c r=\"C1\"><v>1</v></c></row><row><c r=\"C2\"><v>1</v></c></row>",
         NULL,
         "第 2 行：表格超过 5 个单元格",
         {.max_cells = 5}},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        char *sheet = NULL;
        struct sbuf sb;
        sbuf_init(&sb, 0);
        sbuf_addf(&sb, "<worksheet xmlns=\"%s\"><sheetData>%s</sheetData></worksheet>", NS_MAIN,
                  cases[i].sheet);
        sheet = sbuf_detach(&sb, NULL);
        size_t len;
        char *bytes = make_book(sheet, cases[i].sst, &len);
        xlsx_refused(bytes, len, &cases[i].lim, cases[i].needle);
        free(bytes);
        free(sheet);
    }
}

/* ---- tab_read_auto ---- */

static void test_read_auto(void **state)
{
    (void)state;
    struct arena a;
    struct tab t;
    arena_init(&a);
    assert_int_equal(tab_read_auto(&a, "a,b\n1,2\n", 8, "x.csv", NULL, &t), ERR_OK);
    ROW(&t, 1, "1", "2");
    assert_int_equal(tab_read_auto(&a, "a,b\n", 4, NULL, NULL, &t), ERR_OK);
    assert_int_equal(tab_read_auto(&a, "a,b\n", 4, "导入.XLSX", NULL, &t), ERR_VALIDATION);
    assert_string_equal(err_last()->msg, "不是有效的 XLSX 文件");
    assert_int_equal(tab_read_auto(&a, "a,b\n", 4, "old.xls", NULL, &t), ERR_VALIDATION);
    assert_non_null(strstr(err_last()->msg, ".xls"));
    assert_int_equal(tab_read_auto(&a, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10, NULL, NULL, &t),
                     ERR_VALIDATION);
    assert_non_null(strstr(err_last()->msg, "加密"));
    assert_int_equal(tab_read_auto(&a, "\xFF\xFE", 2, "x.csv", NULL, &t), ERR_VALIDATION);
    assert_non_null(strstr(err_last()->msg, "UTF-8"));
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_basic),
        cmocka_unit_test(test_csv_quotes),
        cmocka_unit_test(test_csv_bom_and_blank_lines),
        cmocka_unit_test(test_csv_ragged),
        cmocka_unit_test(test_csv_invalid_text),
        cmocka_unit_test(test_csv_limits),
        cmocka_unit_test(test_csv_write),
        cmocka_unit_test(test_csv_formula_injection),
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_xlsx_round_trip),
        cmocka_unit_test(test_xlsxw_cleanup_and_errors),
        cmocka_unit_test(test_xlsxw_typed),
        cmocka_unit_test(test_xlsxw_document),
        cmocka_unit_test(test_xlsx_cells),
        cmocka_unit_test(test_xlsx_date1904),
        cmocka_unit_test(test_xlsx_not_a_zip),
        cmocka_unit_test(test_xlsx_entity_bomb),
        cmocka_unit_test(test_xlsx_lying_sizes),
        cmocka_unit_test(test_xlsx_long_tokens),
        cmocka_unit_test(test_xlsx_limits),
        cmocka_unit_test(test_read_auto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
