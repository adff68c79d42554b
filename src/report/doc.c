/* The document model: builders that copy clean text into the document's arena and append blocks,
 * rows and runs to linked lists in O(1). The writers (docx.c, pdf.c) read the structures of doc.h.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "doc.h"

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; we drop
 * #xD too (a line break is '\n' in the model). Surrogates never decode. */
static int keep_code_point(unsigned cp)
{
    if (cp < 0x20)
        return cp == '\t' || cp == '\n';
    return cp != 0xFFFE && cp != 0xFFFF;
}

/* Writes the cleaned s (n bytes) to out when not NULL; returns the cleaned length. */
static size_t clean_into(const char *s, size_t n, char *out)
{
    size_t out_len = 0;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = tab_utf8_decode(s + i, n - i, &cp);
        const char *bytes = s + i;
        if (!len) {
            bytes = REPLACEMENT;
            len = 3;
            i++;
        } else {
            i += len;
            if (!keep_code_point(cp))
                continue;
        }
        if (out)
            memcpy(out + out_len, bytes, len);
        out_len += len;
    }
    return out_len;
}

const char *doc_clean(struct doc *d, const char *s)
{
    if (!s || !*s)
        return "";
    size_t n = strlen(s), out_len = clean_into(s, n, NULL);
    char *out = arena_alloc(&d->arena, out_len + 1);
    clean_into(s, n, out);
    out[out_len] = '\0';
    return out;
}

enum err doc_xml_escape(struct sbuf *sb, const char *s, size_t n)
{
    enum err rc = ERR_OK;
    size_t start = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *entity = NULL;
        switch (s[i]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&apos;";
            break;
        default:
            continue;
        }
        if (!(rc = sbuf_add(sb, s + start, i - start)))
            rc = sbuf_adds(sb, entity);
        start = i + 1;
    }
    return rc ? rc : sbuf_add(sb, s + start, n - start);
}

int doc_has_cover(const struct doc *d)
{
    return d->blocks && d->blocks->kind == DOC_COVER;
}

struct doc *doc_new(const char *title)
{
    struct doc *d = xcalloc(1, sizeof *d);
    arena_init(&d->arena);
    d->title = doc_clean(d, title);
    d->tail = &d->blocks;
    return d;
}

void doc_free(struct doc *d)
{
    if (!d)
        return;
    arena_release(&d->arena);
    free(d);
}

static struct doc_block *add_block(struct doc *d, enum doc_block_kind kind)
{
    struct doc_block *b = arena_alloc(&d->arena, sizeof *b);
    b->kind = kind;
    *d->tail = b;
    d->tail = &b->next;
    d->n_blocks++;
    return b;
}

void doc_title(struct doc *d, const char *text)
{
    add_block(d, DOC_TITLE)->text = doc_clean(d, text);
}

void doc_heading(struct doc *d, int level, const char *text)
{
    assert(level >= 1 && level <= 3);
    struct doc_block *b = add_block(d, DOC_HEADING);
    b->level = level;
    b->text = doc_clean(d, text);
}

struct doc_para *doc_para(struct doc *d)
{
    struct doc_para *p = &add_block(d, DOC_PARA)->u.para;
    p->doc = d;
    p->tail = &p->runs;
    p->align = DOC_JUSTIFY;
    p->indent = 1;
    return p;
}

void doc_para_align(struct doc_para *p, enum doc_align align, int indent)
{
    p->align = align;
    p->indent = indent;
}

void doc_run(struct doc_para *p, const char *text, unsigned flags)
{
    struct doc_run *r = arena_alloc(&p->doc->arena, sizeof *r);
    r->text = doc_clean(p->doc, text);
    r->flags = flags;
    *p->tail = r;
    p->tail = &r->next;
}

void doc_runf(struct doc_para *p, unsigned flags, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        die_oom();
    va_end(ap);
    doc_run(p, text, flags);
    free(text);
}

void doc_text(struct doc *d, const char *text, const char *placeholder)
{
    int any = 0;
    for (const char *line = text ? text : ""; *line;) {
        const char *p = line, *end = line + strcspn(line, "\r\n");
        /* Leading spaces, tabs and U+3000: the first-line indent replaces them. */
        for (;;) {
            if (p < end && (*p == ' ' || *p == '\t'))
                p++;
            else if (end - p >= 3 && !memcmp(p, "\xE3\x80\x80", 3))
                p += 3;
            else
                break;
        }
        if (p < end) {
            char *copy = arena_strndup(&d->arena, p, (size_t)(end - p));
            doc_run(doc_para(d), copy, 0);
            any = 1;
        }
        line = end + strspn(end, "\r\n");
    }
    if (!any && placeholder)
        doc_run(doc_para(d), placeholder, 0);
}

void doc_kv(struct doc *d, const char *key, const char *value)
{
    struct doc_para *p = doc_para(d);
    doc_para_align(p, DOC_LEFT, 0);
    doc_runf(p, DOC_BOLD, "%s：", key ? key : "");
    doc_run(p, value && *value ? value : "（未填写）", 0);
}

void doc_caption(struct doc *d, const char *text)
{
    struct doc_para *p = doc_para(d);
    doc_para_align(p, DOC_CENTER, 0);
    p->keep_next = 1;
    p->space_before = 6;
    doc_run(p, text, DOC_BOLD);
}

void doc_page_break(struct doc *d)
{
    add_block(d, DOC_PAGE_BREAK);
}

struct doc_cover *doc_cover(struct doc *d, const char *title, const char *subtitle)
{
    assert(!d->blocks);
    struct doc_cover *c = &add_block(d, DOC_COVER)->u.cover;
    c->doc = d;
    c->title = doc_clean(d, title);
    c->subtitle = doc_clean(d, subtitle);
    c->tail = &c->lines;
    c->bottom_tail = &c->bottom;
    return c;
}

static struct doc_cover_line *cover_line(struct doc *d, struct doc_cover_line ***tail)
{
    struct doc_cover_line *l = arena_alloc(&d->arena, sizeof *l);
    **tail = l;
    *tail = &l->next;
    return l;
}

void doc_cover_line(struct doc_cover *c, const char *key, const char *value)
{
    struct doc_cover_line *l = cover_line(c->doc, &c->tail);
    l->key = doc_clean(c->doc, key);
    l->value = doc_clean(c->doc, value);
}

void doc_cover_bottom(struct doc_cover *c, const char *text)
{
    struct doc_cover_line *l = cover_line(c->doc, &c->bottom_tail);
    l->key = "";
    l->value = doc_clean(c->doc, text);
}

struct doc_table *doc_table(struct doc *d, size_t n_cols, const char *const *header,
                            const double *widths)
{
    assert(n_cols >= 1 && n_cols <= 64);
    struct doc_table *t = &add_block(d, DOC_TABLE)->u.table;
    t->doc = d;
    t->n_cols = n_cols;
    t->header = arena_alloc(&d->arena, n_cols * sizeof *t->header);
    t->widths = arena_alloc(&d->arena, n_cols * sizeof *t->widths);
    t->align = arena_alloc(&d->arena, n_cols * sizeof *t->align);
    double total = 0;
    for (size_t i = 0; i < n_cols; i++) {
        t->header[i] = doc_clean(d, header ? header[i] : "");
        t->widths[i] = widths && widths[i] > 0 ? widths[i] : 1;
        t->align[i] = DOC_LEFT;
        total += t->widths[i];
    }
    for (size_t i = 0; i < n_cols; i++)
        t->widths[i] /= total;
    t->tail = &t->rows;
    t->repeat_header = 1;
    return t;
}

void doc_table_align(struct doc_table *t, size_t col, enum doc_align align)
{
    assert(col < t->n_cols);
    t->align[col] = align;
}

void doc_table_repeat_header(struct doc_table *t, int repeat)
{
    t->repeat_header = repeat;
}

void doc_table_row(struct doc_table *t, const char *const *cells, unsigned flags)
{
    struct doc_row *r = arena_alloc(&t->doc->arena, sizeof *r);
    r->cells = arena_alloc(&t->doc->arena, t->n_cols * sizeof *r->cells);
    for (size_t i = 0; i < t->n_cols; i++)
        r->cells[i] = doc_clean(t->doc, cells ? cells[i] : NULL);
    r->flags = flags;
    *t->tail = r;
    t->tail = &r->next;
    t->n_rows++;
}
