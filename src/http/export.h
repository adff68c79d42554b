/* Any list of the console as an XLSX workbook (导出 XLSX): `GET <list>?format=xlsx` runs the
 * list's own handler, with its own filters and scope, page after page inside one read
 * transaction, and writes the items' columns as the module declares them beside its routes.
 * Memory stays flat: one page of JSON at a time, rows straight to xlsxw's temporary file. */
#ifndef FANGHU_EXPORT_H
#define FANGHU_EXPORT_H
#include <jansson.h>

#include "err.h"

struct request;
struct route;

enum {
    EXPORT_PAGE = 500, /* rows asked of the handler at a time (req_page's maximum) */
    EXPORT_MAX_COLS = 32,
};

/* A column: the item's member (nested members as "a.b", a member of every element of a list as
 * "a[].b", the number of elements of a list as "a#"), the header, and for a coded value its
 * names as "code=名称|code=名称" (a code without a name is written as it is; "=名称" names a null
 * or absent value). Booleans are
 * written 是/否, numbers as number cells, arrays joined with "、" (an object by its "name"). */
struct export_col {
    const char *key;
    const char *header;
    const char *labels;
};

/* A list that exports: the GET route's pattern, the workbook's title (sheet name and file
 * name), and its columns, ending with {NULL}; or, for a list too long for pages (the units), a
 * handler of its own. Modules declare `<module>_exports[]` ending with
 * {NULL}. */
struct list_export {
    const char *pattern;
    const char *title;
    const struct export_col *cols;
    enum err (*own)(struct request *r); /* or a handler of the module's own that streams it */
    /* Adds to an item the members only the workbook shows (the console composes them in its
     * templates: "3 / 5", a list of names), before its cells are taken; NULL when none. */
    void (*prepare)(json_t *item);
};

/* The most rows an export writes (setting export-max-rows, 100 000 by default); past it the
 * caller is asked to narrow the filters. */
long long export_max_rows(void);

/* The export declared for a route pattern, or NULL. */
const struct list_export *export_find(const char *pattern);

/* Every declared export as JSON, for GET /api/v1/exports:
 * [{path, title, columns: [{key, header, labelled}], streamed}]. */
json_t *export_catalogue(void);

/* Runs the route's handler page by page inside the caller's transaction and replies with the
 * workbook. Errors: the handler's; ERR_VALIDATION (field "format") when the list has more than
 * export_max_rows() rows; ERR_IO from the writer. */
enum err export_run(struct request *r, const struct route *rt);

/* The cell text of one column of an item, into out (reset first); *numeric tells whether it
 * is a number. Exposed for the unit test. */
struct sbuf;
void export_cell(const json_t *item, const struct export_col *col, struct sbuf *out, int *numeric);

#endif
