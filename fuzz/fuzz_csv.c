/* libFuzzer target of the CSV reader (src/base/csv.c): any bytes under small limits; what reads
 * must hold valid UTF-8 within the limits, and must come back unchanged through csv_write_row
 * and csv_read (the formula-injection quote aside). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "csv.h"
#include "sbuf.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tab_limits limits = {
    .max_bytes = 1 << 20,
    .max_rows = 2000,
    .max_cols = 64,
    .max_cell = 4096,
    .max_cells = 20000,
};

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_csv: %s\n", what);
        abort();
    }
}

static void check_table(const struct tab *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        const struct tab_row *row = &t->rows[r];
        check(row->n_cells <= t->n_cols && row->n_cells <= limits.max_cols, "row too wide");
        check(row->line >= 1 && (r == 0 || row->line > t->rows[r - 1].line), "line numbers");
        for (size_t c = 0; c < row->n_cells; c++) {
            const char *s = row->cells[c];
            size_t n = strlen(s);
            check(n <= limits.max_cell, "cell too long");
            for (size_t i = 0; i < n;) {
                unsigned cp;
                size_t len = tab_utf8_decode(s + i, n - i, &cp);
                check(len > 0, "invalid UTF-8 in a cell");
                i += len;
            }
        }
    }
    check(t->n_rows == 0 || t->rows[t->n_rows - 1].n_cells > 0, "trailing blank row");
}

static void round_trip(struct arena *a, const struct tab *t)
{
    struct sbuf sb;
    sbuf_init(&sb, 0);
    for (size_t r = 0; r < t->n_rows; r++)
        check(csv_write_row(&sb, t->rows[r].cells, t->rows[r].n_cells) == ERR_OK, "write");
    struct tab back;
    struct tab_limits again = limits;
    again.max_bytes = 0;
    again.max_cell = limits.max_cell + 1; /* the quote before a formula */
    check(csv_read(a, sb.buf, sb.len, &again, &back) == ERR_OK, "written CSV does not read");
    check(back.n_rows == t->n_rows, "row count changed");
    for (size_t r = 0; r < t->n_rows; r++) {
        check(back.rows[r].n_cells == t->rows[r].n_cells, "cell count changed");
        for (size_t c = 0; c < t->rows[r].n_cells; c++) {
            const char *was = t->rows[r].cells[c], *now = back.rows[r].cells[c];
            if (was[0] && strchr("=+-@\t\r", was[0]))
                check(now[0] == '\'' && strcmp(now + 1, was) == 0, "formula escape");
            else
                check(strcmp(now, was) == 0, "cell changed");
        }
    }
    sbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct tab t;
    arena_init(&a);
    if (csv_read(&a, (const char *)data, size, &limits, &t) == ERR_OK) {
        check_table(&t);
        round_trip(&a, &t);
    } else {
        check(err_last()->code == ERR_VALIDATION && err_last()->msg[0], "error without message");
    }
    arena_release(&a);
    return 0;
}
