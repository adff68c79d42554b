/* Lists as XLSX workbooks: the module's handler fills one page of items at a time, as it does
 * for the console, and each item becomes a row of the declared columns. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "export.h"
#include "http.h"
#include "sbuf.h"
#include "xlsxw.h"

/* Modules declare their exports beside their routes; a module not linked in is NULL. */
#define OPTIONAL_EXPORTS(name) extern const struct list_export name[] __attribute__((weak))
OPTIONAL_EXPORTS(org_exports);
OPTIONAL_EXPORTS(user_exports);
OPTIONAL_EXPORTS(auth_exports);
OPTIONAL_EXPORTS(audit_exports);
OPTIONAL_EXPORTS(unit_exports);
OPTIONAL_EXPORTS(duty_exports);
OPTIONAL_EXPORTS(assess_exports);
OPTIONAL_EXPORTS(risk_exports);
OPTIONAL_EXPORTS(exposure_exports);
OPTIONAL_EXPORTS(threat_exports);
OPTIONAL_EXPORTS(notice_exports);
OPTIONAL_EXPORTS(incident_exports);
OPTIONAL_EXPORTS(report_exports);
OPTIONAL_EXPORTS(iiot_exports);
OPTIONAL_EXPORTS(inspect_exports);

static const struct list_export *const tables[] = {
    org_exports,    user_exports,     auth_exports,   audit_exports,    unit_exports,
    duty_exports,   assess_exports,   risk_exports,   exposure_exports, threat_exports,
    notice_exports, incident_exports, report_exports, iiot_exports,     inspect_exports,
};

static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

long long export_max_rows(void)
{
    return config_int(SET_EXPORT_MAX_ROWS);
}

const struct list_export *export_find(const char *pattern)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct list_export *e = tables[t]; e && e->pattern; e++)
            if (!strcmp(e->pattern, pattern))
                return e;
    return NULL;
}

json_t *export_catalogue(void)
{
    json_t *out = json_array();
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct list_export *e = tables[t]; e && e->pattern; e++) {
            json_t *cols = json_array();
            for (const struct export_col *c = e->cols; c && c->key; c++)
                json_array_append_new(cols, json_pack("{s:s,s:s,s:b}", "key", c->key, "header",
                                                      c->header, "labelled", c->labels != NULL));
            json_array_append_new(out, json_pack("{s:s,s:s,s:o,s:b}", "path", e->pattern, "title",
                                                 e->title, "columns", cols, "streamed", !!e->own));
        }
    return out;
}

/* The member at a dotted path, or NULL. */
static const json_t *member(const json_t *item, const char *key)
{
    char part[64];
    while (item && *key) {
        const char *dot = strchrnul(key, '.');
        size_t n = (size_t)(dot - key);
        if (n >= sizeof part)
            return NULL;
        memcpy(part, key, n);
        part[n] = '\0';
        item = json_object_get(item, part);
        key = *dot ? dot + 1 : dot;
    }
    return item;
}

/* The name of code in "code=名称|code=名称", or NULL. */
static int label(const char *labels, const char *code, struct sbuf *out)
{
    size_t n = strlen(code);
    for (const char *p = labels; p && *p;) {
        const char *end = strchrnul(p, '|'), *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == n && !memcmp(p, code, n)) {
            sbuf_add(out, eq + 1, (size_t)(end - eq - 1));
            return 1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

/* One scalar as text; returns whether it is a number. */
static int scalar(const json_t *v, const char *labels, struct sbuf *out)
{
    char num[40];
    const char *code = NULL;
    int numeric = 0;
    if (json_is_string(v)) {
        code = json_string_value(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        code = num, numeric = 1;
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
        code = num, numeric = 1;
    } else if (json_is_boolean(v)) {
        code = json_is_true(v) ? "true" : "false";
        if (!label(labels, code, out))
            sbuf_adds(out, json_is_true(v) ? "是" : "否");
        return 0;
    } else if (json_is_object(v)) {
        return scalar(json_object_get(v, "name"), labels, out);
    }
    if (!code) { /* null or absent: the name of "" if the column gives one ("=长期有效") */
        label(labels, "", out);
        return 0;
    }
    if (label(labels, code, out))
        return 0;
    sbuf_adds(out, code);
    return numeric;
}

/* Appends v's text to out, array elements joined with "、" (blank ones skipped); returns
 * whether it is one number. each: a member to take of every element, or NULL. */
static int value(const json_t *v, const char *each, const char *labels, struct sbuf *out)
{
    if (!json_is_array(v))
        return scalar(each ? member(v, each) : v, labels, out);
    size_t i;
    const json_t *e;
    json_array_foreach (v, i, e) {
        size_t before = out->len;
        if (before)
            sbuf_adds(out, "、");
        size_t mark = out->len;
        scalar(each ? member(e, each) : e, labels, out);
        if (out->len == mark) /* nothing to show: no separator either */
            out->len = before, out->buf[before] = '\0';
    }
    return 0;
}

void export_cell(const json_t *item, const struct export_col *col, struct sbuf *out, int *numeric)
{
    sbuf_reset(out);
    *numeric = 0;
    char path[128];
    size_t n = strlen(col->key);
    const char *each = strstr(col->key, "[].");
    if (n >= sizeof path)
        return;
    memcpy(path, col->key, n + 1);
    if (n && path[n - 1] == '#') { /* "a#": how many elements a has */
        path[n - 1] = '\0';
        const json_t *a = member(item, path);
        sbuf_addf(out, "%zu", json_array_size(a));
        *numeric = 1;
        return;
    }
    if (each) { /* "a[].b": b of every element of a */
        path[each - col->key] = '\0';
        each += 3;
    }
    *numeric = value(member(item, path), each, col->labels, out);
}

/* Writes one page of items; *n gets their number. */
static enum err write_page(struct xlsxw *w, const struct list_export *ex, json_t *items,
                           struct sbuf *cell, size_t n_cols, size_t *n)
{
    const char *cells[EXPORT_MAX_COLS];
    bool numeric[EXPORT_MAX_COLS];
    size_t i;
    json_t *item;
    *n = json_array_size(items);
    json_array_foreach (items, i, item) {
        if (ex->prepare)
            ex->prepare(item);
        for (size_t c = 0; c < n_cols; c++) {
            int num;
            export_cell(item, &ex->cols[c], &cell[c], &num);
            cells[c] = cell[c].buf;
            numeric[c] = num;
        }
        enum err rc = xlsxw_row_typed(w, cells, numeric, n_cols);
        if (rc)
            return rc;
    }
    return ERR_OK;
}

static enum err too_many(long long rows)
{
    if (rows < 0)
        return errf(ERR_VALIDATION, "format", "超过导出上限 %lld 行，请缩小筛选范围",
                    export_max_rows());
    return errf(ERR_VALIDATION, "format", "共 %lld 行，超过导出上限 %lld 行，请缩小筛选范围", rows,
                export_max_rows());
}

static enum err write_pages(struct request *r, const struct route *rt, const struct list_export *ex,
                            struct xlsxw *w, struct sbuf *cell, size_t n_cols)
{
    long long total = -1, written = 0, max = export_max_rows();
    for (r->export_offset = 0;; r->export_offset += EXPORT_PAGE) {
        r->paged = 0;
        enum err rc = rt->fn(r);
        if (rc)
            return rc;
        json_t *items = json_object_get(r->reply, "items");
        const json_t *t = json_object_get(r->reply, "total");
        if (!json_is_array(items))
            return errf(ERR_INTERNAL, NULL, "列表接口没有返回 items");
        if (!r->export_offset && json_is_integer(t))
            total = json_integer_value(t);
        /* The total, when the list gives one, decides before anything is written. */
        if (total > max || (!r->paged && (long long)json_array_size(items) > max))
            return too_many(total > max ? total : (long long)json_array_size(items));
        size_t n;
        if ((rc = write_page(w, ex, items, cell, n_cols, &n)))
            return rc;
        written += (long long)n;
        reply_empty(r, 200);
        /* A list without pages came whole; a short page, or the total reached, is the last. */
        if (!r->paged || n < EXPORT_PAGE || (total >= 0 && written >= total))
            return ERR_OK;
        if (written >= max) /* no total, and a full page at the limit: more rows follow */
            return too_many(-1);
    }
}

enum err export_run(struct request *r, const struct route *rt)
{
    const struct list_export *ex = r->export;
    if (ex->own)
        return ex->own(r);
    const char *headers[EXPORT_MAX_COLS];
    size_t n_cols = 0;
    for (const struct export_col *c = ex->cols; c->key && n_cols < EXPORT_MAX_COLS; c++)
        headers[n_cols++] = c->header;
    struct xlsxw *w;
    enum err rc = xlsxw_begin(&w);
    if (rc)
        return rc;
    struct sbuf cell[EXPORT_MAX_COLS];
    for (size_t c = 0; c < n_cols; c++)
        sbuf_init(&cell[c], 0);
    rc = xlsxw_sheet(w, ex->title, headers, n_cols);
    if (!rc)
        rc = write_pages(r, rt, ex, w, cell, n_cols);
    for (size_t c = 0; c < n_cols; c++)
        sbuf_release(&cell[c]);
    if (rc) {
        xlsxw_free(w);
        return rc;
    }
    char *bytes;
    size_t len;
    if ((rc = xlsxw_finish(w, &bytes, &len)))
        return rc;
    char day[11], name[160];
    date_format(date_today_shanghai(), day);
    snprintf(name, sizeof name, "%s-%s.xlsx", ex->title, day);
    reply_file(r, XLSX_TYPE, name, bytes, len);
    free(bytes);
    return ERR_OK;
}

static enum err catalogue_h(struct request *r)
{
    reply_json(r, 200, json_pack("{s:o}", "items", export_catalogue()));
    return ERR_OK;
}

const struct route export_routes[] = {
    {"GET", "/api/v1/exports", catalogue_h, 0},
    {NULL, NULL, NULL, 0},
};
