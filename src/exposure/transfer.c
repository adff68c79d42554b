/* Exposure inventories in bulk: import of one inventory from CSV or XLSX (all or nothing, every
 * bad row reported), from its own sheet or table or from its section of annex 4's document, and
 * export of the three as annex 4's document: one sheet, the title, then each list under its
 * heading. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit/audit.h"
#include "crypto.h"
#include "csv.h"
#include "exposure.h"
#include "internal.h"
#include "json.h"
#include "store/store.h"
#include "timeutil.h"
#include "xlsx.h"
#include "xlsxw.h"

/* An inventory is short: 20 000 rows is far more than any organisation declares. */
enum { MAX_ERRORS = 1000, HEADER_SEARCH = 10, MAX_ROWS = 20000 };

/* Annex 4's title, also the name of the exported workbook's one sheet. */
#define EXPOSURE_TITLE "互联网暴露面信息"

/* Annex 4's document holds the three lists on one sheet, each with a heading, a header row and
 * a blank row, under the title: the reader takes them all, each list's rows are counted apart. */
static const struct tab_limits IMPORT_LIMITS = {.max_rows = EXPOSURE__COUNT * (MAX_ROWS + 3) + 1,
                                                .max_cols = 64};

struct collector {
    json_t *errors;
    int line;
};

static void collect(void *ctx, const char *field, const char *message)
{
    struct collector *c = ctx;
    if (json_array_size(c->errors) < MAX_ERRORS)
        json_array_append_new(c->errors, json_pack("{s:i,s:s,s:s}", "line", c->line, "field", field,
                                                   "message", message));
}

static void collectf(struct collector *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void collectf(struct collector *c, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    collect(c, field, msg);
}

/* A copy of s without leading and trailing white space. */
static const char *trim(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

/* The workbook's sheet named after the inventory when there is one (a workbook with a sheet per
 * list), else the first visible sheet (annex 4's document, or a single table); a CSV as it
 * is. */
static enum err read_table(struct arena *a, enum exposure_inventory inv, const char *data,
                           size_t len, struct tab *t)
{
    static const char missing[] = "找不到工作表";
    if (len >= 4 && !memcmp(data, "PK\3\4", 4)) {
        enum err rc = xlsx_read(a, data, len, exposure_inventory_name(inv), &IMPORT_LIMITS, t);
        if (rc != ERR_VALIDATION || strncmp(err_last()->msg, missing, strlen(missing)))
            return rc;
    }
    return tab_read_auto(a, data, len, NULL, &IMPORT_LIMITS, t);
}

static int row_blank(const struct tab *t, size_t r, const int *col_of)
{
    for (size_t c = 0; c < t->rows[r].n_cells; c++) {
        const char *v = tab_cell(t, r, c);
        if (col_of[c] != EC_SEQ && v[strspn(v, " \t\r\n")])
            return 0;
    }
    return 1;
}

/* The length of the Chinese numeral at p (一 … 十), 0 when there is none. */
static size_t numeral(const char *p)
{
    static const char *const digits[] = {"一", "二", "三", "四", "五",
                                         "六", "七", "八", "九", "十"};
    for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++)
        if (!strncmp(p, digits[i], strlen(digits[i])))
            return strlen(digits[i]);
    return 0;
}

/* Whether row r is a section heading in annex 4's manner: its only non-blank cell starts with a
 * Chinese ordinal and 、 ("二、虚拟专用网络（VPN）出入口情况"). Returns the list the heading names
 * (by 办公网, 虚拟专用网 or VPN, 零信任), EXPOSURE__COUNT for a heading of something else, -1
 * for a row that is no heading. */
static int heading(const struct tab *t, size_t r)
{
    const char *text = NULL;
    for (size_t c = 0; c < t->rows[r].n_cells; c++) {
        const char *v = tab_cell(t, r, c);
        if (!v[strspn(v, " \t\r\n")])
            continue;
        if (text)
            return -1;
        text = v;
    }
    if (!text)
        return -1;
    const char *p = text + strspn(text, " \t\r\n"), *start = p;
    for (size_t n; (n = numeral(p));)
        p += n;
    if (p == start || strncmp(p, "、", strlen("、")))
        return -1;
    if (strstr(p, "零信任"))
        return EXPOSURE_ZERO_TRUST;
    if (strstr(p, "虚拟专用网") || strstr(p, "VPN"))
        return EXPOSURE_VPN;
    if (strstr(p, "办公网"))
        return EXPOSURE_OFFICE;
    return EXPOSURE__COUNT;
}

/* The rows [*from, *to) of t holding inv's table. In annex 4's document (a table with a heading
 * of any of the three lists) that is the rows after inv's heading up to the next heading or the
 * end; blank rows in between are skipped later, so a blank row left inside a list loses nothing.
 * Otherwise the whole table (a sheet per list, or a single table, with or without a title).
 * Errors: ERR_VALIDATION (field "file") when the document lacks inv's heading or has it twice. */
static enum err section(const struct tab *t, enum exposure_inventory inv, size_t *from, size_t *to)
{
    size_t at = 0, n_mine = 0, n_known = 0;
    *from = 0;
    *to = t->n_rows;
    for (size_t r = 0; r < t->n_rows; r++) {
        int k = heading(t, r);
        if (k < 0)
            continue;
        if (n_mine == 1 && *to == t->n_rows)
            *to = r;
        n_known += k < EXPOSURE__COUNT;
        if (k == (int)inv && !n_mine++)
            at = r;
    }
    if (!n_known)
        return ERR_OK;
    const char *want = exposure_inventory_heading(inv);
    if (!n_mine)
        return errf(ERR_VALIDATION, "file", "文件中找不到“%s”一节", want);
    if (n_mine > 1)
        return errf(ERR_VALIDATION, "file", "“%s”一节在文件中出现了 %zu 次", want, n_mine);
    *from = at + 1;
    return ERR_OK;
}

/* Finds the header row among the first rows of [from, to) (a title row above it is skipped) and
 * maps its cells to columns: col_of[c] = the column of cell c, or -1. Problems go to errors. */
static size_t header(const struct tab *t, size_t from, size_t to, enum exposure_inventory inv,
                     int *col_of, struct collector *errs)
{
    size_t h = from;
    for (size_t r = from; r < to && r < from + HEADER_SEARCH; r++) {
        int found = 0;
        for (size_t c = 0; c < t->rows[r].n_cells; c++)
            found |= exposure_column_find(tab_cell(t, r, c)) == EC_ASSET_NAME;
        if (found) {
            h = r;
            break;
        }
    }
    /* An empty section has no header row: the row where it belongs is at fault (the next
     * heading, or the line after a heading that ends the file). */
    errs->line = h < t->n_rows ? t->rows[h].line : t->rows[t->n_rows - 1].line + 1;
    int seen[EC__COUNT] = {0};
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *v = h < to ? tab_cell(t, h, c) : "";
        int k = *v ? exposure_column_find(v) : -1;
        col_of[c] = -1;
        if (!*v)
            continue;
        if (k < 0)
            collectf(errs, "file", "未知的列：%s", v);
        else if (!exposure_has_column(inv, (enum exposure_col)k))
            collectf(errs, "file", "%s没有“%s”一列", exposure_inventory_name(inv), v);
        else if (seen[k]++)
            collectf(errs, "file", "列“%s”重复", v);
        else
            col_of[c] = k;
    }
    size_t ncols;
    const struct exposure_column *cols = exposure_columns(inv, &ncols);
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].col != EC_SEQ && !seen[cols[i].col])
            collectf(errs, cols[i].field, "缺少必需的列：%s", cols[i].header);
    return h;
}

struct row {
    const char *cell[EC__COUNT];
    struct ipnet *addrs; /* n of them, in the arena */
    size_t n;
};

static void check_row(struct arena *a, const struct tab *t, size_t r, const int *col_of,
                      enum exposure_inventory inv, struct row *out, struct collector *errs)
{
    memset(out, 0, sizeof *out);
    for (size_t c = 0; c < t->n_cols; c++)
        if (col_of[c] >= 0)
            out->cell[col_of[c]] = trim(a, tab_cell(t, r, c));
    errs->line = t->rows[r].line;
    const char *seq = out->cell[EC_SEQ];
    if (seq && *seq && (strlen(seq) > 9 || id_parse(seq) < 1))
        collectf(errs, "seq", "序号应为正整数：%.40s", seq);
    struct ipnet addrs[EXPOSURE_MAX_ADDRESSES];
    if (!exposure_check_cells(inv, out->cell, addrs, &out->n, collect, errs) && out->n) {
        out->addrs = arena_alloc(a, out->n * sizeof *out->addrs);
        memcpy(out->addrs, addrs, out->n * sizeof *out->addrs);
    }
}

static enum err write_rows(struct db *db, long long org_id, enum exposure_inventory inv,
                           const struct row *rows, size_t n, struct exposure_import_result *res)
{
    char now[40];
    enum err rc = ERR_OK;
    time_now_iso(now);
    for (size_t i = 0; i < n && !rc; i++) {
        long long id = 0;
        if (!(rc = exposure_insert(db, org_id, inv, rows[i].cell, rows[i].addrs, rows[i].n, now,
                                   &id))) {
            if (!res->first_id)
                res->first_id = id;
            res->last_id = id;
            res->created++;
        }
    }
    /* Duplicates once every row is in, so that two rows of the file count too. */
    for (long long id = res->first_id; !rc && res->created && id <= res->last_id; id++) {
        int dup = 0;
        if (!(rc = exposure_has_duplicate(db, id, &dup)))
            res->duplicates += dup;
    }
    return rc;
}

enum err exposure_import(struct db *db, const struct audit_ctx *ax, long long org_id,
                         enum exposure_inventory inv, const char *data, size_t len,
                         struct exposure_import_result *res)
{
    struct arena a;
    struct tab t;
    arena_init(&a);
    memset(res, 0, sizeof *res);
    res->errors = json_array();
    struct collector errs = {res->errors, 1};
    enum err rc = read_table(&a, inv, data, len, &t);
    if (rc)
        goto out;
    if (!t.n_rows) {
        rc = errf(ERR_VALIDATION, "file", "文件为空：应有表头行");
        goto out;
    }
    size_t from, to;
    if ((rc = section(&t, inv, &from, &to)))
        goto out;
    int *col_of = arena_alloc(&a, (t.n_cols + 1) * sizeof *col_of);
    size_t h = header(&t, from, to, inv, col_of, &errs);
    if (json_array_size(res->errors)) {
        rc = errf(ERR_VALIDATION, "file", "表头与%s模板的列不符", exposure_inventory_name(inv));
        goto out;
    }
    struct row *rows = arena_alloc(&a, (t.n_rows + 1) * sizeof *rows);
    size_t n = 0;
    for (size_t r = h + 1; r < to && !rc; r++) {
        if (row_blank(&t, r, col_of))
            continue;
        if (n == MAX_ROWS)
            rc = errf(ERR_VALIDATION, "file", "第 %d 行：%s最多 %d 行", t.rows[r].line,
                      exposure_inventory_name(inv), MAX_ROWS);
        else
            check_row(&a, &t, r, col_of, inv, &rows[n++], &errs);
    }
    if (rc)
        goto out;
    res->rows = (long long)n;
    if (json_array_size(res->errors)) {
        rc = errf(ERR_VALIDATION, "file", "共有 %zu 处错误，未导入任何数据",
                  json_array_size(res->errors));
        goto out;
    }
    if (!n) {
        rc = errf(ERR_VALIDATION, "file", "文件中没有数据行");
        goto out;
    }
    char hash[65];
    if (!(rc = write_rows(db, org_id, inv, rows, n, res)) &&
        !(rc = crypto_sm3_hex(data, len, hash))) {
        json_t *after = json_pack(
            "{s:s,s:s,s:I,s:I,s:I,s:I}", "inventory", exposure_inventory_code(inv), "file_sm3",
            hash, "created", (json_int_t)res->created, "first_id", (json_int_t)res->first_id,
            "last_id", (json_int_t)res->last_id, "duplicates", (json_int_t)res->duplicates);
        rc = audit_append(db, ax, "exposure.import", "exposure_entry", NULL, org_id, NULL, after);
        json_decref(after);
    }
    if (rc)
        res->created = 0;
out:
    arena_release(&a);
    return rc;
}

static const char SQL_ORG_EXISTS[] = "SELECT COUNT(*) FROM orgs WHERE id = $1";
/* EXPOSURE_ENTRY_COLS without the per-row rank (a COUNT per row made a 100,000-row export
 * quadratic): the export numbers its rows as it writes them, in the same id order. */
static const char SQL_EXPORT[] =
    "SELECT e.id, e.org_id, o.name, e.inventory, e.owner, e.asset_name, e.asset_type, e.ip, "
    "e.software, e.purpose, e.reachable, e.other, e.created_at, e.updated_at, 0, x.reason, "
    "x.reported_to, x.reported_on, x.recorded_by, x.recorded_at FROM exposure_entries e "
    "JOIN orgs o ON o.id = e.org_id LEFT JOIN exposure_exceptions x ON x.entry_id = e.id "
    "WHERE e.org_id = $1 AND e.inventory = $2 ORDER BY e.id";

/* The row's value of a column (EXPOSURE_ENTRY_COLS order). */
static const char *value(struct db_stmt *s, enum exposure_col col, char seq[24])
{
    switch (col) {
    case EC_SEQ:
        return exposure_id_text(db_int(s, 14), seq);
    case EC_OWNER:
        return db_text(s, 4);
    case EC_ASSET_NAME:
        return db_text(s, 5);
    case EC_ASSET_TYPE:
        return db_text(s, 6);
    case EC_IP:
        return db_text(s, 7);
    case EC_SOFTWARE:
        return db_text(s, 8);
    case EC_PURPOSE:
        return db_text(s, 9);
    case EC_REACHABLE:
        return db_text(s, 10);
    case EC_OTHER:
        return db_text(s, 11);
    case EC__COUNT:
        break;
    }
    return "";
}

/* inv's section of the document: its heading, its header row and one row per entry, 序号 a
 * number from 1 in the same id order as the lists. */
static enum err export_section(struct db *db, struct xlsxw *w, long long org_id,
                               enum exposure_inventory inv)
{
    size_t n;
    const struct exposure_column *cols = exposure_columns(inv, &n);
    const char *head[EC__COUNT], *cells[EC__COUNT];
    bool numeric[EC__COUNT];
    for (size_t i = 0; i < n; i++) {
        head[i] = cols[i].header;
        numeric[i] = cols[i].col == EC_SEQ;
    }
    enum err rc = xlsxw_section(w, exposure_inventory_heading(inv), n);
    if (rc || (rc = xlsxw_header(w, head, n)))
        return rc;
    struct db_stmt *s;
    if (!org_id || (rc = db_prepare(db, SQL_EXPORT, &s)))
        return rc;
    db_bind_int(s, 1, org_id);
    db_bind_text(s, 2, exposure_inventory_code(inv));
    int row;
    long long number = 0;
    while (!(rc = db_step(s, &row)) && row) {
        char seq[24];
        number++;
        for (size_t i = 0; i < n; i++) {
            if (cols[i].col == EC_SEQ) {
                snprintf(seq, sizeof seq, "%lld", number);
                cells[i] = seq;
            } else {
                cells[i] = value(s, cols[i].col, seq);
            }
        }
        if ((rc = xlsxw_row_typed(w, cells, numeric, n)))
            break;
    }
    db_done(s);
    return rc;
}

/* Annex 4 is one document: its title across the widest list, then the three lists in its order,
 * a blank row between them. */
static enum err export_document(struct db *db, struct xlsxw *w, long long org_id)
{
    size_t widest = 0, n;
    for (int inv = 0; inv < EXPOSURE__COUNT; inv++)
        if (exposure_columns((enum exposure_inventory)inv, &n) && n > widest)
            widest = n;
    enum err rc = xlsxw_sheet(w, EXPOSURE_TITLE, NULL, 0);
    if (!rc)
        rc = xlsxw_title(w, EXPOSURE_TITLE, widest);
    for (int inv = 0; inv < EXPOSURE__COUNT && !rc; inv++)
        if (!(rc = inv ? xlsxw_row(w, NULL, 0) : ERR_OK))
            rc = export_section(db, w, org_id, (enum exposure_inventory)inv);
    return rc;
}

enum err exposure_export_xlsx(struct db *db, long long org_id, char **bytes, size_t *len)
{
    struct xlsxw *w;
    struct db_stmt *s;
    long long n = 0;
    enum err rc;
    if (org_id) {
        if ((rc = db_prepare(db, SQL_ORG_EXISTS, &s)))
            return rc;
        db_bind_int(s, 1, org_id);
        if ((rc = db_scalar_int(s, 0, &n)))
            return rc;
        if (!n)
            return errf(ERR_NOT_FOUND, NULL, "单位不存在");
    }
    if ((rc = xlsxw_begin(&w)))
        return rc;
    if ((rc = export_document(db, w, org_id))) {
        xlsxw_free(w);
        return rc;
    }
    return xlsxw_finish(w, bytes, len);
}
