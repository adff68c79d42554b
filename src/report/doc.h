/* The document model behind the regulator's documents: a list of blocks (title, headings,
 * paragraphs of runs, tables, page breaks, a cover) built in memory by the builders of report.h and
 * rendered by docx.c and pdf.c. Every string is copied into the document's arena as clean UTF-8
 * (invalid bytes become U+FFFD; control characters other than tab and line feed are dropped), so
 * the writers never see text that XML or pango would refuse. Lists are linked with tail pointers:
 * appending a row or a block is O(1), and writers walk them once. */
#ifndef FANGHU_REPORT_DOC_H
#define FANGHU_REPORT_DOC_H
#include <stddef.h>

#include "arena.h"
#include "report.h"
#include "sbuf.h"

struct doc_run {
    struct doc_run *next;
    const char *text; /* clean UTF-8; '\n' is a line break inside the paragraph */
    unsigned flags;   /* enum doc_run_flags */
};

struct doc_para {
    struct doc *doc;
    struct doc_run *runs, **tail;
    enum doc_align align;
    int indent; /* 1: first line indented by two characters (the body text of Chinese documents) */
    int keep_next;       /* 1: on the same page as the start of the next block (captions) */
    double space_before; /* points, dropped at the top of a page */
};

struct doc_row {
    struct doc_row *next;
    const char **cells; /* n_cols clean strings */
    unsigned flags;     /* DOC_BOLD for the whole row */
};

struct doc_table {
    struct doc *doc;
    size_t n_cols;
    const char **header;   /* n_cols strings */
    double *widths;        /* n_cols fractions of the text width, summing to 1 */
    enum doc_align *align; /* per column */
    struct doc_row *rows, **tail;
    size_t n_rows;
    int repeat_header; /* 1 (default): the header row repeats on every page the table spans */
};

struct doc_cover_line {
    struct doc_cover_line *next;
    const char *key, *value;
};

/* A cover page of its own: no page number, and the body's numbering starts at 1 after it. */
struct doc_cover {
    struct doc *doc;
    const char *title, *subtitle; /* subtitle may be "" */
    struct doc_cover_line *lines, **tail;
    struct doc_cover_line *bottom, **bottom_tail; /* value-only lines near the foot (unit, date) */
};

enum doc_block_kind { DOC_TITLE, DOC_HEADING, DOC_PARA, DOC_TABLE, DOC_PAGE_BREAK, DOC_COVER };

struct doc_block {
    struct doc_block *next;
    enum doc_block_kind kind;
    int level;        /* DOC_HEADING: 1..3 */
    const char *text; /* DOC_TITLE, DOC_HEADING */
    union {
        struct doc_para para;
        struct doc_table table;
        struct doc_cover cover;
    } u;
};

struct doc {
    struct arena arena;
    const char *title; /* the file's metadata title */
    struct doc_block *blocks, **tail;
    size_t n_blocks;
};

/* A copy of s (NULL → "") in d's arena, cleaned as described at the top of this file. */
const char *doc_clean(struct doc *d, const char *s);

/* Appends the n bytes of s to sb, escaped for XML character data and attribute values in double
 * quotes (& < > " '). The text must already be clean (doc_clean). */
enum err doc_xml_escape(struct sbuf *sb, const char *s, size_t n);

/* 1 when the document opens with a cover (its first block). */
int doc_has_cover(const struct doc *d);

#endif
