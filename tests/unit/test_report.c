/* The document layer (src/report): XML escaping and text cleaning, the model the builders make,
 * the 定级报告 of seed 000 annex 2 built from a unit's JSON, and the two renderings read back (the
 * DOCX's parts through libzip, the PDF's header and trailer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "err.h"
#include "report/doc.h"
#include "report/report.h"

static char *escaped(const char *s, size_t n)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    assert_int_equal(doc_xml_escape(&sb, s, n), ERR_OK);
    size_t len;
    return sbuf_detach(&sb, &len);
}

static void test_xml_escape(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"plain 文本", "plain 文本"},
        {"a<b>&c", "a&lt;b&gt;&amp;c"},
        {"\"'", "&quot;&apos;"},
        {"&amp;", "&amp;amp;"},
        {"<w:t>注入</w:t>", "&lt;w:t&gt;注入&lt;/w:t&gt;"},
        {"]]>", "]]&gt;"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = escaped(cases[i].in, strlen(cases[i].in));
        assert_string_equal(out, cases[i].out);
        free(out);
    }
    /* Only n bytes are read. */
    char *out = escaped("a&b<c", 3);
    assert_string_equal(out, "a&amp;b");
    free(out);
}

static void test_clean(void **state)
{
    (void)state;
    struct doc *d = doc_new("t");
    assert_string_equal(doc_clean(d, NULL), "");
    assert_string_equal(doc_clean(d, ""), "");
    assert_string_equal(doc_clean(d, "网络单元 ok"), "网络单元 ok");
    /* Control characters other than tab and line feed go; \r too. */
    assert_string_equal(doc_clean(d, "\x01"
                                     "a\tb\r\nc\x1f"
                                     "\x7f"),
                        "a\tb\nc\x7f");
    /* Invalid UTF-8 becomes U+FFFD, one per bad byte; a truncated sequence too. */
    assert_string_equal(doc_clean(d, "a\xff"
                                     "b"),
                        "a\xEF\xBF\xBD"
                        "b");
    assert_string_equal(doc_clean(d, "\xe7\xbd"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    /* Overlong encodings and surrogates are invalid. */
    assert_string_equal(doc_clean(d, "\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(doc_clean(d, "\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    /* U+FFFE and U+FFFF are not XML characters. */
    assert_string_equal(doc_clean(d, "x\xEF\xBF\xBEy\xEF\xBF\xBFz"), "xyz");
    /* Four-byte characters stay. */
    assert_string_equal(doc_clean(d, "\xF0\xA0\x80\x80"), "\xF0\xA0\x80\x80");
    doc_free(d);
}

static void test_model(void **state)
{
    (void)state;
    struct doc *d = doc_new("标题\x01");
    assert_string_equal(d->title, "标题");
    assert_false(doc_has_cover(d));
    doc_title(d, "报告");
    doc_heading(d, 1, "一、基本情况");
    struct doc_para *p = doc_para(d);
    assert_int_equal(p->align, DOC_JUSTIFY);
    assert_int_equal(p->indent, 1);
    doc_run(p, "普通", 0);
    doc_runf(p, DOC_BOLD, "k = %d.%d", 3, 7);
    doc_kv(d, "用户类型", "");
    doc_text(d, "第一段\r\n\n　　第二段（全角空格缩进）\n   \n", "（空）");
    doc_text(d, NULL, "（未填写）");
    doc_text(d, "", NULL);
    static const char *const head[] = {"a", "b", "c"};
    static const double widths[] = {1, 2, 1};
    struct doc_table *t = doc_table(d, 3, head, widths);
    const char *row[] = {"1", NULL, "<&>"};
    for (int i = 0; i < 1000; i++)
        doc_table_row(t, row, i == 5 ? DOC_BOLD : 0);
    doc_page_break(d);

    const struct doc_block *b = d->blocks;
    assert_int_equal(b->kind, DOC_TITLE);
    assert_string_equal(b->text, "报告");
    b = b->next;
    assert_int_equal(b->kind, DOC_HEADING);
    assert_int_equal(b->level, 1);
    b = b->next;
    assert_int_equal(b->kind, DOC_PARA);
    const struct doc_run *r = b->u.para.runs;
    assert_string_equal(r->text, "普通");
    assert_int_equal(r->flags, 0);
    assert_string_equal(r->next->text, "k = 3.7");
    assert_int_equal(r->next->flags, DOC_BOLD);
    assert_null(r->next->next);
    b = b->next; /* the kv line: bold key, placeholder value, no indent */
    assert_int_equal(b->u.para.indent, 0);
    assert_string_equal(b->u.para.runs->text, "用户类型：");
    assert_int_equal(b->u.para.runs->flags, DOC_BOLD);
    assert_string_equal(b->u.para.runs->next->text, "（未填写）");
    b = b->next;
    assert_string_equal(b->u.para.runs->text, "第一段");
    b = b->next;
    assert_string_equal(b->u.para.runs->text, "第二段（全角空格缩进）");
    b = b->next;
    assert_string_equal(b->u.para.runs->text, "（未填写）");
    b = b->next; /* doc_text of "" without placeholder adds nothing */
    assert_int_equal(b->kind, DOC_TABLE);
    const struct doc_table *tb = &b->u.table;
    assert_int_equal(tb->n_cols, 3);
    assert_int_equal(tb->n_rows, 1000);
    assert_true(tb->repeat_header);
    assert_true(tb->widths[0] > 0.249 && tb->widths[0] < 0.251);
    assert_true(tb->widths[1] > 0.499 && tb->widths[1] < 0.501);
    assert_string_equal(tb->rows->cells[1], "");
    assert_string_equal(tb->rows->cells[2], "<&>");
    assert_int_equal(tb->rows->next->next->next->next->next->flags, DOC_BOLD);
    assert_int_equal(b->next->kind, DOC_PAGE_BREAK);
    assert_null(b->next->next);
    assert_int_equal(d->n_blocks, 9);
    doc_free(d);

    d = doc_new("封面");
    struct doc_cover *c = doc_cover(d, "某网络单元定级报告", NULL);
    doc_cover_line(c, "安全等级", "第3级");
    doc_cover_bottom(c, "2026年3月15日");
    assert_true(doc_has_cover(d));
    assert_string_equal(c->subtitle, "");
    assert_string_equal(c->lines->value, "第3级");
    assert_string_equal(c->bottom->value, "2026年3月15日");
    doc_free(d);
}

static json_t *graded_unit(void)
{
    json_error_t je;
    json_t *u = json_loads(
        "{\"id\":\"7\",\"org_id\":\"3\",\"org_name\":\"某电信福建分公司\",\"name\":\"IDC <业务> & "
        "系统\","
        "\"unit_type\":\"idc\",\"unit_type_name\":\"互联网数据中心\",\"business_scope\":\"托管\","
        "\"service_scope\":\"全省\",\"user_types\":\"政企客户\",\"management\":\"领导小组\","
        "\"technical\":\"三层架构\",\"boundary\":\"防火墙\",\"device_count\":12,"
        "\"online_date\":\"2019-06-01\",\"status\":\"online\",\"status_name\":\"在网运行\","
        "\"level\":3,\"grading\":{\"i\":4,\"r\":4,\"v\":3,\"k\":3.7,\"level\":3,"
        "\"just_i\":\"影响较大\",\"just_r\":\"全省\",\"just_v\":\"重要\","
        "\"ruleset\":\"seed000-annex2\",\"graded_at\":\"2026-03-10T10:00:00+08:00\"},"
        "\"ip_ranges\":[\"10.0.0.0/8\"],\"assets\":[]}",
        0, &je);
    assert_non_null(u);
    return u;
}

/* The text of a block: a heading's, or a paragraph's runs joined. */
static const char *block_text(const struct doc_block *b, char *buf, size_t n)
{
    if (b->kind != DOC_PARA)
        return b->text ? b->text : "";
    buf[0] = '\0';
    for (const struct doc_run *r = b->u.para.runs; r; r = r->next)
        strncat(buf, r->text, n - strlen(buf) - 1);
    return buf;
}

static int has_block(const struct doc *d, enum doc_block_kind kind, const char *needle)
{
    char buf[2048];
    for (const struct doc_block *b = d->blocks; b; b = b->next)
        if (b->kind == kind && strstr(block_text(b, buf, sizeof buf), needle))
            return 1;
    return 0;
}

static void test_grading_doc(void **state)
{
    (void)state;
    json_t *u = graded_unit();
    struct doc *d;
    assert_int_equal(report_grading_doc(u, (struct date){2026, 3, 15}, &d), ERR_OK);
    assert_string_equal(d->title, "IDC <业务> & 系统定级报告");
    assert_true(doc_has_cover(d));
    /* Annex 2, section by section. */
    static const char *const headings[] = {
        "一、基本情况",         "（一）概述",         "（二）管理情况",
        "（三）技术情况",       "二、安全等级的确定", "（一）定级要素的赋值过程和理由",
        "（二）安全等级的计算",
    };
    for (size_t i = 0; i < sizeof headings / sizeof headings[0]; i++)
        assert_true(has_block(d, DOC_HEADING, headings[i]));
    assert_true(has_block(d, DOC_PARA, "I = 4，R = 4，V = 3"));
    assert_true(has_block(d, DOC_PARA, "= 16 + 16 + 8 = 40"));
    assert_true(has_block(d, DOC_PARA, "[40/3]} = Round1{3.737} = 3.7"));
    assert_true(has_block(d, DOC_PARA, "安全等级值 k = 3.7，位于“2.5 ≤ k < 4”区间"));
    assert_true(has_block(d, DOC_PARA, "安全等级确定为第3级"));
    assert_true(has_block(d, DOC_PARA, "赋值理由：影响较大"));
    /* The mapping table: five levels, the unit's in bold. */
    const struct doc_table *map = NULL;
    for (const struct doc_block *b = d->blocks; b; b = b->next)
        if (b->kind == DOC_TABLE && !strcmp(b->u.table.header[0], "安全等级值 k"))
            map = &b->u.table;
    assert_non_null(map);
    assert_int_equal(map->n_rows, 5);
    static const char *const ranges[] = {"1 ≤ k < 1.5", "1.5 ≤ k < 2.5", "2.5 ≤ k < 4",
                                         "4 ≤ k < 4.5", "4.5 ≤ k ≤ 5"};
    int n = 0;
    for (const struct doc_row *r = map->rows; r; r = r->next, n++) {
        assert_string_equal(r->cells[0], ranges[n]);
        assert_int_equal(r->flags, n == 2 ? DOC_BOLD : 0);
    }
    doc_free(d);

    /* Round first, then map: (1,5,5) → k = 4.459 → 4.5 → 第5级. */
    json_t *g = json_object_get(u, "grading");
    json_object_set_new(g, "i", json_integer(1));
    json_object_set_new(g, "r", json_integer(5));
    json_object_set_new(g, "v", json_integer(5));
    assert_int_equal(report_grading_doc(u, (struct date){2026, 3, 15}, &d), ERR_OK);
    assert_true(has_block(d, DOC_PARA, "Round1{4.459} = 4.5"));
    assert_true(has_block(d, DOC_PARA, "安全等级确定为第5级"));
    doc_free(d);

    json_object_set_new(u, "grading", json_null());
    assert_int_equal(report_grading_doc(u, (struct date){2026, 3, 15}, &d), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "grading");
    assert_null(d);
    json_decref(u);
}

static char *zip_part(const char *bytes, size_t len, const char *name)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(bytes, len, 0, &ze);
    assert_non_null(src);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    assert_non_null(z);
    zip_stat_t st;
    char *out = NULL;
    if (!zip_stat(z, name, 0, &st)) {
        zip_file_t *f = zip_fopen(z, name, 0);
        assert_non_null(f);
        out = calloc(1, st.size + 1);
        assert_int_equal(zip_fread(f, out, st.size), (zip_int64_t)st.size);
        zip_fclose(f);
    }
    zip_close(z);
    zip_error_fini(&ze);
    return out;
}

static void test_docx(void **state)
{
    (void)state;
    json_t *u = graded_unit();
    struct doc *d;
    assert_int_equal(report_grading_doc(u, (struct date){2026, 3, 15}, &d), ERR_OK);
    json_decref(u);
    char *bytes;
    size_t len;
    assert_int_equal(doc_to_docx(d, &bytes, &len), ERR_OK);
    assert_true(len > 1000);
    assert_memory_equal(bytes, "PK\x03\x04", 4);
    static const char *const parts[] = {
        "[Content_Types].xml", "_rels/.rels",       "word/_rels/document.xml.rels",
        "word/styles.xml",     "word/settings.xml", "word/fontTable.xml",
        "word/footer1.xml",    "docProps/core.xml",
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char *part = zip_part(bytes, len, parts[i]);
        assert_non_null(part);
        assert_memory_equal(part, "<?xml", 5);
        free(part);
    }
    char *xml = zip_part(bytes, len, "word/document.xml");
    assert_non_null(xml);
    assert_non_null(strstr(xml, "IDC &lt;业务&gt; &amp; 系统定级报告"));
    assert_null(strstr(xml, "<业务>"));
    assert_non_null(strstr(xml, "<w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t "
                                "xml:space=\"preserve\">一、基本情况</w:t>"));
    assert_non_null(strstr(xml, "<w:tblHeader/>"));
    assert_non_null(strstr(xml, "<w:vertAlign w:val=\"superscript\"/>"));
    assert_non_null(strstr(xml, "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert_non_null(strstr(xml, "<w:footerReference w:type=\"default\" r:id=\"rId4\"/>"));
    free(xml);
    char *styles = zip_part(bytes, len, "word/styles.xml");
    assert_non_null(strstr(styles, "w:eastAsia=\"SimSun\""));
    assert_non_null(strstr(styles, "w:eastAsia=\"SimHei\""));
    free(styles);
    char *footer = zip_part(bytes, len, "word/footer1.xml");
    assert_non_null(strstr(footer, " PAGE "));
    free(footer);
    char *core = zip_part(bytes, len, "docProps/core.xml");
    assert_non_null(strstr(core, "<dc:title>IDC &lt;业务&gt; &amp; 系统定级报告</dc:title>"));
    free(core);
    free(bytes);
    doc_free(d);
}

static void test_pdf(void **state)
{
    (void)state;
    struct doc *d = doc_new("表格 & 分页");
    doc_heading(d, 1, "一、长表格");
    static const char *const head[] = {"序号", "说明"};
    struct doc_table *t = doc_table(d, 2, head, NULL);
    char no[16];
    const char *row[] = {no, "跨页的表格，表头在每一页重复。"};
    for (int i = 0; i < 200; i++) {
        snprintf(no, sizeof no, "%d", i + 1);
        doc_table_row(t, row, 0);
    }
    /* A cell taller than a page is split between lines. */
    struct sbuf tall;
    sbuf_init(&tall, 0);
    for (int i = 0; i < 150; i++)
        sbuf_addf(&tall, "第%d行\n", i + 1);
    const char *big[] = {"长", tall.buf};
    doc_table_row(t, big, 0);
    sbuf_release(&tall);
    char *bytes;
    size_t len;
    assert_int_equal(doc_to_pdf(d, &bytes, &len), ERR_OK);
    assert_true(len > 1000);
    assert_memory_equal(bytes, "%PDF-", 5);
    const char *tail = bytes + len - 6;
    assert_memory_equal(tail, "%%EOF\n", 6);
    free(bytes);
    doc_free(d);
}

/* The text of each page of a PDF, read back with pdftotext (poppler-utils, a test dependency):
 * (*pages)[i] is the text of page i + 1 with white space removed; returns the number of pages. */
static int pdf_pages(const char *bytes, size_t len, char ***pages)
{
    char path[] = "/tmp/fanghu-test-pdf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    char command[128];
    snprintf(command, sizeof command, "pdftotext -enc UTF-8 %s -", path);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    struct sbuf text;
    sbuf_init(&text, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, pipe)) > 0)
        assert_int_equal(sbuf_add(&text, chunk, n), ERR_OK);
    assert_int_equal(pclose(pipe), 0);
    unlink(path);
    /* pdftotext ends each page with a form feed. */
    int n_pages = 0;
    *pages = NULL;
    for (const char *s = text.buf; *s; n_pages++) {
        const char *end = s + strcspn(s, "\f");
        char *page = calloc(1, (size_t)(end - s) + 1);
        size_t k = 0;
        for (const char *c = s; c < end; c++)
            if (*c != ' ' && *c != '\n' && *c != '\r' && *c != '\t')
                page[k++] = *c;
        *pages = realloc(*pages, (size_t)(n_pages + 1) * sizeof **pages);
        (*pages)[n_pages] = page;
        s = *end ? end + 1 : end;
    }
    sbuf_release(&text);
    return n_pages;
}

/* The 1-based page whose text holds needle, 0 when none. */
static int page_of(char *const *pages, int n_pages, const char *needle)
{
    for (int i = 0; i < n_pages; i++)
        if (strstr(pages[i], needle))
            return i + 1;
    return 0;
}

enum { KEEP_FILLER_MIN = 18, KEEP_FILLER_MAX = 32, KEEP_SHAPES = 3 };

/* The marks of a section of the keep-with-next document that must share a page, the first one
 * first; each ends with "[<section>]" so that no mark is part of another. */
static int keep_marks(int section, int shape, char marks[][32])
{
    static const char *const together[KEEP_SHAPES][6] = {
        {"HEADING", "CAPTION", "TABLEHEAD", "ROW1", "ROW6", NULL}, /* heading, caption, table */
        {"CAPTION", "TABLEHEAD", "ROW1", "ROW6", NULL},            /* caption, small table */
        {"HEADING", "PARA", NULL},                                 /* heading, its paragraph */
    };
    int n = 0;
    for (; together[shape][n]; n++)
        snprintf(marks[n], 32, "%s[%d]", together[shape][n], section);
    return n;
}

/* A section on a page of its own: filler lines, then the blocks of keep_marks() whose marks they
 * hold, then one more line. */
static void keep_section(struct doc *d, int section, int filler, int shape)
{
    char text[64];
    doc_page_break(d);
    for (int i = 0; i < filler; i++)
        doc_runf(doc_para(d), 0, "FILLER[%d]%d", section, i);
    if (shape != 1) {
        snprintf(text, sizeof text, "HEADING[%d]", section);
        doc_heading(d, 2, text);
    }
    if (shape == 2) {
        doc_runf(doc_para(d), 0,
                 "PARA[%d] 标题之后的正文，足够长，会折成好几行。标题之后的正文，足够长，"
                 "会折成好几行。标题之后的正文，足够长，会折成好几行。",
                 section);
    } else {
        snprintf(text, sizeof text, "表%d CAPTION[%d]", section, section);
        doc_caption(d, text);
        snprintf(text, sizeof text, "TABLEHEAD[%d]", section);
        const char *head[] = {text, "说明"};
        struct doc_table *t = doc_table(d, 2, head, NULL);
        char no[32];
        const char *row[] = {no, "小表格的一行"};
        for (int i = 0; i < 6; i++) {
            snprintf(no, sizeof no, "ROW%d[%d]", i + 1, section);
            doc_table_row(t, row, 0);
        }
    }
    doc_runf(doc_para(d), 0, "END[%d]", section);
}

/* Keep with next: a caption (and a heading above it) lands on the page of the table's header row
 * and first row, and a small table that moves whole to the next page takes them along; a heading
 * is never the last line of a page. In each section the filler moves the kept blocks one line
 * further down the page, so that the page break falls at every place among them. */
static void test_pdf_keep_with_next(void **state)
{
    (void)state;
    struct doc *d = doc_new("keep");
    int section = 0;
    for (int filler = KEEP_FILLER_MIN; filler <= KEEP_FILLER_MAX; filler++)
        for (int shape = 0; shape < KEEP_SHAPES; shape++)
            keep_section(d, section++, filler, shape);
    char *bytes;
    size_t len;
    assert_int_equal(doc_to_pdf(d, &bytes, &len), ERR_OK);
    doc_free(d);
    char **pages;
    int n_pages = pdf_pages(bytes, len, &pages);
    free(bytes);
    int moved = 0;
    section = 0;
    for (int filler = KEEP_FILLER_MIN; filler <= KEEP_FILLER_MAX; filler++) {
        for (int shape = 0; shape < KEEP_SHAPES; shape++, section++) {
            char marks[6][32], start[32];
            int n = keep_marks(section, shape, marks);
            int first = page_of(pages, n_pages, marks[0]);
            assert_true(first > 0);
            for (int i = 1; i < n; i++) {
                int page = page_of(pages, n_pages, marks[i]);
                if (page != first)
                    print_error("%d filler lines: %s on page %d, %s on page %d\n", filler, marks[0],
                                first, marks[i], page);
                assert_int_equal(page, first);
            }
            snprintf(start, sizeof start, "FILLER[%d]0", section);
            moved |= first > page_of(pages, n_pages, start);
        }
    }
    assert_true(moved); /* some filler did push the kept blocks to the next page */
    for (int i = 0; i < n_pages; i++)
        free(pages[i]);
    free(pages);
}

/* Degenerate documents still render: nothing at all, a cover alone, an empty table. */
static void test_empty(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        struct doc *d = doc_new(NULL);
        if (kind == 1)
            doc_cover(d, "", NULL);
        if (kind == 2)
            doc_table(d, 1, NULL, NULL);
        char *bytes;
        size_t len;
        assert_int_equal(doc_to_docx(d, &bytes, &len), ERR_OK);
        char *xml = zip_part(bytes, len, "word/document.xml");
        assert_non_null(strstr(xml, "<w:p"));
        free(xml);
        free(bytes);
        assert_int_equal(doc_to_pdf(d, &bytes, &len), ERR_OK);
        assert_memory_equal(bytes, "%PDF-", 5);
        free(bytes);
        doc_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_escape),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_grading_doc),
        cmocka_unit_test(test_docx),
        cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_pdf_keep_with_next),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
