/* XLSX writer over libxlsxwriter, which only writes to a file name: the workbook goes to a
 * mkstemp file (constant-memory mode, its row data in the same directory), is read back into
 * memory on finish, and the file is removed. */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "arena.h"
#include "csv.h"
#include "sbuf.h"
#include "xlsxw.h"
#include "err.h"

enum {
    MIN_WIDTH = 8,    /* column widths, in widths of the digit 0 */
    MAX_WIDTH = 60,   /* wider content wraps */
    MAX_CELL = 32767, /* Excel's limit on a cell's text (LXW_STR_MAX), in bytes here */
    HEADER_FILL = 0xDDEBF7,
    TITLE_SIZE = 16,   /* points, against the body's 11 */
    TITLE_HEIGHT = 30, /* points, against the default 15 */
    PAPER_A4 = 9,      /* Excel's paper code */
};

struct xlsxw {
    lxw_workbook *wb;
    lxw_worksheet *ws;   /* the current sheet, NULL before the first */
    lxw_format *header;  /* bold, shaded, ruled below */
    lxw_format *title;   /* bold, larger, centred */
    lxw_format *section; /* bold, left */
    lxw_format *wrap;    /* multi-line or long text */
    enum err rc;         /* the first error; every later call returns it */
    int fd;              /* of the temporary file, -1 when none */
    char path[PATH_MAX]; /* of the temporary file */
    char tmpdir[PATH_MAX];
    lxw_row_t next_row;   /* of the current sheet */
    size_t n_headers;     /* header rows of the current sheet */
    lxw_row_t header_row; /* the first of them */
    size_t header_cols;   /* its cells */
    double *widths;       /* per column of the current sheet */
    size_t n_widths, cap_widths;
    struct sbuf cell; /* a cell's text, cleaned up */
};

void xlsxw_free(struct xlsxw *w)
{
    if (!w)
        return;
    if (w->wb)
        lxw_workbook_free(w->wb);
    if (w->fd >= 0) {
        close(w->fd);
        unlink(w->path);
    }
    free(w->widths);
    sbuf_release(&w->cell);
    free(w);
}

enum err xlsxw_begin(struct xlsxw **out)
{
    *out = NULL;
    struct xlsxw *w = xcalloc(1, sizeof *w);
    w->fd = -1;
    sbuf_init(&w->cell, MAX_CELL + 16);
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int n = snprintf(w->path, sizeof w->path, "%s/fanghu-xlsx-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof w->path) {
        xlsxw_free(w);
        return errf(ERR_IO, NULL, "临时目录路径过长");
    }
    snprintf(w->tmpdir, sizeof w->tmpdir, "%s", dir);
    w->fd = mkstemp(w->path);
    if (w->fd < 0) {
        enum err rc = errf(ERR_IO, NULL, "无法创建临时文件：%s", strerror(errno));
        xlsxw_free(w);
        return rc;
    }
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = w->tmpdir};
    w->wb = workbook_new_opt(w->path, &options);
    if (!w->wb) {
        xlsxw_free(w);
        return errf(ERR_IO, NULL, "无法创建 XLSX 工作簿");
    }
    w->header = workbook_add_format(w->wb);
    format_set_bold(w->header);
    format_set_pattern(w->header, LXW_PATTERN_SOLID);
    format_set_bg_color(w->header, HEADER_FILL);
    format_set_bottom(w->header, LXW_BORDER_THIN);
    format_set_align(w->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(w->header);
    w->title = workbook_add_format(w->wb);
    format_set_bold(w->title);
    format_set_font_size(w->title, TITLE_SIZE);
    format_set_align(w->title, LXW_ALIGN_CENTER);
    format_set_align(w->title, LXW_ALIGN_VERTICAL_CENTER);
    w->section = workbook_add_format(w->wb);
    format_set_bold(w->section);
    format_set_align(w->section, LXW_ALIGN_LEFT);
    format_set_align(w->section, LXW_ALIGN_VERTICAL_CENTER);
    w->wrap = workbook_add_format(w->wb);
    format_set_text_wrap(w->wrap);
    format_set_align(w->wrap, LXW_ALIGN_VERTICAL_TOP);
    *out = w;
    return ERR_OK;
}

/* East Asian wide and fullwidth characters take two columns (UAX #11, the common blocks). */
static bool is_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Copies s into w->cell as text Excel accepts: invalid UTF-8 becomes U+FFFD, control
 * characters other than tab and line feed go (XML 1.0 cannot carry them), and text past
 * MAX_CELL bytes is cut, ending in "…". Returns the widest line's width in columns. */
static size_t clean_cell(struct xlsxw *w, const char *s)
{
    size_t width = 0, line = 0, n = strlen(s);
    sbuf_reset(&w->cell);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = tab_utf8_decode(s + i, n - i, &cp);
        const char *bytes = s + i;
        if (!len) {
            bytes = "\xEF\xBF\xBD";
            len = 1, cp = 0xFFFD;
            i += 1;
        } else {
            i += len;
        }
        size_t out_len = cp == 0xFFFD ? 3 : len;
        if (w->cell.len + out_len > MAX_CELL - 3) {
            sbuf_add(&w->cell, "\xE2\x80\xA6", 3);
            break;
        }
        if (cp < 0x20 && cp != '\t' && cp != '\n')
            continue;
        sbuf_add(&w->cell, cp == 0xFFFD ? "\xEF\xBF\xBD" : bytes, out_len);
        if (cp == '\n') {
            line = 0;
            continue;
        }
        line += is_wide(cp) ? 2 : 1;
        if (line > width)
            width = line;
    }
    return width;
}

static void note_width(struct xlsxw *w, size_t col, double width)
{
    if (col >= w->cap_widths) {
        size_t cap = w->cap_widths ? w->cap_widths * 2 : 16;
        while (cap <= col)
            cap *= 2;
        w->widths = xrealloc(w->widths, cap * sizeof *w->widths);
        w->cap_widths = cap;
    }
    while (w->n_widths <= col)
        w->widths[w->n_widths++] = MIN_WIDTH;
    if (width > w->widths[col])
        w->widths[col] = width > MAX_WIDTH ? MAX_WIDTH : width;
}

/* The value of s when it is a plain decimal number that survives a round trip through a double
 * (so "00123", "1e5", "13800138000123456789" and "inf" stay text). */
static bool plain_number(const char *s, double *out)
{
    const char *p = s + (*s == '-');
    if (!(*p >= '1' && *p <= '9') && !(p[0] == '0' && (p[1] == '\0' || p[1] == '.')))
        return false;
    size_t digits = 0;
    for (const char *q = p; *q; q++) {
        if (*q >= '0' && *q <= '9')
            digits++;
        else if (*q != '.' || q == p || !q[1] || strchr(q + 1, '.'))
            return false;
    }
    if (digits > 15)
        return false;
    char *end;
    *out = strtod(s, &end);
    return *end == '\0';
}

static enum err write_row(struct xlsxw *w, const char *const *cells, const bool *numeric, size_t n,
                          lxw_format *fmt)
{
    if (w->next_row >= LXW_ROW_MAX)
        return w->rc = errf(ERR_VALIDATION, NULL, "超过 Excel 的 %d 行上限", LXW_ROW_MAX);
    if (n > LXW_COL_MAX)
        return w->rc = errf(ERR_VALIDATION, NULL, "超过 Excel 的 %d 列上限", LXW_COL_MAX);
    for (size_t col = 0; col < n; col++) {
        if (!cells[col] || !cells[col][0])
            continue;
        size_t width = clean_cell(w, cells[col]);
        /* Two columns of padding; bold header text runs a little wider. */
        double shown = (double)width * (fmt ? 1.1 : 1.0) + 2;
        note_width(w, col, shown);
        lxw_format *cell_fmt = fmt;
        if (!cell_fmt && (strchr(w->cell.buf, '\n') || shown > MAX_WIDTH))
            cell_fmt = w->wrap;
        double v;
        lxw_error e =
            numeric && numeric[col] && plain_number(w->cell.buf, &v)
                ? worksheet_write_number(w->ws, w->next_row, (lxw_col_t)col, v, cell_fmt)
                : worksheet_write_string(w->ws, w->next_row, (lxw_col_t)col, w->cell.buf, cell_fmt);
        if (e)
            return w->rc = errf(ERR_INTERNAL, NULL, "写入 XLSX 失败：%s", lxw_strerror(e));
    }
    w->next_row++;
    return ERR_OK;
}

/* Settles the current sheet now that all rows are in: column widths, and with a single header
 * row the freeze below it, the filter over its table and the page setup of a printed list. Excel
 * keeps one filter per sheet, and a pane frozen under the first of several tables would hide the
 * headers of the others. */
static void end_sheet(struct xlsxw *w)
{
    if (!w->ws)
        return;
    for (size_t col = 0; col < w->n_widths; col++)
        worksheet_set_column(w->ws, (lxw_col_t)col, (lxw_col_t)col, w->widths[col], NULL);
    if (w->n_headers == 1) {
        worksheet_freeze_panes(w->ws, w->header_row + 1, 0);
        worksheet_autofilter(w->ws, w->header_row, 0, w->next_row - 1,
                             (lxw_col_t)(w->header_cols - 1));
        /* On paper a list is A4 landscape, one page wide, its header row on every page. */
        worksheet_repeat_rows(w->ws, w->header_row, w->header_row);
        worksheet_set_paper(w->ws, PAPER_A4);
        worksheet_set_landscape(w->ws);
        worksheet_fit_to_pages(w->ws, 1, 0);
    }
    /* Text cells are text on purpose: no green "number stored as text" triangles. */
    worksheet_ignore_errors(w->ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:XFD1048576");
    w->ws = NULL;
}

static enum err header_row(struct xlsxw *w, const char *const *headers, size_t n)
{
    lxw_row_t row = w->next_row;
    enum err rc = write_row(w, headers, NULL, n, w->header);
    if (rc)
        return rc;
    if (!w->n_headers++) {
        w->header_row = row;
        w->header_cols = n;
    }
    return ERR_OK;
}

enum err xlsxw_sheet(struct xlsxw *w, const char *name, const char *const *headers, size_t n)
{
    if (w->rc)
        return w->rc;
    end_sheet(w);
    if (name && workbook_validate_sheet_name(w->wb, name) != LXW_NO_ERROR)
        return w->rc = errf(ERR_VALIDATION, "sheet", "工作表名称不合法或重复");
    w->ws = workbook_add_worksheet(w->wb, name);
    if (!w->ws)
        return w->rc = errf(ERR_VALIDATION, "sheet", "工作表名称不合法或重复");
    w->next_row = 0;
    w->n_headers = 0;
    w->n_widths = 0;
    return n ? header_row(w, headers, n) : ERR_OK;
}

/* The current sheet, a default one when rows come before any sheet. */
static enum err current_sheet(struct xlsxw *w)
{
    if (w->rc)
        return w->rc;
    return w->ws ? ERR_OK : xlsxw_sheet(w, NULL, NULL, 0);
}

/* A row holding text alone in its first cell, merged across columns 0..n_cols-1 (a single cell
 * when n_cols is 1), in fmt. Its width is not measured: the text spans the columns the tables
 * below it size. */
static enum err banner_row(struct xlsxw *w, const char *text, size_t n_cols, lxw_format *fmt)
{
    assert(n_cols >= 1);
    enum err rc = current_sheet(w);
    if (rc)
        return rc;
    if (w->next_row >= LXW_ROW_MAX)
        return w->rc = errf(ERR_VALIDATION, NULL, "超过 Excel 的 %d 行上限", LXW_ROW_MAX);
    if (n_cols > LXW_COL_MAX)
        return w->rc = errf(ERR_VALIDATION, NULL, "超过 Excel 的 %d 列上限", LXW_COL_MAX);
    clean_cell(w, text ? text : "");
    lxw_error e = n_cols > 1 ? worksheet_merge_range(w->ws, w->next_row, 0, w->next_row,
                                                     (lxw_col_t)(n_cols - 1), w->cell.buf, fmt)
                             : worksheet_write_string(w->ws, w->next_row, 0, w->cell.buf, fmt);
    if (e)
        return w->rc = errf(ERR_INTERNAL, NULL, "写入 XLSX 失败：%s", lxw_strerror(e));
    w->next_row++;
    return ERR_OK;
}

enum err xlsxw_title(struct xlsxw *w, const char *text, size_t n_cols)
{
    enum err rc = current_sheet(w);
    if (rc)
        return rc;
    /* The row's height goes first: constant-memory mode writes a row out once the next one
     * starts. */
    if (w->next_row < LXW_ROW_MAX)
        worksheet_set_row(w->ws, w->next_row, TITLE_HEIGHT, NULL);
    /* A titled sheet is a document: on paper it keeps its title over its tables. */
    worksheet_set_paper(w->ws, PAPER_A4);
    worksheet_set_landscape(w->ws);
    worksheet_fit_to_pages(w->ws, 1, 0);
    return banner_row(w, text, n_cols, w->title);
}

enum err xlsxw_section(struct xlsxw *w, const char *text, size_t n_cols)
{
    return banner_row(w, text, n_cols, w->section);
}

enum err xlsxw_header(struct xlsxw *w, const char *const *headers, size_t n)
{
    assert(n >= 1);
    enum err rc = current_sheet(w);
    return rc ? rc : header_row(w, headers, n);
}

enum err xlsxw_row(struct xlsxw *w, const char *const *cells, size_t n)
{
    return xlsxw_row_typed(w, cells, NULL, n);
}

enum err xlsxw_row_typed(struct xlsxw *w, const char *const *cells, const bool *numeric, size_t n)
{
    enum err rc = current_sheet(w);
    return rc ? rc : write_row(w, cells, numeric, n, NULL);
}

static enum err read_back(int fd, char **bytes, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size < 0)
        return errf(ERR_IO, NULL, "无法读取生成的 XLSX：%s", strerror(errno));
    size_t size = (size_t)st.st_size, done = 0;
    char *buf = xmalloc(size);
    while (done < size) {
        ssize_t n = pread(fd, buf + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            return errf(ERR_IO, NULL, "无法读取生成的 XLSX：%s",
                        n < 0 ? strerror(errno) : "文件被截断");
        }
        done += (size_t)n;
    }
    *bytes = buf;
    *len = size;
    return ERR_OK;
}

enum err xlsxw_finish(struct xlsxw *w, char **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    enum err rc = w->rc;
    if (!rc) {
        end_sheet(w);
        lxw_error e = workbook_close(w->wb); /* frees the workbook, whatever the outcome */
        w->wb = NULL;
        rc = e ? errf(ERR_IO, NULL, "生成 XLSX 失败：%s", lxw_strerror(e))
               : read_back(w->fd, bytes, len);
    }
    xlsxw_free(w);
    return rc;
}
