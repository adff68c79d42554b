/* RFC 4180 CSV: the reader behind imports and the writer of exported lists, plus what the XLSX
 * reader and writer share with it (limits, the table builder, UTF-8 decoding). */
#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csv.h"
#include "sbuf.h"
#include "err.h"

static const char empty_cell[] = "";

void tab_limits_resolve(const struct tab_limits *limits, struct tab_limits *out)
{
    struct tab_limits l = {0};
    if (limits)
        l = *limits;
    if (!l.max_bytes)
        l.max_bytes = (size_t)32 << 20;
    if (!l.max_rows)
        l.max_rows = 100000;
    if (!l.max_cols)
        l.max_cols = 256;
    if (!l.max_cell)
        l.max_cell = (size_t)64 << 10;
    if (!l.max_cells)
        l.max_cells = 2000000;
    if (!l.max_part)
        l.max_part = (size_t)256 << 20;
    /* Line and row numbers are ints in the messages and in struct tab_row. */
    if (l.max_bytes > INT_MAX)
        l.max_bytes = INT_MAX;
    if (l.max_rows > INT_MAX)
        l.max_rows = INT_MAX;
    *out = l;
}

const char *tab_cell(const struct tab *t, size_t row, size_t col)
{
    if (row >= t->n_rows || col >= t->rows[row].n_cells)
        return empty_cell;
    return t->rows[row].cells[col];
}

size_t tab_utf8_decode(const char *p, size_t n, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned c = s[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* ---- table builder ---- */

void tab_builder_init(struct tab_builder *b, struct arena *a, const struct tab_limits *lim)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->lim = *lim;
}

void tab_builder_release(struct tab_builder *b)
{
    free(b->rows);
    free(b->cells);
    b->rows = NULL;
    b->cells = NULL;
    b->n_rows = b->cap_rows = b->n_cells = b->cap_cells = 0;
}

enum err tab_builder_set(struct tab_builder *b, int line, size_t col, const char *cell)
{
    assert(col >= b->n_cells);
    if (col >= b->lim.max_cols)
        return errf(ERR_VALIDATION, "file", "第 %d 行：超过 %zu 列的上限", line, b->lim.max_cols);
    size_t added = col + 1 - b->n_cells;
    if (added > b->lim.max_cells - b->n_total)
        return errf(ERR_VALIDATION, "file", "第 %d 行：表格超过 %zu 个单元格的上限", line,
                    b->lim.max_cells);
    if (col >= b->cap_cells) {
        size_t cap = b->cap_cells ? b->cap_cells * 2 : 16;
        while (cap <= col)
            cap *= 2;
        b->cells = xrealloc(b->cells, cap * sizeof *b->cells);
        b->cap_cells = cap;
    }
    while (b->n_cells < col)
        b->cells[b->n_cells++] = empty_cell;
    b->cells[b->n_cells++] = cell;
    b->n_total += added;
    return ERR_OK;
}

enum err tab_builder_end_row(struct tab_builder *b, int line)
{
    if (b->n_rows >= b->lim.max_rows)
        return errf(ERR_VALIDATION, "file", "第 %d 行：超过 %zu 行的上限", line, b->lim.max_rows);
    if (b->n_rows == b->cap_rows) {
        b->cap_rows = b->cap_rows ? b->cap_rows * 2 : 64;
        b->rows = xrealloc(b->rows, b->cap_rows * sizeof *b->rows);
    }
    struct tab_row *row = &b->rows[b->n_rows++];
    row->n_cells = b->n_cells;
    row->cells = NULL;
    row->line = line;
    if (b->n_cells) {
        row->cells = arena_alloc(b->a, b->n_cells * sizeof *row->cells);
        memcpy(row->cells, b->cells, b->n_cells * sizeof *row->cells);
    }
    b->n_cells = 0;
    return ERR_OK;
}

void tab_builder_finish(struct tab_builder *b, struct tab *out)
{
    memset(out, 0, sizeof *out);
    while (b->n_rows && !b->rows[b->n_rows - 1].n_cells)
        b->n_rows--;
    if (b->n_rows) {
        out->rows = arena_alloc(b->a, b->n_rows * sizeof *out->rows);
        memcpy(out->rows, b->rows, b->n_rows * sizeof *out->rows);
    }
    out->n_rows = b->n_rows;
    for (size_t i = 0; i < out->n_rows; i++)
        if (out->rows[i].n_cells > out->n_cols)
            out->n_cols = out->rows[i].n_cells;
    tab_builder_release(b);
}

/* ---- reader ---- */

struct reader {
    struct tab_builder b;
    const char *p, *end;
    int line;          /* of *p */
    struct sbuf field; /* a quoted field being unescaped, capped at max_cell */
};

/* A line ends at LF, CRLF or a lone CR; the reader counts lines the same way. */
static bool is_lone_cr(const char *p, const char *end)
{
    return *p == '\r' && (p + 1 == end || p[1] != '\n');
}

/* Checks the whole text first so that every message can name the line of the bad byte. */
static enum err check_text(const char *p, const char *end)
{
    int line = 1;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            unsigned cp;
            size_t n = tab_utf8_decode(p, (size_t)(end - p), &cp);
            if (!n)
                return errf(
                    ERR_VALIDATION, "file",
                    "第 %d 行：不是 UTF-8 编码的文本（Excel 请另存为“CSV UTF-8（逗号分隔）”）",
                    line);
            p += n;
            continue;
        }
        if (c == '\0')
            return errf(ERR_VALIDATION, "file", "第 %d 行：含有空字符（NUL）", line);
        if (c == '\n' || is_lone_cr(p, end))
            line++;
        p++;
    }
    return ERR_OK;
}

static enum err field_too_long(const struct reader *r, int line)
{
    return errf(ERR_VALIDATION, "file", "第 %d 行：第 %zu 列超过 %zu 字节的上限", line,
                r->b.n_cells + 1, r->b.lim.max_cell);
}

static enum err read_plain(struct reader *r, int line, const char **cell)
{
    const char *start = r->p;
    while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
        r->p++;
    size_t len = (size_t)(r->p - start);
    if (len > r->b.lim.max_cell)
        return field_too_long(r, line);
    *cell = len ? arena_strndup(r->b.a, start, len) : empty_cell;
    return ERR_OK;
}

static enum err read_quoted(struct reader *r, int line, const char **cell)
{
    const int open_line = r->line;
    sbuf_reset(&r->field);
    r->p++;
    for (;;) {
        const char *run = r->p;
        while (r->p < r->end && *r->p != '"' && *r->p != '\r') {
            if (*r->p == '\n')
                r->line++;
            r->p++;
        }
        if (sbuf_add(&r->field, run, (size_t)(r->p - run)))
            return field_too_long(r, line);
        if (r->p == r->end)
            return errf(ERR_VALIDATION, "file", "第 %d 行：引号未闭合", open_line);
        const char *add;
        if (*r->p == '\r') {
            /* Every line break in a field reads as LF; keeping a lone CR would let CR + CRLF
             * read as CRLF, which would not survive being written and read again. */
            r->line++;
            add = "\n";
            r->p += is_lone_cr(r->p, r->end) ? 1 : 2;
        } else if (r->p + 1 < r->end && r->p[1] == '"') {
            add = "\"";
            r->p += 2;
        } else {
            r->p++;
            break;
        }
        if (sbuf_add(&r->field, add, 1))
            return field_too_long(r, line);
    }
    if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
        return errf(ERR_VALIDATION, "file",
                    "第 %d 行：引号后出现多余字符（字段中的引号应写作两个引号）", r->line);
    *cell = r->field.len ? arena_strndup(r->b.a, r->field.buf, r->field.len) : empty_cell;
    return ERR_OK;
}

/* One record: fields separated by commas up to a line end (not consumed) or the end. */
static enum err read_record(struct reader *r, int line)
{
    if (*r->p == '\n' || *r->p == '\r')
        return ERR_OK; /* a blank line: a row of no cells */
    for (;;) {
        const char *cell = NULL;
        enum err rc = r->p < r->end && *r->p == '"' ? read_quoted(r, line, &cell)
                                                    : read_plain(r, line, &cell);
        if (!rc)
            rc = tab_builder_set(&r->b, line, r->b.n_cells, cell);
        if (rc)
            return rc;
        if (r->p == r->end || *r->p != ',')
            return ERR_OK;
        r->p++;
    }
}

enum err csv_read(struct arena *a, const char *data, size_t len, const struct tab_limits *limits,
                  struct tab *out)
{
    struct tab_limits lim;
    tab_limits_resolve(limits, &lim);
    memset(out, 0, sizeof *out);
    if (len > lim.max_bytes)
        return errf(ERR_VALIDATION, "file", "文件超过 %zu 字节的上限", lim.max_bytes);
    if (!len)
        return ERR_OK;

    struct reader r = {.p = data, .end = data + len, .line = 1};
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r.p += 3;
    enum err rc = check_text(r.p, r.end);
    if (rc)
        return rc;
    tab_builder_init(&r.b, a, &lim);
    sbuf_init(&r.field, lim.max_cell);
    while (r.p < r.end) {
        const int line = r.line;
        rc = read_record(&r, line);
        if (rc)
            goto out;
        if (r.p < r.end) {
            r.p += *r.p == '\r' && !is_lone_cr(r.p, r.end) ? 2 : 1;
            r.line++;
        }
        rc = tab_builder_end_row(&r.b, line);
        if (rc)
            goto out;
    }
    tab_builder_finish(&r.b, out);
out:
    tab_builder_release(&r.b);
    sbuf_release(&r.field);
    return rc;
}

/* ---- writer ---- */

enum err csv_write_bom(struct sbuf *sb)
{
    return sbuf_add(sb, "\xEF\xBB\xBF", 3);
}

static enum err write_cell(struct sbuf *sb, const char *s, bool alone)
{
    /* OWASP "CSV injection": these first characters start a formula in Excel, WPS, LibreOffice. */
    const bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    /* A leading U+FEFF unquoted would read back as the file's byte order mark. */
    const bool quote =
        strpbrk(s, ",\"\r\n") || (alone && !s[0]) || strncmp(s, "\xEF\xBB\xBF", 3) == 0;
    enum err rc = ERR_OK;
    if (quote)
        rc = sbuf_add(sb, "\"", 1);
    if (!rc && formula)
        rc = sbuf_add(sb, "'", 1);
    if (!quote)
        return rc ? rc : sbuf_adds(sb, s);
    for (const char *q; !rc && (q = strchr(s, '"')); s = q + 1) {
        rc = sbuf_add(sb, s, (size_t)(q - s));
        if (!rc)
            rc = sbuf_add(sb, "\"\"", 2);
    }
    if (!rc)
        rc = sbuf_adds(sb, s);
    if (!rc)
        rc = sbuf_add(sb, "\"", 1);
    return rc;
}

enum err csv_write_row(struct sbuf *sb, const char *const *cells, size_t n)
{
    const size_t saved = sb->len;
    enum err rc = ERR_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = sbuf_add(sb, ",", 1);
        if (!rc)
            rc = write_cell(sb, cells[i] ? cells[i] : "", n == 1);
    }
    if (!rc)
        rc = sbuf_add(sb, "\r\n", 2);
    if (rc) {
        sb->len = saved;
        sb->buf[saved] = '\0';
    }
    return rc;
}
