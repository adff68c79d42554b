/* XLSX writer: exported lists and the regulator's templates as workbooks, through libxlsxwriter.
 * Cells are written as text (a number-like "00123" or "13800138000" stays as typed, and no cell
 * is ever a formula, so exports need no formula-injection escaping), except in columns the caller
 * marks numeric, where a plain decimal becomes a number cell. Column widths are measured from
 * the header and data cells, CJK characters counting double.
 *
 * A sheet holds one table (a bold, shaded header row at the top, from xlsxw_sheet) or, for a
 * template laid out as a document, several: a merged title (xlsxw_title), then per table a
 * heading (xlsxw_section), a header row (xlsxw_header) and its rows, blank rows between them
 * (xlsxw_row with n = 0). Freeze and filter: a sheet with exactly one header row, wherever it
 * is, gets its rows frozen down to and including it and an autofilter over its table (from the
 * header row to the sheet's last row); a sheet with several header rows gets neither, since
 * Excel keeps one filter per sheet and a pane frozen under the first table would hide the
 * headers of the others. */
#ifndef FANGHU_XLSXW_H
#define FANGHU_XLSXW_H
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct xlsxw;

/* Starts a workbook in a private temporary file (mkstemp in $TMPDIR, else /tmp), where
 * libxlsxwriter, which writes only to a file name, also keeps its row data: memory stays flat
 * however long the list. On success *out is the writer, owned by the caller until
 * xlsxw_finish or xlsxw_free. Errors: ERR_IO when the temporary file cannot be created. */
enum err xlsxw_begin(struct xlsxw **out);

/* Adds a sheet and makes it current; rows go to the current sheet, so sheets are written one
 * after the other. name: at most 31 characters, none of []:*?/\, unique in the workbook (Excel's
 * rules); NULL for Excel's default (SheetN). headers[0..n) become the header row at the top; n
 * may be 0 for a sheet without one, or whose tables start lower (xlsxw_header).
 * Errors: ERR_VALIDATION (field "sheet") for a name Excel refuses; an earlier error again. */
enum err xlsxw_sheet(struct xlsxw *w, const char *name, const char *const *headers, size_t n);

/* Appends a row of n text cells (NULL or "" leaves a cell blank) to the current sheet; with
 * n = 0 (cells may then be NULL) a blank row. Rows before any sheet go to a default sheet
 * ("Sheet1"), as do the rows of the calls below. Invalid UTF-8 becomes U+FFFD; a cell past
 * Excel's 32 767 bytes is cut there and ends in "…".
 * Errors: ERR_VALIDATION past Excel's 1 048 576 rows or 16 384 columns; an earlier error. */
enum err xlsxw_row(struct xlsxw *w, const char *const *cells, size_t n);

/* xlsxw_row, where a cell whose numeric[col] is true and whose text is a plain decimal of at
 * most 15 digits ("12", "-3.5"; not "007", "1e5") is written as a number. numeric may be NULL. */
enum err xlsxw_row_typed(struct xlsxw *w, const char *const *cells, const bool *numeric, size_t n);

/* Appends a document title row: text bold at 16 pt in a taller row, centred across columns
 * 0..n_cols-1 merged into one cell (n_cols >= 1; 1 means a single cell, no merge). The text
 * sits in the first column when read back, the other cells blank; it does not widen any
 * column. The sheet then prints as a document: A4 landscape, one page wide (as many pages
 * long as it takes), so that the title stays over its tables. Errors: as xlsxw_row. */
enum err xlsxw_title(struct xlsxw *w, const char *text, size_t n_cols);

/* Appends a section heading row ("一、办公网互联网出入口情况"): text bold, left-aligned, across
 * columns 0..n_cols-1 merged (n_cols >= 1), not widening any column. Errors: as xlsxw_row. */
enum err xlsxw_section(struct xlsxw *w, const char *text, size_t n_cols);

/* Appends a header row styled as xlsxw_sheet's, wherever the current sheet has got to, so that
 * a sheet may hold several tables (see the top of this file for freeze and filter). n >= 1.
 * Errors: as xlsxw_row. */
enum err xlsxw_header(struct xlsxw *w, const char *const *headers, size_t n);

/* Closes the workbook and hands its bytes to the caller (*bytes malloc'd, free() it), then
 * removes the temporary file and frees w, whatever the outcome. Errors: the first error of the
 * writer, or ERR_IO when the file cannot be written or read back. */
enum err xlsxw_finish(struct xlsxw *w, char **bytes, size_t *len);

/* Abandons a workbook (on an error path): removes the temporary file and frees w. NULL is a
 * no-op. */
void xlsxw_free(struct xlsxw *w);

#endif
