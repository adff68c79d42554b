/* XLSX reader: one worksheet of an Office Open XML workbook (Excel, WPS, LibreOffice) into the
 * same struct tab as csv_read, and tab_read_auto, which takes either format. The workbook is a
 * customer's upload: every size is bounded (struct tab_limits) and DTDs are refused, so a zip
 * bomb, a lying size or an XML entity bomb ends in ERR_VALIDATION, not in a crash. */
#ifndef FANGHU_XLSX_H
#define FANGHU_XLSX_H
#include <stddef.h>

#include "arena.h"
#include "csv.h"
#include "err.h"

/* Reads worksheet sheet (its tab name, exactly), or with sheet NULL the first visible worksheet
 * (the first worksheet when all are hidden; chart sheets never count), from the XLSX in
 * data[0..len) into *out, allocated in arena a like csv_read.
 * Cells: shared and inline strings (rich-text runs joined, phonetic runs left out, _xHHHH_
 * escapes decoded), formula results as cached, booleans as TRUE/FALSE, errors as written
 * (#N/A), numbers as written in the file ("13800138000", "0.5"), except numbers in a date or
 * time format, which become "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS" (1900 and 1904
 * date systems). A cell goes to the column of its reference ("C7" → index 2), missing cells
 * read as "" (a row ends at its last non-empty cell), missing rows as rows of no cells, so
 * rows[i] is sheet row i + 1 and row.line its number. Formatting, merged cells and hidden rows
 * are ignored.
 * Limits: max_bytes on len, max_part on each XML part (declared size and bytes actually
 * inflated), max_rows on the highest row number, max_cols on the highest column, max_cell on
 * one cell or shared string, max_cells on the cells of the table and on the shared strings;
 * besides, at most 10 000 zip entries and 1 MiB for one XML tag or comment. Parts are streamed,
 * so memory follows the table read, not the size of the XML.
 * Errors (all ERR_VALIDATION, field "file"): "不是有效的 XLSX 文件" for what is not a readable
 * zip with a workbook, the same with a reason for a broken, oversized or DTD-carrying part,
 * "找不到工作表…" for an unknown sheet, "第 N 行：…" for a limit passed in row N. *out is zeroed
 * on error. */
enum err xlsx_read(struct arena *a, const void *data, size_t len, const char *sheet,
                   const struct tab_limits *limits, struct tab *out);

/* Reads an upload of either format: XLSX when it starts with the zip magic "PK\3\4" (the
 * first visible worksheet, as xlsx_read with sheet NULL), otherwise CSV (csv_read). filename
 * (may be NULL) only sharpens the error: a name ending in .xlsx/.xlsm that is not a zip is
 * reported as "不是有效的 XLSX 文件" rather than as a bad CSV. Old binary .xls and encrypted
 * workbooks (OLE2 containers) are refused with a message asking for .xlsx or CSV.
 * Errors: those of csv_read and xlsx_read. */
enum err tab_read_auto(struct arena *a, const void *data, size_t len, const char *filename,
                       const struct tab_limits *limits, struct tab *out);

#endif
