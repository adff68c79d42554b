/* libFuzzer target of the XLSX reader (src/base/xlsx.c). An input starting with "PK" is a
 * workbook as uploaded. Any other input is parts of one, separated by NUL bytes (which XML
 * cannot hold): the sheet, the shared strings, the styles, the workbook, the workbook's
 * relationships; they are zipped here (stored, not deflated) so that mutations reach the XML
 * handlers instead of dying on a CRC. A part left out or empty takes a minimal default (none
 * for the shared strings and the styles). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "arena.h"
#include "csv.h"
#include "xlsx.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tab_limits limits = {
    .max_bytes = 1 << 20,
    .max_rows = 5000,
    .max_cols = 128,
    .max_cell = 4096,
    .max_cells = 50000,
    .max_part = 4 << 20,
};

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_xlsx: %s\n", what);
        abort();
    }
}

static const char *const part_names[] = {
    "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",       "xl/styles.xml",
    "xl/workbook.xml",          "xl/_rels/workbook.xml.rels",
};

static const char *const part_defaults[] = {
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<sheetData/></worksheet>",
    NULL,
    NULL,
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/></Relationships>",
};

/* Zips the NUL-separated parts of data; NULL when libzip refuses (then skip the input). */
static char *zip_parts(const uint8_t *data, size_t size, size_t *len)
{
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, NULL);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, NULL) : NULL;
    if (!za) {
        if (src)
            zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    const uint8_t *p = size ? data : NULL, *end = p ? data + size : NULL;
    for (size_t i = 0; i < sizeof part_names / sizeof *part_names; i++) {
        const void *part = part_defaults[i];
        size_t n = part ? strlen(part) : 0;
        if (p && p <= end) {
            const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
            if (nul != p && p != end) {
                part = p;
                n = (size_t)((nul ? nul : end) - p);
            }
            p = nul ? nul + 1 : NULL;
        }
        if (!part)
            continue;
        zip_source_t *s = zip_source_buffer(za, part, n, 0);
        zip_int64_t idx = s ? zip_file_add(za, part_names[i], s, 0) : -1;
        if (idx < 0) {
            if (s)
                zip_source_free(s);
            continue;
        }
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    char *out = NULL;
    zip_int64_t n = -1;
    if (zip_close(za) < 0) {
        zip_discard(za);
    } else if (zip_source_open(src) == 0) {
        if (zip_source_seek(src, 0, SEEK_END) == 0 && (n = zip_source_tell(src)) > 0 &&
            zip_source_seek(src, 0, SEEK_SET) == 0) {
            out = xmalloc((size_t)n);
            if (zip_source_read(src, out, (zip_uint64_t)n) != n) {
                free(out);
                out = NULL;
            }
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    *len = out ? (size_t)n : 0;
    return out;
}

static void check_table(const struct tab *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        const struct tab_row *row = &t->rows[r];
        check(row->line == (int)r + 1, "row number");
        check(row->n_cells <= t->n_cols && row->n_cells <= limits.max_cols, "row too wide");
        for (size_t c = 0; c < row->n_cells; c++) {
            const char *s = row->cells[c];
            size_t n = strlen(s);
            check(n <= limits.max_cell + 8, "cell too long");
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

static void read_one(const void *data, size_t size, const char *sheet)
{
    struct arena a;
    struct tab t;
    arena_init(&a);
    if (xlsx_read(&a, data, size, sheet, &limits, &t) == ERR_OK)
        check_table(&t);
    else
        check(err_last()->code == ERR_VALIDATION && err_last()->msg[0], "error without message");
    arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
        read_one(data, size, NULL);
        return 0;
    }
    size_t len;
    char *zip = zip_parts(data, size, &len);
    if (zip) {
        read_one(zip, len, NULL);
        read_one(zip, len, "S");
        free(zip);
    }
    return 0;
}
