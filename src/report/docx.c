/* DOCX writer: the document model as WordprocessingML (ECMA-376) in a zip built in memory with
 * libzip. A4 with the margins of a Chinese Word document, 宋体 body and 黑体 headings (Latin text
 * in Times New Roman / Arial), a footer with a PAGE field, a cover in a section of its own. Element
 * order inside pPr, rPr and sectPr follows the schema: Word refuses files that do not. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "doc.h"

enum {
    PAGE_W = 11906, /* A4 in twentieths of a point */
    PAGE_H = 16838,
    MARGIN_TB = 1440, /* 2.54 cm */
    MARGIN_LR = 1800, /* 3.17 cm */
    TEXT_W = PAGE_W - 2 * MARGIN_LR,
    DOCX_MAX = 1024 * 1024 * 1024, /* size cap of one part */
};

#define NS_W     "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_R     "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PR    "http://schemas.openxmlformats.org/package/2006/relationships"
#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
/* East Asian fonts by their English names: Word and WPS take SimSun/SimHei as 宋体/黑体, and
 * LibreOffice's substitution table maps them to serif/sans CJK fonts where they are missing (it
 * does not know the Chinese names and falls back to a sans font for both). */
#define FONTS_BODY                                                                                 \
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"SimSun\" "     \
    "w:cs=\"Times New Roman\"/>"
#define FONTS_HEAD                                                                                 \
    "<w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:eastAsia=\"SimHei\" w:cs=\"Arial\"/>"

/* An XML part being written: the first error sticks and later writes do nothing. */
struct xml {
    struct sbuf sb;
    enum err rc;
};

static void put(struct xml *x, const char *s)
{
    if (!x->rc)
        x->rc = sbuf_adds(&x->sb, s);
}

static void putf(struct xml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct xml *x, const char *fmt, ...)
{
    if (x->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    int n = vasprintf(&text, fmt, ap);
    va_end(ap);
    if (n < 0)
        die_oom();
    x->rc = sbuf_add(&x->sb, text, (size_t)n);
    free(text);
}

static void esc(struct xml *x, const char *s)
{
    if (!x->rc)
        x->rc = doc_xml_escape(&x->sb, s, strlen(s));
}

/* Text of a run: '\n' becomes a line break, '\t' a tab. */
static void run_text(struct xml *x, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\n\t");
        if (n) {
            put(x, "<w:t xml:space=\"preserve\">");
            if (!x->rc)
                x->rc = doc_xml_escape(&x->sb, s, n);
            put(x, "</w:t>");
        }
        if (!s[n])
            break;
        put(x, s[n] == '\n' ? "<w:br/>" : "<w:tab/>");
        s += n + 1;
    }
}

/* A run; size is in half points, 0 for the style's. */
static void run(struct xml *x, const char *text, unsigned flags, int size)
{
    put(x, "<w:r>");
    if (flags || size) {
        put(x, "<w:rPr>");
        if (flags & DOC_BOLD)
            put(x, "<w:b/><w:bCs/>");
        if (flags & DOC_ITALIC)
            put(x, "<w:i/><w:iCs/>");
        if (size)
            putf(x, "<w:sz w:val=\"%d\"/><w:szCs w:val=\"%d\"/>", size, size);
        if (flags & (DOC_SUPER | DOC_SUB))
            putf(x, "<w:vertAlign w:val=\"%s\"/>", flags & DOC_SUPER ? "superscript" : "subscript");
        put(x, "</w:rPr>");
    }
    run_text(x, text);
    put(x, "</w:r>");
}

static const char *jc(enum doc_align align)
{
    switch (align) {
    case DOC_LEFT:
        return "left";
    case DOC_CENTER:
        return "center";
    case DOC_RIGHT:
        return "right";
    case DOC_JUSTIFY:
        break;
    }
    return "both";
}

static void paragraph(struct xml *x, const struct doc_para *p)
{
    put(x, "<w:p><w:pPr>");
    if (p->keep_next)
        put(x, "<w:keepNext/>");
    if (p->space_before > 0)
        putf(x, "<w:spacing w:before=\"%d\"/>", (int)(p->space_before * 20));
    if (p->indent)
        put(x, "<w:ind w:firstLineChars=\"200\" w:firstLine=\"480\"/>");
    putf(x, "<w:jc w:val=\"%s\"/></w:pPr>", jc(p->align));
    for (const struct doc_run *r = p->runs; r; r = r->next)
        run(x, r->text, r->flags, 0);
    put(x, "</w:p>");
}

static void styled_para(struct xml *x, const char *style, const char *text)
{
    putf(x, "<w:p><w:pPr><w:pStyle w:val=\"%s\"/></w:pPr>", style);
    run(x, text, 0, 0);
    put(x, "</w:p>");
}

/* Column widths in twips, the last one taking the rounding so that they sum to TEXT_W. */
static void table_widths(const struct doc_table *t, int *w)
{
    int used = 0;
    for (size_t i = 0; i < t->n_cols; i++) {
        w[i] = i + 1 < t->n_cols ? (int)(t->widths[i] * TEXT_W + 0.5) : TEXT_W - used;
        used += w[i];
    }
}

/* Rows short enough never to need it do not break across pages (Word's "cantSplit"); a row
 * taller than a page must be allowed to. */
enum { SPLIT_ROW_BYTES = 900 };
/* A table of this many rows or fewer stays on one page when it fits on one, as in the PDF. */
enum { SMALL_TABLE_ROWS = 10 };

/* header: the header row (shaded, bold, repeated when repeat is set); keep: on the same page as
 * the next row. */
static void table_row(struct xml *x, const struct doc_table *t, const int *w,
                      const char *const *cells, unsigned flags, int header, int repeat, int keep)
{
    size_t bytes = 0;
    for (size_t i = 0; i < t->n_cols; i++)
        bytes += strlen(cells[i]);
    put(x, "<w:tr>");
    if (bytes <= SPLIT_ROW_BYTES || repeat)
        putf(x, "<w:trPr>%s%s</w:trPr>", bytes <= SPLIT_ROW_BYTES ? "<w:cantSplit/>" : "",
             repeat ? "<w:tblHeader/>" : "");
    for (size_t i = 0; i < t->n_cols; i++) {
        putf(x, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/>", w[i]);
        if (header)
            put(x, "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"D9D9D9\"/>");
        put(x, "<w:vAlign w:val=\"center\"/></w:tcPr>");
        putf(x, "<w:p><w:pPr><w:pStyle w:val=\"TableText\"/>%s<w:jc w:val=\"%s\"/></w:pPr>",
             keep ? "<w:keepNext/>" : "", jc(header ? DOC_CENTER : t->align[i]));
        run(x, cells[i], header ? DOC_BOLD : flags, 0);
        put(x, "</w:p></w:tc>");
    }
    put(x, "</w:tr>");
}

static void table(struct xml *x, const struct doc_table *t)
{
    int w[64];
    table_widths(t, w);
    putf(x,
         "<w:tbl><w:tblPr><w:tblStyle w:val=\"FanghuTable\"/><w:tblW w:w=\"%d\" w:type=\"dxa\"/>"
         "<w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/>"
         "<w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" "
         "w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
         TEXT_W);
    for (size_t i = 0; i < t->n_cols; i++)
        putf(x, "<w:gridCol w:w=\"%d\"/>", w[i]);
    put(x, "</w:tblGrid>");
    /* Word repeats rows marked tblHeader at the top of each page; without the mark it does not. */
    int small = t->n_rows <= SMALL_TABLE_ROWS;
    table_row(x, t, w, t->header, DOC_BOLD, 1, t->repeat_header, 1);
    for (const struct doc_row *r = t->rows; r && !x->rc; r = r->next)
        table_row(x, t, w, r->cells, r->flags, 0, 0, small && r->next);
    put(x, "</w:tbl>");
    /* Keeps the next block off the table's bottom border and two tables from merging. */
    put(x, "<w:p><w:pPr><w:pStyle w:val=\"AfterTable\"/></w:pPr></w:p>");
}

static void sect_pr(struct xml *x, int body)
{
    put(x, "<w:sectPr>");
    if (body)
        put(x, "<w:footerReference w:type=\"default\" r:id=\"rId4\"/>");
    putf(x,
         "<w:pgSz w:w=\"%d\" w:h=\"%d\"/><w:pgMar w:top=\"%d\" w:right=\"%d\" w:bottom=\"%d\" "
         "w:left=\"%d\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>",
         PAGE_W, PAGE_H, MARGIN_TB, MARGIN_LR, MARGIN_TB, MARGIN_LR);
    if (body)
        put(x, "<w:pgNumType w:start=\"1\"/>");
    put(x, "<w:cols w:space=\"425\"/>");
    /* The cover's content sits in the middle of its page, however long the unit's name. */
    if (!body)
        put(x, "<w:vAlign w:val=\"center\"/>");
    put(x, "<w:docGrid w:linePitch=\"312\"/></w:sectPr>");
}

/* The cover: its own section (no footer), ended by the sectPr in its last paragraph. */
static void cover(struct xml *x, const struct doc_cover *c)
{
    put(x, "<w:p><w:pPr><w:pStyle w:val=\"CoverTitle\"/></w:pPr>");
    run(x, c->title, 0, 0);
    put(x, "</w:p>");
    if (*c->subtitle)
        styled_para(x, "CoverSubtitle", c->subtitle);
    int first = 1;
    for (const struct doc_cover_line *l = c->lines; l; l = l->next, first = 0) {
        putf(x, "<w:p><w:pPr><w:pStyle w:val=\"CoverLine\"/>%s</w:pPr>",
             first ? "<w:spacing w:before=\"1440\"/>" : "");
        char *key = NULL;
        if (asprintf(&key, "%s：", l->key) < 0)
            die_oom();
        run(x, key, DOC_BOLD, 0);
        free(key);
        run(x, l->value, 0, 0);
        put(x, "</w:p>");
    }
    first = 1;
    for (const struct doc_cover_line *l = c->bottom; l; l = l->next, first = 0) {
        putf(x, "<w:p><w:pPr><w:pStyle w:val=\"CoverBottom\"/>%s",
             first ? "<w:spacing w:before=\"1800\"/>" : "");
        if (!l->next)
            sect_pr(x, 0);
        put(x, "</w:pPr>");
        run(x, l->value, 0, 0);
        put(x, "</w:p>");
    }
    if (!c->bottom) {
        put(x, "<w:p><w:pPr>");
        sect_pr(x, 0);
        put(x, "</w:pPr></w:p>");
    }
}

static void document(struct xml *x, const struct doc *d)
{
    put(x, XML_HEAD "<w:document xmlns:w=\"" NS_W "\" xmlns:r=\"" NS_R "\"><w:body>");
    const struct doc_block *last = NULL;
    for (const struct doc_block *b = d->blocks; b && !x->rc; last = b, b = b->next) {
        switch (b->kind) {
        case DOC_TITLE:
            styled_para(x, "Title", b->text);
            break;
        case DOC_HEADING:
            putf(x, "<w:p><w:pPr><w:pStyle w:val=\"Heading%d\"/></w:pPr>", b->level);
            run(x, b->text, 0, 0);
            put(x, "</w:p>");
            break;
        case DOC_PARA:
            paragraph(x, &b->u.para);
            break;
        case DOC_TABLE:
            table(x, &b->u.table);
            break;
        case DOC_PAGE_BREAK:
            put(x, "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
            break;
        case DOC_COVER:
            cover(x, &b->u.cover);
            break;
        }
    }
    /* The body's section holds at least one paragraph. */
    if (!last || last->kind == DOC_COVER)
        put(x, "<w:p/>");
    sect_pr(x, 1);
    put(x, "</w:body></w:document>");
}

static const char CONTENT_TYPES[] =
    XML_HEAD "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
             "<Default Extension=\"rels\" "
             "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
             "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
             "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
             "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
             "<Override PartName=\"/word/settings.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
             "<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>"
             "<Override PartName=\"/word/footer1.xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>"
             "<Override PartName=\"/docProps/core.xml\" "
             "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
             "</Types>";

static const char PACKAGE_RELS[] =
    XML_HEAD "<Relationships xmlns=\"" NS_PR "\">"
             "<Relationship Id=\"rId1\" Type=\"" NS_R "/officeDocument\" "
             "Target=\"word/document.xml\"/>"
             "<Relationship Id=\"rId2\" Type=\"" NS_PR "/metadata/core-properties\" "
             "Target=\"docProps/core.xml\"/>"
             "</Relationships>";

static const char DOCUMENT_RELS[] =
    XML_HEAD "<Relationships xmlns=\"" NS_PR "\">"
             "<Relationship Id=\"rId1\" Type=\"" NS_R "/styles\" Target=\"styles.xml\"/>"
             "<Relationship Id=\"rId2\" Type=\"" NS_R "/settings\" Target=\"settings.xml\"/>"
             "<Relationship Id=\"rId3\" Type=\"" NS_R "/fontTable\" Target=\"fontTable.xml\"/>"
             "<Relationship Id=\"rId4\" Type=\"" NS_R "/footer\" Target=\"footer1.xml\"/>"
             "</Relationships>";

/* Sizes in half points: 二号 44, 小二 36, 三号 32, 四号 28, 小四 24, 五号 21, 小五 18. Line
 * spacing 1.5 (line 360) for body text, single in tables. */
static const char STYLES[] = XML_HEAD
    "<w:styles xmlns:w=\"" NS_W "\">"
    "<w:docDefaults><w:rPrDefault><w:rPr>" FONTS_BODY
    "<w:kern w:val=\"2\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>"
    "<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>"
    "<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"360\" w:lineRule=\"auto\"/>"
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
    "<w:qFormat/><w:pPr><w:jc w:val=\"both\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr>"
    "<w:spacing w:before=\"240\" w:after=\"480\" w:line=\"240\" w:lineRule=\"auto\"/>"
    "<w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr>" FONTS_HEAD
    "<w:b/><w:bCs/><w:sz w:val=\"36\"/><w:szCs w:val=\"36\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/>"
    "<w:keepLines/><w:spacing w:before=\"240\" w:after=\"120\"/><w:jc w:val=\"left\"/>"
    "<w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr>" FONTS_HEAD
    "<w:b/><w:bCs/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/>"
    "<w:keepLines/><w:spacing w:before=\"180\" w:after=\"60\"/><w:jc w:val=\"left\"/>"
    "<w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr>" FONTS_HEAD
    "<w:b/><w:bCs/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/>"
    "<w:keepLines/><w:spacing w:before=\"120\" w:after=\"0\"/><w:jc w:val=\"left\"/>"
    "<w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr>" FONTS_HEAD
    "<w:b/><w:bCs/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"TableText\">"
    "<w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>"
    "<w:spacing w:before=\"40\" w:after=\"40\" w:line=\"264\" w:lineRule=\"auto\"/>"
    "<w:jc w:val=\"left\"/></w:pPr><w:rPr><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"AfterTable\">"
    "<w:name w:val=\"After Table\"/><w:basedOn w:val=\"Normal\"/><w:pPr>"
    "<w:spacing w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr><w:sz w:val=\"12\"/>"
    "<w:szCs w:val=\"12\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"CoverTitle\">"
    "<w:name w:val=\"Cover Title\"/><w:basedOn w:val=\"Normal\"/><w:pPr>"
    "<w:spacing w:before=\"0\" w:after=\"240\" w:line=\"240\" w:lineRule=\"auto\"/>"
    "<w:jc w:val=\"center\"/></w:pPr><w:rPr>" FONTS_HEAD
    "<w:b/><w:bCs/><w:sz w:val=\"52\"/><w:szCs w:val=\"52\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"CoverSubtitle\">"
    "<w:name w:val=\"Cover Subtitle\"/><w:basedOn w:val=\"Normal\"/><w:pPr>"
    "<w:jc w:val=\"center\"/></w:pPr><w:rPr>" FONTS_HEAD
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"CoverLine\">"
    "<w:name w:val=\"Cover Line\"/><w:basedOn w:val=\"Normal\"/><w:pPr>"
    "<w:spacing w:before=\"120\"/><w:ind w:left=\"1260\" w:right=\"420\"/>"
    "<w:jc w:val=\"left\"/></w:pPr><w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"CoverBottom\">"
    "<w:name w:val=\"Cover Bottom\"/><w:basedOn w:val=\"Normal\"/><w:pPr>"
    "<w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/>"
    "<w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/>"
    "<w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr>"
    "</w:style>"
    "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\">"
    "<w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:tblPr>"
    "<w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/>"
    "<w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/>"
    "<w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    "<w:style w:type=\"table\" w:customStyle=\"1\" w:styleId=\"FanghuTable\">"
    "<w:name w:val=\"Fanghu Table\"/><w:basedOn w:val=\"TableNormal\"/><w:pPr>"
    "<w:spacing w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:tblPr><w:tblBorders>"
    "<w:top w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:left w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:right w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
    "</w:tblBorders><w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/>"
    "<w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    "</w:styles>";

static const char SETTINGS[] =
    XML_HEAD "<w:settings xmlns:w=\"" NS_W "\"><w:zoom w:percent=\"100\"/>"
             "<w:defaultTabStop w:val=\"420\"/>"
             "<w:characterSpacingControl w:val=\"compressPunctuation\"/>"
             "<w:compat><w:compatSetting w:name=\"compatibilityMode\" "
             "w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>"
             "</w:settings>";

static const char FONT_TABLE[] =
    XML_HEAD "<w:fonts xmlns:w=\"" NS_W "\">"
             "<w:font w:name=\"SimSun\"><w:altName w:val=\"宋体\"/>"
             "<w:panose1 w:val=\"02010600030101010101\"/><w:charset w:val=\"86\"/>"
             "<w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>"
             "<w:font w:name=\"SimHei\"><w:altName w:val=\"黑体\"/>"
             "<w:panose1 w:val=\"02010609060101010101\"/><w:charset w:val=\"86\"/>"
             "<w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>"
             "<w:font w:name=\"Times New Roman\"><w:panose1 w:val=\"02020603050405020304\"/>"
             "<w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/>"
             "</w:font>"
             "<w:font w:name=\"Arial\"><w:panose1 w:val=\"020B0604020202020204\"/>"
             "<w:charset w:val=\"00\"/><w:family w:val=\"swiss\"/><w:pitch w:val=\"variable\"/>"
             "</w:font></w:fonts>";

/* 第 N 页, N a PAGE field (a complex field: every reader updates it on layout). */
static const char FOOTER[] =
    XML_HEAD "<w:ftr xmlns:w=\"" NS_W "\" xmlns:r=\"" NS_R "\"><w:p><w:pPr>"
             "<w:pStyle w:val=\"Footer\"/></w:pPr>"
             "<w:r><w:t xml:space=\"preserve\">第 </w:t></w:r>"
             "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
             "<w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>"
             "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
             "<w:r><w:t>1</w:t></w:r>"
             "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
             "<w:r><w:t xml:space=\"preserve\"> 页</w:t></w:r></w:p></w:ftr>";

static void core_props(struct xml *x, const struct doc *d)
{
    put(x, XML_HEAD "<cp:coreProperties "
                    "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/"
                    "core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
                    "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>");
    esc(x, d->title);
    put(x, "</dc:title><dc:creator>fanghu</dc:creator></cp:coreProperties>");
}

/* Adds one part; libzip takes the buffer (freed with free()). */
static enum err add_part(zip_t *z, const char *name, char *buf, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(buf, len, 1, &ze);
    if (!src) {
        free(buf);
        zip_error_fini(&ze);
        return errf(ERR_INTERNAL, NULL, "DOCX 生成失败：%s", zip_error_strerror(&ze));
    }
    zip_error_fini(&ze);
    if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        return errf(ERR_INTERNAL, NULL, "DOCX 生成失败：%s", zip_strerror(z));
    }
    return ERR_OK;
}

static enum err add_static(zip_t *z, const char *name, const char *text)
{
    return add_part(z, name, xstrdup(text), strlen(text));
}

static enum err add_xml(zip_t *z, const char *name, struct xml *x)
{
    if (x->rc) {
        sbuf_release(&x->sb);
        return x->rc == ERR_TOO_LARGE ? errf(ERR_TOO_LARGE, NULL, "文档过大，无法生成 DOCX")
                                      : x->rc;
    }
    size_t len;
    char *buf = sbuf_detach(&x->sb, &len);
    return add_part(z, name, buf, len);
}

/* Reads the whole of a finished in-memory zip source into a malloc'd buffer. */
static enum err read_source(zip_source_t *src, char **bytes, size_t *len)
{
    zip_stat_t st;
    if (zip_source_open(src) < 0)
        return errf(ERR_INTERNAL, NULL, "DOCX 生成失败：%s",
                    zip_error_strerror(zip_source_error(src)));
    zip_stat_init(&st);
    enum err rc = ERR_OK;
    if (zip_source_stat(src, &st) < 0 || !(st.valid & ZIP_STAT_SIZE)) {
        rc = errf(ERR_INTERNAL, NULL, "DOCX 生成失败：无法取得大小");
    } else {
        char *buf = xmalloc(st.size ? st.size : 1);
        zip_int64_t n = zip_source_read(src, buf, st.size);
        if (n < 0 || (zip_uint64_t)n != st.size) {
            free(buf);
            rc = errf(ERR_INTERNAL, NULL, "DOCX 生成失败：读回不完整");
        } else {
            *bytes = buf;
            *len = (size_t)st.size;
        }
    }
    zip_source_close(src);
    return rc;
}

enum err doc_to_docx(const struct doc *d, char **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (!z) {
        enum err rc = errf(ERR_INTERNAL, NULL, "DOCX 生成失败：%s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        if (src)
            zip_source_free(src);
        return rc;
    }
    zip_error_fini(&ze);
    zip_source_keep(src); /* outlives zip_close, which writes the archive into it */
    struct xml doc_xml = {.rc = ERR_OK}, core = {.rc = ERR_OK};
    sbuf_init(&doc_xml.sb, DOCX_MAX);
    sbuf_init(&core.sb, 0);
    document(&doc_xml, d);
    core_props(&core, d);
    enum err rc;
    if ((rc = add_static(z, "[Content_Types].xml", CONTENT_TYPES)) ||
        (rc = add_static(z, "_rels/.rels", PACKAGE_RELS)) ||
        (rc = add_xml(z, "word/document.xml", &doc_xml)) ||
        (rc = add_static(z, "word/_rels/document.xml.rels", DOCUMENT_RELS)) ||
        (rc = add_static(z, "word/styles.xml", STYLES)) ||
        (rc = add_static(z, "word/settings.xml", SETTINGS)) ||
        (rc = add_static(z, "word/fontTable.xml", FONT_TABLE)) ||
        (rc = add_static(z, "word/footer1.xml", FOOTER)) ||
        (rc = add_xml(z, "docProps/core.xml", &core))) {
        sbuf_release(&doc_xml.sb);
        sbuf_release(&core.sb);
        zip_discard(z);
        zip_source_free(src);
        return rc;
    }
    if (zip_close(z) < 0) {
        rc = errf(ERR_INTERNAL, NULL, "DOCX 生成失败：%s", zip_strerror(z));
        zip_discard(z);
    } else {
        rc = read_source(src, bytes, len);
    }
    zip_source_free(src);
    return rc;
}
