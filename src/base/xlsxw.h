/* XLSX writer: exported lists and the regulator's templates as workbooks, through libxlsxwriter.
 * Cells are written as text (a number-like "00123" or "13800138000" stays as typed, and no cell
 * is ever a formula, so exports need no formula-injection escaping), except in columns the caller
 * marks numeric, where a plain decimal becomes a number cell. Each sheet gets a bold,
 * shaded, frozen header row with a filter, and column widths measured from the content, CJK
 * characters counting double. */
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
 * rules). headers[0..n) become the header row; n may be 0 for a sheet without one.
 * Errors: ERR_VALIDATION (field "sheet") for a name Excel refuses; an earlier error again. */
enum err xlsxw_sheet(struct xlsxw *w, const char *name, const char *const *headers, size_t n);

/* Appends a row of n text cells (NULL or "" leaves a cell blank) to the current sheet.
 * Invalid UTF-8 becomes U+FFFD; a cell past Excel's 32 767 bytes is cut there and ends in "…".
 * Errors: ERR_VALIDATION past Excel's 1 048 576 rows or 16 384 columns; an earlier error. */
enum err xlsxw_row(struct xlsxw *w, const char *const *cells, size_t n);

/* xlsxw_row, where a cell whose numeric[col] is true and whose text is a plain decimal of at
 * most 15 digits ("12", "-3.5"; not "007", "1e5") is written as a number. numeric may be NULL. */
enum err xlsxw_row_typed(struct xlsxw *w, const char *const *cells, const bool *numeric, size_t n);

/* Closes the workbook and hands its bytes to the caller (*bytes malloc'd, free() it), then
 * removes the temporary file and frees w, whatever the outcome. Errors: the first error of the
 * writer, or ERR_IO when the file cannot be written or read back. */
enum err xlsxw_finish(struct xlsxw *w, char **bytes, size_t *len);

/* Abandons a workbook (on an error path): removes the temporary file and frees w. NULL is a
 * no-op. */
void xlsxw_free(struct xlsxw *w);

#endif
