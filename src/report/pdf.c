/* PDF writer: the document model laid out with pango on a cairo PDF surface written to memory.
 * A4 with the margins of the DOCX, Noto Serif CJK SC for text and Noto Sans CJK SC for headings
 * (cairo embeds the subsets), paragraphs flowed line by line across pages, tables with borders,
 * wrapped cells, rows split when taller than a page and the header repeated on each page, headings
 * and captions kept on the page of what they introduce, page numbers in the footer and the headings
 * as PDF bookmarks. One pass over the model: a page is finished as soon as it is full, so time
 * grows linearly with the document. */
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

#define PAGE_W           595.276 /* A4 in points */
#define PAGE_H           841.890
#define MARGIN_TOP       72.0 /* 2.54 cm, as in the DOCX */
#define MARGIN_BOT       72.0
#define MARGIN_LR        90.0 /* 3.17 cm */
#define TEXT_W           (PAGE_W - 2 * MARGIN_LR)
#define BODY_BOTTOM      (PAGE_H - MARGIN_BOT)
#define FOOTER_Y         (PAGE_H - 48.0)
#define CELL_PAD_X       4.5
#define CELL_PAD_Y       3.5
#define RULE_W           0.6
#define LINE_SPACING     1.3 /* times a line's natural height (Noto CJK's is about 1.45 em) */
#define PDF_MAX          ((size_t)1 << 30)
#define SMALL_TABLE_ROWS 10   /* kept on one page when it fits, as in the DOCX */
#define ROUNDING         0.01 /* points: slack for the same heights summed in another order */

#define SERIF "Noto Serif CJK SC"
#define SANS  "Noto Sans CJK SC"

enum font {
    F_BODY,
    F_TITLE,
    F_H1,
    F_H2,
    F_H3,
    F_TABLE,
    F_FOOTER,
    F_COVER_TITLE,
    F_COVER_SUB,
    F_COVER_LINE,
    F_COUNT
};

static const struct {
    const char *desc;
    double size; /* points */
} FONTS[F_COUNT] = {
    [F_BODY] = {SERIF, 12},       [F_TITLE] = {SANS " Bold", 18},       [F_H1] = {SANS " Bold", 16},
    [F_H2] = {SANS " Bold", 14},  [F_H3] = {SANS " Bold", 12},          [F_TABLE] = {SERIF, 10.5},
    [F_FOOTER] = {SERIF, 9},      [F_COVER_TITLE] = {SANS " Bold", 26}, [F_COVER_SUB] = {SANS, 16},
    [F_COVER_LINE] = {SERIF, 14},
};

/* One laid-out line of a cell, in layout units (PANGO_SCALE). */
struct line_pos {
    PangoLayoutLine *line;
    int top, bottom, baseline, x;
};

/* A column's cell layout with its lines, reused from row to row. */
struct cell {
    PangoLayout *layout;
    struct line_pos *lines;
    int n_lines, cap_lines;
    int next; /* first line not yet drawn */
};

struct pdf {
    struct sbuf out;
    int write_failed;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoContext *ctx;
    PangoFontDescription *fonts[F_COUNT];
    PangoLayout *layout; /* paragraphs, headings, the footer */
    double y;            /* the cursor: top of the next line, from the page's top */
    int page;            /* physical page number, 1-based */
    int number;          /* number printed in the footer; 0 for none (the cover) */
    int dirty;           /* something drawn on this page */
    double kept;         /* height of the current run of headings and captions that keep with
                            the next block, as keep() measured it (0 outside such a run) */
    int outline[4];      /* the last bookmark of each heading level (0 = root) */
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
    struct pdf *p = closure;
    if (sbuf_add(&p->out, data, length)) {
        p->write_failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static double units(int v)
{
    return (double)v / PANGO_SCALE;
}

static PangoLayout *new_layout(struct pdf *p, enum font f, double width)
{
    PangoLayout *l = pango_layout_new(p->ctx);
    pango_layout_set_font_description(l, p->fonts[f]);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_line_spacing(l, LINE_SPACING);
    return l;
}

static void insert_attr(PangoAttrList *list, PangoAttribute *a, size_t start, size_t end)
{
    a->start_index = (guint)start;
    a->end_index = (guint)end;
    pango_attr_list_insert(list, a);
}

static void add_run_attrs(PangoAttrList *list, unsigned flags, size_t start, size_t end)
{
    if (flags & DOC_BOLD)
        insert_attr(list, pango_attr_weight_new(PANGO_WEIGHT_BOLD), start, end);
    if (flags & DOC_ITALIC)
        insert_attr(list, pango_attr_style_new(PANGO_STYLE_ITALIC), start, end);
    if (flags & (DOC_SUPER | DOC_SUB)) {
        int super = (flags & DOC_SUPER) != 0;
        insert_attr(list,
                    pango_attr_font_scale_new(super ? PANGO_FONT_SCALE_SUPERSCRIPT
                                                    : PANGO_FONT_SCALE_SUBSCRIPT),
                    start, end);
        insert_attr(list,
                    pango_attr_baseline_shift_new(super ? PANGO_BASELINE_SHIFT_SUPERSCRIPT
                                                        : PANGO_BASELINE_SHIFT_SUBSCRIPT),
                    start, end);
    }
}

/* Sets the layout's text to s, all of it with flags. */
static void set_text(PangoLayout *l, const char *s, unsigned flags)
{
    size_t n = strlen(s);
    PangoAttrList *list = pango_attr_list_new();
    add_run_attrs(list, flags, 0, n);
    pango_layout_set_text(l, s, (int)n);
    pango_layout_set_attributes(l, list);
    pango_attr_list_unref(list);
}

static void set_align(PangoLayout *l, enum doc_align align)
{
    pango_layout_set_justify(l, align == DOC_JUSTIFY);
    pango_layout_set_alignment(l, align == DOC_CENTER  ? PANGO_ALIGN_CENTER
                                  : align == DOC_RIGHT ? PANGO_ALIGN_RIGHT
                                                       : PANGO_ALIGN_LEFT);
}

static void footer(struct pdf *p)
{
    if (!p->number)
        return;
    char text[32];
    snprintf(text, sizeof text, "第 %d 页", p->number);
    PangoLayout *l = new_layout(p, F_FOOTER, TEXT_W);
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    pango_layout_set_text(l, text, -1);
    cairo_move_to(p->cr, MARGIN_LR, FOOTER_Y);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
}

static void finish_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
}

/* Ends the page and starts the next one, numbered one more than this one. */
static void new_page(struct pdf *p)
{
    finish_page(p);
    p->page++;
    p->number++;
    p->y = MARGIN_TOP;
    p->dirty = 0;
}

/* Makes room for need points, starting a new page when they do not fit (and the page is not
 * empty: what is taller than a page starts at the top of one and is split by the caller). */
static void need(struct pdf *p, double height)
{
    if (p->dirty && p->y + height > BODY_BOTTOM)
        new_page(p);
}

/* Draws the layout at x with its top at the cursor, line by line, continuing on new pages. Lines
 * keep the layout's pitch (its line spacing); the last one advances by a full pitch too, so the
 * gap between paragraphs matches the gap between lines. */
static void flow(struct pdf *p, PangoLayout *l, double x)
{
    double factor = pango_layout_get_line_spacing(l), base = p->y;
    int origin = 0; /* the layout's y at base */
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        int top, bottom;
        PangoRectangle logical;
        pango_layout_iter_get_line_yrange(it, &top, &bottom);
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double y = base + units(top - origin), height = units(bottom - top);
        if (p->dirty && y + height > BODY_BOTTOM) {
            new_page(p);
            base = y = p->y;
            origin = top;
        }
        cairo_move_to(p->cr, x + units(logical.x),
                      y + units(pango_layout_iter_get_baseline(it) - top));
        pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
        p->y = y + height * (factor > 1 ? factor : 1);
        p->dirty = 1;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static double layout_height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return units(h);
}

/* How far flow() moves the cursor for the layout when it fits on the page: to its last line's top,
 * plus that line's pitch. */
static double flow_height(PangoLayout *l)
{
    double factor = pango_layout_get_line_spacing(l), height = 0;
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        int top, bottom;
        pango_layout_iter_get_line_yrange(it, &top, &bottom);
        height = units(top) + units(bottom - top) * (factor > 1 ? factor : 1);
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    return height;
}

static void space(struct pdf *p, double points)
{
    if (p->dirty)
        p->y += points;
}

/* Sets p->layout to the paragraph's text and style. */
static void para_layout(struct pdf *p, const struct doc_para *para)
{
    struct sbuf text;
    sbuf_init(&text, PDF_MAX);
    PangoAttrList *list = pango_attr_list_new();
    for (const struct doc_run *r = para->runs; r; r = r->next) {
        size_t start = text.len;
        if (sbuf_adds(&text, r->text))
            break;
        add_run_attrs(list, r->flags, start, text.len);
    }
    PangoLayout *l = p->layout;
    pango_layout_set_font_description(l, p->fonts[F_BODY]);
    set_align(l, para->align);
    pango_layout_set_indent(l, para->indent ? (int)(2 * FONTS[F_BODY].size * PANGO_SCALE) : 0);
    pango_layout_set_text(l, text.buf, (int)text.len);
    pango_layout_set_attributes(l, list);
    pango_attr_list_unref(list);
    sbuf_release(&text);
}

/* The height a paragraph in p->layout needs at the foot of a page: no single first line there,
 * so two lines (or the whole of a shorter one); longer paragraphs flow on to the next page. */
static double para_lead(struct pdf *p)
{
    double height = layout_height(p->layout), body_line = FONTS[F_BODY].size * 1.45 * LINE_SPACING;
    return height > 2 * body_line ? 2 * body_line : height;
}

/* A paragraph; a caption (keep_next) has had room made for it and what follows by keep(). */
static void paragraph(struct pdf *p, const struct doc_para *para)
{
    para_layout(p, para);
    need(p, para->space_before + para_lead(p));
    space(p, para->space_before);
    flow(p, p->layout, MARGIN_LR);
}

static void bookmark(struct pdf *p, int level, const char *text)
{
    char dest[96];
    snprintf(dest, sizeof dest, "page=%d pos=[%.1f %.1f]", p->page, MARGIN_LR, p->y);
    int parent = level > 1 ? p->outline[level - 1] : CAIRO_PDF_OUTLINE_ROOT;
    p->outline[level] = cairo_pdf_surface_add_outline(p->surface, parent, text, dest,
                                                      level == 1 ? CAIRO_PDF_OUTLINE_FLAG_OPEN : 0);
    for (int i = level + 1; i < 4; i++)
        p->outline[i] = p->outline[level];
}

/* Sets p->layout to a heading's or the title's text and style; *before and *after are the spaces
 * around it in points. */
static void heading_layout(struct pdf *p, const struct doc_block *b, double *before, double *after)
{
    static const enum font fonts[] = {F_TITLE, F_H1, F_H2, F_H3};
    static const double space_before[] = {6, 12, 9, 6}, space_after[] = {18, 6, 3, 0};
    int level = b->kind == DOC_HEADING ? b->level : 0;
    PangoLayout *l = p->layout;
    pango_layout_set_font_description(l, p->fonts[fonts[level]]);
    set_align(l, level ? DOC_LEFT : DOC_CENTER);
    pango_layout_set_indent(l, 0);
    set_text(l, b->text, 0);
    *before = space_before[level];
    *after = space_after[level];
}

/* A heading or the title; keep() has made room for it and the start of what follows. */
static void heading(struct pdf *p, const struct doc_block *b)
{
    double before, after;
    heading_layout(p, b, &before, &after);
    space(p, before);
    if (b->kind == DOC_HEADING)
        bookmark(p, b->level, b->text);
    flow(p, p->layout, MARGIN_LR);
    p->y += after;
}

/* ---- Tables ---------------------------------------------------------------------------- */

struct table_state {
    const struct doc_table *t;
    double x[64], w[64];
    struct cell head[64], body[64];
    double fresh_y;  /* the cursor just after a page break inside the table (and its header) */
    double rows_top; /* where rows start on a fresh page: the top margin and the header */
};

static void cell_lines(struct cell *c)
{
    c->n_lines = 0;
    c->next = 0;
    PangoLayoutIter *it = pango_layout_get_iter(c->layout);
    do {
        if (c->n_lines == c->cap_lines) {
            c->cap_lines = c->cap_lines ? 2 * c->cap_lines : 8;
            c->lines = xrealloc(c->lines, (size_t)c->cap_lines * sizeof *c->lines);
        }
        struct line_pos *lp = &c->lines[c->n_lines++];
        PangoRectangle logical;
        pango_layout_iter_get_line_yrange(it, &lp->top, &lp->bottom);
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        lp->baseline = pango_layout_iter_get_baseline(it);
        lp->x = logical.x;
        lp->line = pango_layout_iter_get_line_readonly(it);
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

/* Height in points of lines [from, to) of a cell. */
static double lines_height(const struct cell *c, int from, int to)
{
    return to > from ? units(c->lines[to - 1].bottom - c->lines[from].top) : 0;
}

static void table_header(struct pdf *p, struct table_state *ts);

/* The height in points of a row laid out in cells, unsplit. */
static double row_height(const struct table_state *ts, const struct cell *cells)
{
    double h = 0;
    for (size_t i = 0; i < ts->t->n_cols; i++)
        if (lines_height(&cells[i], 0, cells[i].n_lines) > h)
            h = lines_height(&cells[i], 0, cells[i].n_lines);
    return h + 2 * CELL_PAD_Y;
}

/* Starts a new page inside a table, with the header repeated unless drawing the header. */
static void table_page(struct pdf *p, struct table_state *ts, int header)
{
    new_page(p);
    if (!header && ts->t->repeat_header)
        table_header(p, ts);
    ts->fresh_y = p->y;
}

/* Lines of each cell that fit in avail points from the cell's next line; returns 1 when at least
 * one line of some cell fits. */
static int fit_lines(struct table_state *ts, struct cell *cells, double avail, int *fit)
{
    int progressed = 0;
    for (size_t i = 0; i < ts->t->n_cols; i++) {
        struct cell *c = &cells[i];
        int k = c->next;
        while (k < c->n_lines && lines_height(c, c->next, k + 1) <= avail)
            k++;
        fit[i] = k;
        progressed |= k > c->next;
    }
    return progressed;
}

static void draw_segment(struct pdf *p, struct table_state *ts, struct cell *cells, const int *fit,
                         double seg, int header)
{
    cairo_t *cr = p->cr;
    for (size_t i = 0; i < ts->t->n_cols; i++) {
        struct cell *c = &cells[i];
        if (header) {
            cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
            cairo_rectangle(cr, ts->x[i], p->y, ts->w[i], seg);
            cairo_fill(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
        }
        /* Vertically centred when the whole cell is in this segment. */
        double offset = CELL_PAD_Y;
        if (c->next == 0 && fit[i] == c->n_lines)
            offset += (seg - 2 * CELL_PAD_Y - lines_height(c, 0, c->n_lines)) / 2;
        for (int k = c->next; k < fit[i]; k++) {
            const struct line_pos *lp = &c->lines[k];
            cairo_move_to(cr, ts->x[i] + CELL_PAD_X + units(lp->x),
                          p->y + offset + units(lp->baseline - c->lines[c->next].top));
            pango_cairo_show_layout_line(cr, lp->line);
        }
        c->next = fit[i];
    }
    cairo_set_line_width(cr, RULE_W);
    for (size_t i = 0; i < ts->t->n_cols; i++)
        cairo_rectangle(cr, ts->x[i], p->y, ts->w[i], seg);
    cairo_stroke(cr);
    p->y += seg;
    p->dirty = 1;
}

/* Draws one row (cells already laid out). A row that does not fit moves to the next page whole
 * when it fits there; a row taller than a page is split between lines. The header row is never
 * repeated inside itself. */
static void table_row(struct pdf *p, struct table_state *ts, struct cell *cells, int header)
{
    size_t n = ts->t->n_cols;
    double full = row_height(ts, cells);
    int fresh = !p->dirty || p->y <= ts->fresh_y;
    if (!fresh && p->y + full > BODY_BOTTOM && full <= BODY_BOTTOM - ts->rows_top)
        table_page(p, ts, header);
    for (;;) {
        int fit[64], done = 1;
        double avail = BODY_BOTTOM - p->y - 2 * CELL_PAD_Y, seg = 0;
        if (!fit_lines(ts, cells, avail, fit)) {
            if (p->dirty && p->y > ts->fresh_y) {
                table_page(p, ts, header);
                continue;
            }
            /* A line taller than a page: place one line of each cell anyway. */
            for (size_t i = 0; i < n; i++)
                fit[i] = cells[i].next + (cells[i].next < cells[i].n_lines);
        }
        for (size_t i = 0; i < n; i++) {
            double h = lines_height(&cells[i], cells[i].next, fit[i]);
            seg = h > seg ? h : seg;
            done &= fit[i] == cells[i].n_lines;
        }
        draw_segment(p, ts, cells, fit, seg + 2 * CELL_PAD_Y, header);
        if (done)
            break;
        table_page(p, ts, header);
    }
}

static void table_header(struct pdf *p, struct table_state *ts)
{
    for (size_t i = 0; i < ts->t->n_cols; i++)
        ts->head[i].next = 0;
    table_row(p, ts, ts->head, 1);
}

static void set_cells(struct table_state *ts, struct cell *cells, const char *const *texts,
                      unsigned flags)
{
    for (size_t i = 0; i < ts->t->n_cols; i++) {
        set_text(cells[i].layout, texts[i], flags);
        cell_lines(&cells[i]);
    }
}

/* The table's column geometry and its header laid out; free with table_state_free. */
static struct table_state *table_state_new(struct pdf *p, const struct doc_table *t)
{
    struct table_state *ts = xcalloc(1, sizeof *ts);
    ts->t = t;
    double x = MARGIN_LR;
    for (size_t i = 0; i < t->n_cols; i++) {
        ts->x[i] = x;
        ts->w[i] = t->widths[i] * TEXT_W;
        x += ts->w[i];
        double inner = ts->w[i] - 2 * CELL_PAD_X;
        ts->head[i].layout = new_layout(p, F_TABLE, inner > 1 ? inner : 1);
        ts->body[i].layout = new_layout(p, F_TABLE, inner > 1 ? inner : 1);
        pango_layout_set_line_spacing(ts->head[i].layout, 1.0);
        pango_layout_set_line_spacing(ts->body[i].layout, 1.0);
        set_align(ts->head[i].layout, DOC_CENTER);
        set_align(ts->body[i].layout, t->align[i] == DOC_JUSTIFY ? DOC_LEFT : t->align[i]);
    }
    set_cells(ts, ts->head, t->header, DOC_BOLD);
    ts->rows_top = MARGIN_TOP + (t->repeat_header ? row_height(ts, ts->head) : 0);
    ts->fresh_y = -1;
    return ts;
}

static void table_state_free(struct table_state *ts)
{
    for (size_t i = 0; i < ts->t->n_cols; i++) {
        g_object_unref(ts->head[i].layout);
        g_object_unref(ts->body[i].layout);
        free(ts->head[i].lines);
        free(ts->body[i].lines);
    }
    free(ts);
}

/* The height the start of the table needs on its page, below kept points of headings and captions
 * that stay with it. A small table stays whole when it fits on one page with them. Otherwise the
 * header keeps the first row: all of it, since table_row would move a row that fits on a page to
 * the next one, or the first line of each cell when the row is taller than a page and splits. */
static double table_lead(struct table_state *ts, double kept)
{
    const struct doc_table *t = ts->t;
    double head_h = row_height(ts, ts->head), rows_h = 0, first_h = 0;
    int small = t->n_rows <= SMALL_TABLE_ROWS;
    for (const struct doc_row *r = t->rows; r && (small || r == t->rows); r = r->next) {
        set_cells(ts, ts->body, r->cells, r->flags);
        double h = row_height(ts, ts->body);
        if (r == t->rows && h > BODY_BOTTOM - ts->rows_top) {
            first_h = 0;
            for (size_t i = 0; i < t->n_cols; i++)
                if (lines_height(&ts->body[i], 0, 1) > first_h)
                    first_h = lines_height(&ts->body[i], 0, 1);
            first_h += 2 * CELL_PAD_Y;
        } else if (r == t->rows) {
            first_h = h;
        }
        rows_h += h;
    }
    if (small && kept + head_h + rows_h <= BODY_BOTTOM - MARGIN_TOP)
        return head_h + rows_h;
    return head_h + first_h;
}

static void table(struct pdf *p, const struct doc_table *t)
{
    struct table_state *ts = table_state_new(p, t);
    need(p, table_lead(ts, p->kept));
    table_header(p, ts);
    for (const struct doc_row *r = t->rows; r && !p->write_failed; r = r->next) {
        set_cells(ts, ts->body, r->cells, r->flags);
        table_row(p, ts, ts->body, 0);
    }
    table_state_free(ts);
    p->y += 6;
}

/* ---- Cover ------------------------------------------------------------------------------- */

/* A part of the cover: its layout, the gap above it and its left edge. */
struct cover_part {
    PangoLayout *layout;
    double gap, x;
};

static struct cover_part cover_part(struct pdf *p, enum font f, const char *key, const char *text,
                                    double gap)
{
    struct cover_part part = {new_layout(p, f, TEXT_W), gap, MARGIN_LR};
    if (!key) {
        set_align(part.layout, DOC_CENTER);
        set_text(part.layout, text, 0);
        return part;
    }
    /* "key：value" lines, indented like the DOCX's, the key in bold. */
    part.x = MARGIN_LR + 63;
    pango_layout_set_width(part.layout, (int)((TEXT_W - 84) * PANGO_SCALE));
    char *line = NULL;
    if (asprintf(&line, "%s：%s", key, text) < 0)
        die_oom();
    PangoAttrList *list = pango_attr_list_new();
    add_run_attrs(list, DOC_BOLD, 0, strlen(key) + strlen("："));
    pango_layout_set_text(part.layout, line, -1);
    pango_layout_set_attributes(part.layout, list);
    pango_attr_list_unref(list);
    free(line);
    return part;
}

/* The cover: title, subtitle, the key lines and the bottom lines, centred on the page as a
 * whole (like the DOCX's vertically centred section); the body starts on the next page. */
static void cover(struct pdf *p, const struct doc_cover *c)
{
    size_t n = 2, k = 0;
    for (const struct doc_cover_line *l = c->lines; l; l = l->next)
        n++;
    for (const struct doc_cover_line *l = c->bottom; l; l = l->next)
        n++;
    struct cover_part *parts = xcalloc(n, sizeof *parts);
    parts[k++] = cover_part(p, F_COVER_TITLE, NULL, c->title, 0);
    if (*c->subtitle)
        parts[k++] = cover_part(p, F_COVER_SUB, NULL, c->subtitle, 12);
    for (const struct doc_cover_line *l = c->lines; l; l = l->next)
        parts[k++] = cover_part(p, F_COVER_LINE, l->key, l->value, l == c->lines ? 72 : 8);
    for (const struct doc_cover_line *l = c->bottom; l; l = l->next)
        parts[k++] = cover_part(p, F_COVER_LINE, NULL, l->value, l == c->bottom ? 90 : 4);
    double total = 0;
    for (size_t i = 0; i < k; i++)
        total += parts[i].gap + layout_height(parts[i].layout);
    double room = BODY_BOTTOM - MARGIN_TOP;
    p->y = MARGIN_TOP + (total < room ? (room - total) / 2 : 0);
    for (size_t i = 0; i < k; i++) {
        p->y += parts[i].gap;
        flow(p, parts[i].layout, parts[i].x);
        g_object_unref(parts[i].layout);
    }
    free(parts);
    /* The cover's number is 0 (none): the body's pages are numbered from 1. */
    new_page(p);
}

/* ---- Keep with next ---------------------------------------------------------------------- */

/* The title, headings and captions stay on the page of the start of the next block. */
static int keeps_next(const struct doc_block *b)
{
    return b->kind == DOC_TITLE || b->kind == DOC_HEADING ||
           (b->kind == DOC_PARA && b->u.para.keep_next);
}

/* The height of a block that keeps with the next one, below the space above it (*before, dropped
 * at the top of a page): such blocks are short and measured whole. */
static double kept_height(struct pdf *p, const struct doc_block *b, double *before)
{
    double after = 0;
    if (b->kind == DOC_PARA) {
        para_layout(p, &b->u.para);
        *before = b->u.para.space_before;
    } else {
        heading_layout(p, b, before, &after);
    }
    return flow_height(p->layout) + after;
}

/* The height the start of block b needs below kept points of blocks kept with it. */
static double lead(struct pdf *p, const struct doc_block *b, double kept)
{
    if (b->kind == DOC_PARA) {
        para_layout(p, &b->u.para);
        return b->u.para.space_before + para_lead(p);
    }
    if (b->kind == DOC_TABLE) {
        struct table_state *ts = table_state_new(p, &b->u.table);
        double height = table_lead(ts, kept);
        table_state_free(ts);
        return height;
    }
    return 0; /* a page break or the end: nothing to keep with */
}

/* At the first of a run of blocks that keep with the next (a heading, a caption, a heading and a
 * caption, …), makes room for all of them and the start of the block after them (lead()), so that
 * none is left at the foot of a page while what it introduces starts the next one. Returns the
 * run's height without the space above it, which the top of a page drops. */
static double keep(struct pdf *p, const struct doc_block *b)
{
    double first_before, before;
    double kept = kept_height(p, b, &first_before);
    for (b = b->next; b && keeps_next(b); b = b->next) {
        double height = kept_height(p, b, &before);
        kept += before + height;
    }
    need(p, first_before + kept + (b ? lead(p, b, kept) : 0) + ROUNDING);
    return kept;
}

static void render(struct pdf *p, const struct doc *d)
{
    int chained = 0; /* the previous block keeps with this one */
    for (const struct doc_block *b = d->blocks; b && !p->write_failed; b = b->next) {
        if (!chained)
            p->kept = keeps_next(b) ? keep(p, b) : 0;
        chained = keeps_next(b);
        switch (b->kind) {
        case DOC_TITLE:
        case DOC_HEADING:
            heading(p, b);
            break;
        case DOC_PARA:
            paragraph(p, &b->u.para);
            break;
        case DOC_TABLE:
            table(p, &b->u.table);
            break;
        case DOC_PAGE_BREAK:
            if (p->dirty)
                new_page(p);
            break;
        case DOC_COVER:
            cover(p, &b->u.cover);
            break;
        }
    }
    finish_page(p);
}

static void pdf_release(struct pdf *p)
{
    if (p->layout)
        g_object_unref(p->layout);
    for (int i = 0; i < F_COUNT; i++)
        if (p->fonts[i])
            pango_font_description_free(p->fonts[i]);
    if (p->ctx)
        g_object_unref(p->ctx);
    if (p->cr)
        cairo_destroy(p->cr);
    if (p->surface)
        cairo_surface_destroy(p->surface);
    sbuf_release(&p->out);
}

static void pdf_init(struct pdf *p, const struct doc *d)
{
    memset(p, 0, sizeof *p);
    sbuf_init(&p->out, PDF_MAX);
    p->surface = cairo_pdf_surface_create_for_stream(write_out, p, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR, "fanghu");
    p->cr = cairo_create(p->surface);
    p->ctx = pango_cairo_create_context(p->cr);
    /* Points as user units; no hinting: positions are exact in a PDF. */
    pango_cairo_context_set_resolution(p->ctx, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(p->ctx, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_language(p->ctx, pango_language_from_string("zh-cn"));
    for (int i = 0; i < F_COUNT; i++) {
        p->fonts[i] = pango_font_description_from_string(FONTS[i].desc);
        pango_font_description_set_size(p->fonts[i], (int)(FONTS[i].size * PANGO_SCALE));
    }
    p->layout = new_layout(p, F_BODY, TEXT_W);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p->page = 1;
    p->number = doc_has_cover(d) ? 0 : 1;
    p->y = MARGIN_TOP;
}

enum err doc_to_pdf(const struct doc *d, char **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    struct pdf p;
    pdf_init(&p, d);
    enum err rc = ERR_OK;
    if (cairo_surface_status(p.surface) || cairo_status(p.cr)) {
        rc = errf(ERR_INTERNAL, NULL, "PDF 生成失败：%s",
                  cairo_status_to_string(cairo_status(p.cr)));
    } else {
        render(&p, d);
        cairo_surface_finish(p.surface);
        cairo_status_t st = cairo_surface_status(p.surface);
        if (p.write_failed)
            rc = errf(ERR_TOO_LARGE, NULL, "PDF 文档过大");
        else if (st)
            rc = errf(ERR_INTERNAL, NULL, "PDF 生成失败：%s", cairo_status_to_string(st));
    }
    if (!rc)
        *bytes = sbuf_detach(&p.out, len);
    pdf_release(&p);
    return rc;
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer, in the test build: fontconfig (under pango) and cairo keep caches for the life of
 * the process (per thread, too) that it reports at exit, and cairo 1.16's CFF subsetter loses under
 * a kilobyte per embedded font in cairo_surface_finish. None of it is ours to free. The libraries
 * have no frame pointers, so the stacks end inside them and only module names can match. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n"
           "leak:libcairo.so\n";
}
#endif
