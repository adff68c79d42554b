/* Tables read from customer files (units, exposure inventories) and lists written back out.
 * struct tab is the one table type: csv_read (here) and xlsx_read / tab_read_auto (xlsx.h) fill
 * it the same way, so an importer never cares which format it was given. The CSV side follows
 * RFC 4180; the writer guards spreadsheet apps against formula injection. */
#ifndef FANGHU_CSV_H
#define FANGHU_CSV_H
#include <stddef.h>

#include "arena.h"
#include "sbuf.h"
#include "err.h"

/* One row. cells[i] is NUL-terminated valid UTF-8, never NULL, and read-only: an empty cell
 * points to a shared "". A blank line of a CSV (or a missing row of a worksheet) is a row of
 * zero cells. line is the 1-based line of the file where the row starts (CSV), or the row
 * number of the worksheet (XLSX), for the messages an importer reports to the user. */
struct tab_row {
    size_t n_cells;
    const char **cells;
    int line;
};

/* A table: rows[0] is usually the header. Rows may be ragged; n_cols is the widest. Trailing
 * rows with no cells are dropped, so an empty file (or one of blank lines) has n_rows == 0.
 * Every byte of it lives in the arena given to the reader. */
struct tab {
    size_t n_rows, n_cols;
    struct tab_row *rows;
};

/* Bounds on what a reader accepts; a field left 0 takes its default. Going past one is an
 * ERR_VALIDATION, never a crash or an unbounded allocation. */
struct tab_limits {
    size_t max_bytes; /* the file as given: default 32 MiB, at most INT_MAX */
    size_t max_rows;  /* rows, blank ones included: default 100 000 */
    size_t max_cols;  /* cells in one row: default 256 */
    size_t max_cell;  /* bytes in one cell: default 64 KiB */
    size_t max_cells; /* cells in the table (and shared strings of an XLSX): default 2 000 000 */
    size_t max_part;  /* uncompressed bytes of one XLSX part (XML file): default 256 MiB */
};

/* Copies *limits (NULL = all defaults) into *out with every 0 replaced by its default. */
void tab_limits_resolve(const struct tab_limits *limits, struct tab_limits *out);

/* The cell at (row, col), or "" when the table or that row is shorter: ragged rows read as if
 * padded with empty cells. */
const char *tab_cell(const struct tab *t, size_t row, size_t col);

/* Decodes one UTF-8 sequence at p (n bytes available): returns its length (1..4) and stores the
 * code point in *cp, or returns 0 when p does not start a valid sequence (truncated, overlong,
 * a surrogate, past U+10FFFF). n must be at least 1. Shared by the readers and the writers. */
size_t tab_utf8_decode(const char *p, size_t n, unsigned *cp);

/* Table builder: how the readers (csv.c, xlsx.c) assemble a struct tab under the limits. Rows
 * and the current row's cells grow in malloc'd scratch and end up in the arena; importers never
 * need this. Errors are ERR_VALIDATION with field "file" naming the row's line. */
struct tab_builder {
    struct arena *a;
    struct tab_limits lim; /* resolved */
    struct tab_row *rows;
    size_t n_rows, cap_rows;
    const char **cells; /* the row being read */
    size_t n_cells, cap_cells;
    size_t n_total; /* cells of the table so far, gaps included */
};

/* lim must be resolved (tab_limits_resolve). */
void tab_builder_init(struct tab_builder *b, struct arena *a, const struct tab_limits *lim);
/* Frees the scratch; the arena keeps what was copied into it. */
void tab_builder_release(struct tab_builder *b);
/* Puts cell (arena or static memory, kept by pointer) at column col >= n_cells of the current
 * row, the columns in between becoming "". line names the row in errors. */
enum err tab_builder_set(struct tab_builder *b, int line, size_t col, const char *cell);
/* Closes the current row (possibly of zero cells) as the row starting at line. */
enum err tab_builder_end_row(struct tab_builder *b, int line);
/* Drops trailing rows of zero cells, stores the table into *out (in the arena) and releases b. */
void tab_builder_finish(struct tab_builder *b, struct tab *out);

/* Reads the RFC 4180 CSV in data[0..len) into *out, allocating the table in arena a (released
 * with it; nothing else to free). Accepts a UTF-8 byte order mark, CRLF or LF line ends (a lone
 * CR too), quoted fields with "" for a quote and with embedded line breaks (each read as LF,
 * whether CRLF, LF or CR), and a last line with or without its line end. Fields are not
 * trimmed; a quote inside an unquoted field is kept as a character. The input must be UTF-8
 * without NUL bytes.
 * Errors: ERR_VALIDATION with field "file" and a message naming the line ("第 3 行：引号未闭合"):
 * invalid UTF-8 (a GBK file, typically), a NUL byte, an unclosed quote, text after a closing
 * quote, or a limit passed. *out is zeroed on error; what was allocated stays in the arena. */
enum err csv_read(struct arena *a, const char *data, size_t len, const struct tab_limits *limits,
                  struct tab *out);

/* Appends the UTF-8 byte order mark, so that Excel opens the file as UTF-8, not as GBK. */
enum err csv_write_bom(struct sbuf *sb);

/* Appends one CRLF-terminated record of n cells (a NULL cell is empty). A cell is quoted when it
 * holds a comma, a quote (doubled) or a line break, or starts with U+FEFF; a single empty cell is
 * written as "" so that it does not read back as a blank line.
 *
 * Formula injection (OWASP "CSV injection"): a cell starting with = + - @, tab or CR would run
 * as a formula in Excel, WPS or LibreOffice, so it is written with a leading single quote:
 * "=1+1" becomes '=1+1 and "-5" becomes '-5. The spreadsheet shows such a cell as text, quote
 * included; csv_read gives it back as written, quote included.
 *
 * Errors: ERR_TOO_LARGE when sb's cap is reached; sb then holds what it held before the call. */
enum err csv_write_row(struct sbuf *sb, const char *const *cells, size_t n);

#endif
