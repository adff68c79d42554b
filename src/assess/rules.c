/* 符合性评测 rules and upload checks: exact score arithmetic, date order, import columns, file
 * kinds by magic bytes (zip containers inspected through their central directory only, nothing
 * is inflated), and safe file names. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "csv.h"
#include "rules.h"

int assess_score(long long passed, long long failed, char out[16])
{
    long long total = passed + failed;
    out[0] = '\0';
    if (passed < 0 || failed < 0 || total <= 0)
        return 0;
    /* Hundredths of a percent, round half up: floor((passed·10000 + total/2) / total), done as
     * (2·passed·10000 + total) / (2·total) to stay exact for odd totals. */
    long long hundredths = (2 * passed * 10000 + total) / (2 * total);
    /* 0 <= hundredths <= 10000; the modulo only tells the compiler the width. */
    snprintf(out, 16, "%u.%02u", (unsigned)(hundredths / 100) % 1000u,
             (unsigned)(hundredths % 100));
    return 1;
}

enum err assess_score_parse(const char *s, const char *field, char out[16])
{
    long long whole = 0, frac = 0;
    int n_whole = 0, n_frac = 0;
    const char *p = s ? s : "";
    for (; *p >= '0' && *p <= '9' && n_whole < 4; p++, n_whole++)
        whole = whole * 10 + (*p - '0');
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9' && n_frac < 3; p++, n_frac++)
            frac = frac * 10 + (*p - '0');
        if (!n_frac)
            n_frac = 3; /* "87." is not a number */
    }
    if (!n_whole || *p || n_frac > 2)
        return errf(ERR_VALIDATION, field, "得分应为 0 至 100 的数，最多两位小数");
    if (n_frac == 1)
        frac *= 10;
    if (whole > 100 || (whole == 100 && frac))
        return errf(ERR_VALIDATION, field, "得分应为 0 至 100 的数，最多两位小数");
    snprintf(out, 16, "%u.%02u", (unsigned)whole % 1000u, (unsigned)frac % 100u);
    return ERR_OK;
}

enum err assess_dates_check(const char *start, const char *end, struct date today,
                            const char *start_field, const char *end_field)
{
    struct date s, e;
    if (date_parse(start, &s))
        return errf(ERR_VALIDATION, start_field, "开始日期应为 YYYY-MM-DD 格式的日期");
    if (!end)
        return ERR_OK;
    if (date_parse(end, &e))
        return errf(ERR_VALIDATION, end_field, "结束日期应为 YYYY-MM-DD 格式的日期");
    if (date_cmp(e, s) < 0) {
        char both[128];
        snprintf(both, sizeof both, "%s,%s", start_field, end_field);
        return errf(ERR_VALIDATION, both, "结束日期不能早于开始日期");
    }
    if (date_cmp(e, today) > 0)
        return errf(ERR_VALIDATION, end_field,
                    "结束日期不能晚于今天（已结束的评测不能在未来结束）");
    return ERR_OK;
}

static const char *const column_names[CL__COUNT] = {"序号", "area", "requirement", "method"};
static const char *const column_aliases[CL__COUNT][7] = {
    [CL_NO] = {"序号", "编号", "item_no", "no", NULL},
    [CL_AREA] = {"area", "检查域", "安全域", "层面", "类别", NULL},
    [CL_REQUIREMENT] = {"requirement", "要求", "检查要求", "安全要求", "检查项", NULL},
    [CL_METHOD] = {"method", "检测方法", "检查方法", "测评方法", "方法", NULL},
};

const char *assess_checklist_column_name(int c)
{
    return c >= 0 && c < CL__COUNT ? column_names[c] : "";
}

/* Compares a header cell, trimmed of ASCII spaces, with name (ASCII case-insensitively). */
static int header_is(const char *cell, const char *name)
{
    while (*cell == ' ' || *cell == '\t')
        cell++;
    size_t n = strlen(cell);
    while (n && (cell[n - 1] == ' ' || cell[n - 1] == '\t'))
        n--;
    return n == strlen(name) && !strncasecmp(cell, name, n);
}

int assess_checklist_columns(const struct tab_row *header, int col[CL__COUNT])
{
    int missing = 0;
    for (int c = 0; c < CL__COUNT; c++) {
        col[c] = -1;
        for (size_t i = 0; header && i < header->n_cells && col[c] < 0; i++)
            for (int k = 0; column_aliases[c][k] && col[c] < 0; k++)
                if (header_is(header->cells[i], column_aliases[c][k]))
                    col[c] = (int)i;
        if (col[c] < 0)
            missing++;
    }
    return missing;
}

enum { MAX_ZIP_ENTRIES = 10000 };

/* A zip announcing more entries than an office document has (or a zip64 count) is refused
 * before libzip allocates for its central directory. Every end-of-central-directory signature
 * in the tail counts, since a comment may hide one. */
static int too_many_entries(const unsigned char *p, size_t len)
{
    if (len < 22)
        return 0;
    size_t from = len - 22 > 65535 ? len - 22 - 65535 : 0; /* 65535: the longest comment */
    for (size_t i = len - 22 + 1; i-- > from;) {
        if (memcmp(p + i, "PK\5\6", 4))
            continue;
        unsigned n = (unsigned)p[i + 10] | (unsigned)p[i + 11] << 8;
        if (n > MAX_ZIP_ENTRIES)
            return 1;
    }
    return 0;
}

/* The main part that tells an Office Open XML package's kind, looked up in the central
 * directory; nothing is decompressed. */
static enum file_kind zip_kind(const void *data, size_t len)
{
    if (too_many_entries(data, len))
        return FILE_NONE;
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
    zip_error_fini(&zerr);
    if (!za) {
        if (src)
            zip_source_free(src);
        return FILE_NONE;
    }
    enum file_kind k = FILE_NONE;
    if (zip_name_locate(za, "[Content_Types].xml", 0) >= 0) {
        if (zip_name_locate(za, "word/document.xml", 0) >= 0)
            k = FILE_DOCX;
        else if (zip_name_locate(za, "xl/workbook.xml", 0) >= 0)
            k = FILE_XLSX;
        if (k != FILE_NONE &&
            (zip_name_locate(za, "vbaProject.bin", ZIP_FL_NODIR) >= 0 ||
             zip_name_locate(za, "vbaProject.bin", ZIP_FL_NODIR | ZIP_FL_NOCASE) >= 0))
            k = FILE_MACRO;
    }
    zip_discard(za); /* frees src */
    return k;
}

enum file_kind assess_file_kind(const void *data, size_t len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char jpeg[3] = {0xff, 0xd8, 0xff};
    const unsigned char *p = data;
    if (!p || len < 8)
        return FILE_NONE;
    if (!memcmp(p, "%PDF-", 5))
        return FILE_PDF;
    if (!memcmp(p, png, sizeof png))
        return FILE_PNG;
    if (!memcmp(p, jpeg, sizeof jpeg))
        return FILE_JPEG;
    if (!memcmp(p, "PK\3\4", 4))
        return zip_kind(data, len);
    return FILE_NONE;
}

static const struct {
    const char *media_type;
    const char *ext[3];
} kinds[] = {
    [FILE_NONE] = {NULL, {NULL}},
    [FILE_PDF] = {"application/pdf", {".pdf", NULL}},
    [FILE_DOCX] = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   {".docx", NULL}},
    [FILE_XLSX] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   {".xlsx", NULL}},
    [FILE_PNG] = {"image/png", {".png", NULL}},
    [FILE_JPEG] = {"image/jpeg", {".jpg", ".jpeg", NULL}},
    [FILE_MACRO] = {NULL, {NULL}},
};

const char *assess_file_media_type(enum file_kind k)
{
    return k <= FILE_MACRO ? kinds[k].media_type : NULL;
}

int assess_file_ext_matches(enum file_kind k, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    for (int i = 0; k <= FILE_MACRO && kinds[k].ext[i]; i++) {
        size_t e = strlen(kinds[k].ext[i]);
        if (n > e && !strcasecmp(name + n - e, kinds[k].ext[i]))
            return 1;
    }
    return 0;
}

enum err assess_file_name(const char *raw, const char *field, char out[256])
{
    const char *p = raw ? raw : "";
    for (const char *q = p; *q; q++)
        if (*q == '/' || *q == '\\')
            p = q + 1;
    while (*p == ' ')
        p++;
    size_t n = strlen(p);
    while (n && p[n - 1] == ' ')
        n--;
    if (!n || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
        return errf(ERR_VALIDATION, field, "文件名不能为空");
    if (n > 200)
        return errf(ERR_VALIDATION, field, "文件名过长（最多 200 字节）");
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t k = tab_utf8_decode(p + i, n - i, &cp);
        if (!k)
            return errf(ERR_VALIDATION, field, "文件名不是有效的 UTF-8");
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return errf(ERR_VALIDATION, field, "文件名含有控制字符");
        i += k;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return ERR_OK;
}

void assess_content_disposition(const char *name, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    char ascii[201];
    size_t a = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && a < sizeof ascii - 1; p++) {
        /* One _ per UTF-8 sequence: skip continuation bytes. */
        if ((*p & 0xc0) == 0x80)
            continue;
        int ok = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != ';' && *p != '%' &&
                 *p != '/';
        ascii[a++] = ok ? (char)*p : '_';
    }
    ascii[a] = '\0';
    int w = snprintf(out, size, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
    if (w < 0 || (size_t)w >= size) {
        snprintf(out, size, "attachment");
        return;
    }
    size_t o = (size_t)w;
    /* RFC 5987 attr-char: ALPHA DIGIT ! # $ & + - . ^ _ ` | ~ ; everything else %XX. Stop at a
     * whole character that would not fit, so the header never ends in a broken escape. */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p);
        if ((*p & 0xc0) != 0x80) {
            /* the start of a character: make sure all of it fits */
            size_t clen = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
            size_t all = keep ? 1 : 3 * clen;
            if (o + all + 1 > size)
                break;
        }
        if (keep) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}
