/* XLSX reader: libzip opens the workbook from memory and expat streams each XML part through
 * handlers that keep only what the table needs. A part is inflated in chunks with its bytes
 * counted against its declared size and max_part, and any DTD stops the parse, so a zip bomb,
 * a lying zip directory or an entity bomb ends in ERR_VALIDATION before it costs memory. */
#include <expat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "arena.h"
#include "csv.h"
#include "date.h"
#include "sbuf.h"
#include "xlsx.h"
#include "err.h"

enum {
    CHUNK = 16384,         /* bytes inflated and parsed at a time */
    MAX_ENTRIES = 10000,   /* files in the zip; Excel writes a dozen or so */
    MAX_SHEETS = 1000,     /* <sheet> elements of the workbook */
    MAX_RELS = 2000,       /* <Relationship> elements of one .rels part */
    MAX_NUMFMTS = 1000,    /* custom number formats; Excel allows some 250 */
    MAX_XFS = 65536,       /* cell formats; Excel's own limit is 64000 */
    MAX_FORMAT_CODE = 255, /* Excel's limit on a number format code */
    MAX_TOKEN = 1 << 20,   /* bytes of XML with no event: one tag, comment or the like */
};

static const char empty_cell[] = "";

static enum err bad_xlsx(const char *why)
{
    if (!why)
        return errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件");
    return errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s", why);
}

static bool ends_with(const char *s, const char *suffix, bool nocase)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m)
        return false;
    return nocase ? strcasecmp(s + n - m, suffix) == 0 : strcmp(s + n - m, suffix) == 0;
}

/* A decimal count: digits only, saturating, false when empty or not digits. */
static bool parse_count(const char *s, unsigned long *out)
{
    unsigned long v = 0;
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v > 100000000UL ? 1000000000UL : v * 10 + (unsigned long)(*s - '0');
    }
    *out = v;
    return true;
}

static uint64_t little_endian(const unsigned char *p, int n)
{
    uint64_t v = 0;
    while (n--)
        v = v << 8 | p[n];
    return v;
}

/* libzip reads the whole central directory when it opens a zip, at some 300 bytes of memory per
 * entry, so a 30 MB upload of empty entries would cost 100 MB before any count could be checked.
 * The counts announced by every end-of-central-directory record near the end (and the zip64
 * record it points to) are checked first. */
static bool too_many_entries(const unsigned char *p, size_t len)
{
    if (len < 22)
        return false;
    const size_t from = len - 22 > 65535 ? len - 22 - 65535 : 0; /* 65535: the longest comment */
    for (size_t i = len - 22 + 1; i-- > from;) {
        if (memcmp(p + i, "PK\5\6", 4) != 0)
            continue;
        uint64_t n = little_endian(p + i + 10, 2);
        if (n == 0xFFFF && i >= 20 && memcmp(p + i - 20, "PK\6\7", 4) == 0) {
            uint64_t at = little_endian(p + i - 20 + 8, 8);
            if (len >= 56 && at <= len - 56 && memcmp(p + at, "PK\6\6", 4) == 0)
                n = little_endian(p + at + 32, 8);
        }
        if (n > MAX_ENTRIES)
            return true;
    }
    return false;
}

/* ---- XML parts ---- */

/* What every part's handlers share; the first member of each part's context. */
struct part {
    XML_Parser parser;
    const char *what; /* the part in Chinese, for messages */
    enum err rc;      /* first error; stops the parse */
    struct arena *a;
    const struct tab_limits *lim;
    long long seen; /* byte offset of the last event, see parse_entry */
};

/* Every handler starts here: notes how far the parse got, and whether to go on. */
static bool touch(struct part *x)
{
    x->seen = (long long)XML_GetCurrentByteIndex(x->parser);
    return !x->rc;
}

static void fail(struct part *x, enum err rc)
{
    if (!x->rc)
        x->rc = rc;
    XML_StopParser(x->parser, XML_FALSE);
}

/* A DTD is never needed in OOXML and is how entity bombs (billion laughs) and external entities
 * get in: any DOCTYPE or entity declaration aborts the parse. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    struct part *x = ud;
    fail(x, errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s含有 DTD 声明", x->what));
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    struct part *x = ud;
    fail(x, errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s含有实体声明", x->what));
}

/* Names arrive as "namespace|local" (the parser is namespace-aware, so "x:c" and "c" in the
 * spreadsheetml namespace read alike, transitional or strict). */
static const char *local(const XML_Char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (; *atts; atts += 2)
        if (strcmp(local(atts[0]), name) == 0)
            return atts[1];
    return NULL;
}

static void XMLCALL skip_text(void *ud, const XML_Char *text, int len)
{
    (void)text, (void)len;
    touch(ud);
}

static void part_init(struct part *x, const char *what, struct arena *a,
                      const struct tab_limits *lim, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    x->parser = XML_ParserCreateNS(NULL, '|');
    if (!x->parser)
        die_oom();
    x->what = what;
    x->rc = ERR_OK;
    x->a = a;
    x->lim = lim;
    x->seen = 0;
    XML_SetUserData(x->parser, x);
    XML_SetElementHandler(x->parser, start, end);
    XML_SetCharacterDataHandler(x->parser, text ? text : skip_text);
    XML_SetStartDoctypeDeclHandler(x->parser, on_doctype);
    XML_SetEntityDeclHandler(x->parser, on_entity);
}

static void part_release(struct part *x)
{
    if (x->parser)
        XML_ParserFree(x->parser);
    x->parser = NULL;
}

/* Streams the zip entry idx through x's parser. The inflated bytes are counted: a part may
 * neither exceed max_part nor differ from the size its zip entry declares. */
static enum err parse_entry(zip_t *za, zip_int64_t idx, struct part *x)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
        return bad_xlsx(NULL);
    if (st.size > x->lim->max_part)
        return errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s解压后超过 %zu 字节的上限",
                    x->what, x->lim->max_part);
    zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (!f)
        return errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：无法读取%s", x->what);
    char *buf = xmalloc(CHUNK);
    zip_uint64_t total = 0;
    enum err rc = ERR_OK;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, CHUNK);
        if (n < 0) {
            rc = errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s已损坏", x->what);
            break;
        }
        total += (zip_uint64_t)n;
        if (total > st.size) {
            rc = errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s的大小与声明不符", x->what);
            break;
        }
        if (XML_Parse(x->parser, buf, (int)n, n == 0) != XML_STATUS_OK || x->rc) {
            rc = x->rc ? x->rc
                       : errf(ERR_VALIDATION, "file",
                              "不是有效的 XLSX 文件：%s不是合法的 XML（第 %lu 行：%s）", x->what,
                              (unsigned long)XML_GetCurrentLineNumber(x->parser),
                              XML_ErrorString(XML_GetErrorCode(x->parser)));
            break;
        }
        /* Text comes in pieces, but expat holds a whole tag or comment in memory (and rescans
         * it as it grows): a hostile one could be as large as the part. */
        if (total - (zip_uint64_t)(x->seen > 0 ? x->seen : 0) > MAX_TOKEN) {
            rc = errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s中有过长的 XML 标记",
                      x->what);
            break;
        }
        if (n == 0)
            break;
    }
    if (!rc && total != st.size)
        rc = errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：%s的大小与声明不符", x->what);
    zip_fclose(f);
    free(buf);
    return rc;
}

/* Parses the part at path (NULL: none); a missing part is an error unless optional. */
static enum err parse_part(zip_t *za, const char *path, bool optional, struct part *x)
{
    zip_int64_t idx = path ? zip_name_locate(za, path, ZIP_FL_NOCASE) : -1;
    if (idx < 0)
        return optional ? ERR_OK
                        : errf(ERR_VALIDATION, "file", "不是有效的 XLSX 文件：缺少%s", x->what);
    return parse_entry(za, idx, x);
}

static size_t utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

static bool hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d == 16)
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

/* The text of a cell into the arena. OOXML writes characters XML cannot carry as _xHHHH_
 * (Excel's "_x000D_" before a line feed, "_x005F_" for a literal underscore); they are decoded,
 * except NUL, which is dropped, and lone surrogates, which become U+FFFD. */
static const char *finish_text(struct arena *a, const char *s, size_t n)
{
    if (!n)
        return empty_cell;
    if (!memmem(s, n, "_x", 2))
        return arena_strndup(a, s, n);
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        if (i + 7 <= n && s[i] == '_' && s[i + 1] == 'x' && hex4(s + i + 2, &cp) &&
            s[i + 6] == '_') {
            i += 7;
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD;
            if (cp)
                o += utf8_encode(cp, out + o);
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

/* ---- package relationships (_rels/.rels, xl/_rels/workbook.xml.rels) ---- */

struct rel {
    const char *id, *type, *target;
};

struct rels {
    struct part x;
    struct rel *items;
    size_t n, cap;
};

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct rels *r = ud;
    if (!touch(&r->x) || strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    const char *mode = attr(atts, "TargetMode");
    if (!id || !type || !target || (mode && strcmp(mode, "Internal") != 0))
        return;
    if (r->n == MAX_RELS) {
        fail(&r->x, bad_xlsx("关系表条目过多"));
        return;
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->items = xrealloc(r->items, r->cap * sizeof *r->items);
    }
    r->items[r->n++] = (struct rel){arena_strdup(r->x.a, id), arena_strdup(r->x.a, type),
                                    arena_strdup(r->x.a, target)};
}

static void XMLCALL rels_end(void *ud, const XML_Char *name)
{
    (void)name;
    touch(ud);
}

static const struct rel *rel_by_id(const struct rels *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].id, id) == 0)
            return &r->items[i];
    return NULL;
}

static const struct rel *rel_by_type(const struct rels *r, const char *suffix)
{
    for (size_t i = 0; i < r->n; i++)
        if (ends_with(r->items[i].type, suffix, false))
            return &r->items[i];
    return NULL;
}

/* Resolves a relationship target against the folder of its source part (dir "" for the package
 * root, "xl" for xl/workbook.xml): "worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml",
 * "/xl/styles.xml" → "xl/styles.xml", with "." and ".." segments folded. */
static char *resolve(struct arena *a, const char *dir, const char *target)
{
    char *path = target[0] == '/' ? arena_strdup(a, target + 1)
                                  : arena_printf(a, "%s%s%s", dir, *dir ? "/" : "", target);
    size_t n = 0;
    const char *seg = path;
    while (*seg) {
        size_t len = strcspn(seg, "/");
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (n && path[n - 1] != '/')
                n--;
            if (n)
                n--;
        } else if (len && !(len == 1 && seg[0] == '.')) {
            if (n)
                path[n++] = '/';
            memmove(path + n, seg, len);
            n += len;
        }
        seg += len;
        if (*seg == '/')
            seg++;
    }
    path[n] = '\0';
    return path;
}

static enum err read_rels(zip_t *za, struct arena *a, const struct tab_limits *lim,
                          const char *path, struct rels *r)
{
    part_init(&r->x, "关系表", a, lim, rels_start, rels_end, NULL);
    enum err rc = parse_part(za, path, true, &r->x);
    part_release(&r->x);
    return rc;
}

/* ---- workbook (xl/workbook.xml) ---- */

struct sheet_ref {
    const char *name, *rid;
    bool hidden;
};

struct workbook {
    struct part x;
    struct sheet_ref *sheets;
    size_t n, cap;
    bool date1904;
};

static void XMLCALL book_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct workbook *w = ud;
    if (!touch(&w->x))
        return;
    const char *el = local(name);
    if (strcmp(el, "workbookPr") == 0) {
        const char *v = attr(atts, "date1904");
        w->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    } else if (strcmp(el, "sheet") == 0) {
        const char *sheet_name = attr(atts, "name"), *rid = attr(atts, "id");
        const char *state = attr(atts, "state");
        if (!sheet_name || !rid)
            return;
        if (w->n == MAX_SHEETS) {
            fail(&w->x, bad_xlsx("工作表过多"));
            return;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 8;
            w->sheets = xrealloc(w->sheets, w->cap * sizeof *w->sheets);
        }
        w->sheets[w->n++] =
            (struct sheet_ref){arena_strdup(w->x.a, sheet_name), arena_strdup(w->x.a, rid),
                               state && strcmp(state, "visible") != 0};
    }
}

static void XMLCALL book_end(void *ud, const XML_Char *name)
{
    (void)name;
    touch(ud);
}

/* ---- shared strings (xl/sharedStrings.xml) ---- */

struct sst {
    struct part x;
    const char **strings;
    size_t n, cap;
    int in_si, in_t, in_rph;
    struct sbuf text;
};

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    struct sst *s = ud;
    const char *el = local(name);
    if (!touch(&s->x))
        return;
    if (strcmp(el, "si") == 0) {
        s->in_si++;
        sbuf_reset(&s->text);
    } else if (strcmp(el, "rPh") == 0) {
        s->in_rph++; /* phonetic guide (furigana): not part of the text */
    } else if (strcmp(el, "t") == 0 && s->in_si && !s->in_rph) {
        s->in_t++;
    }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    struct sst *s = ud;
    const char *el = local(name);
    if (!touch(&s->x))
        return;
    if (strcmp(el, "t") == 0 && s->in_t) {
        s->in_t--;
    } else if (strcmp(el, "rPh") == 0) {
        s->in_rph--;
    } else if (strcmp(el, "si") == 0) {
        s->in_si--;
        if (s->n == s->x.lim->max_cells) {
            fail(&s->x,
                 errf(ERR_VALIDATION, "file", "共享字符串超过 %zu 个的上限", s->x.lim->max_cells));
            return;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->strings = xrealloc(s->strings, s->cap * sizeof *s->strings);
        }
        s->strings[s->n++] = finish_text(s->x.a, s->text.buf, s->text.len);
    }
}

static void XMLCALL sst_text(void *ud, const XML_Char *text, int len)
{
    struct sst *s = ud;
    if (!touch(&s->x) || !s->in_t)
        return;
    if (sbuf_add(&s->text, text, (size_t)len))
        fail(&s->x, errf(ERR_VALIDATION, "file", "第 %zu 个共享字符串超过 %zu 字节的上限", s->n + 1,
                         s->x.lim->max_cell));
}

/* ---- styles (xl/styles.xml): which cell formats show a number as a date or a time ---- */

enum fmt_kind { FMT_NUMBER, FMT_DATE, FMT_TIME };

/* Excel's built-in formats, the zh-CN ones (27..36, 50..58) included. */
static enum fmt_kind builtin_kind(unsigned long id)
{
    if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
        (id >= 50 && id <= 58))
        return FMT_DATE;
    if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47))
        return FMT_TIME;
    return FMT_NUMBER;
}

/* A custom format code shows a date when, outside quoted text, escapes and [brackets], it has a
 * year or a day (y, d), a time when it has hours or seconds (h, s, [h], [mm], [ss]); m alone is
 * a month ("mmm"). */
static enum fmt_kind code_kind(const char *code)
{
    bool date = false, time = false, month = false;
    for (const char *p = code; *p; p++) {
        switch (*p) {
        case '"': {
            const char *q = strchr(p + 1, '"');
            if (!q)
                return FMT_NUMBER;
            p = q;
            break;
        }
        case '\\':
        case '_':
        case '*':
            if (p[1])
                p++;
            break;
        case '[': {
            const char *q = strchr(p, ']');
            if (!q)
                return FMT_NUMBER;
            bool elapsed = q > p + 1 && strchr("hHmMsS", p[1]);
            for (const char *c = p + 1; elapsed && c < q; c++)
                elapsed = (*c | 0x20) == (p[1] | 0x20);
            time = time || elapsed;
            p = q;
            break;
        }
        case 'y':
        case 'Y':
        case 'd':
        case 'D':
            date = true;
            break;
        case 'h':
        case 'H':
        case 's':
        case 'S':
            time = true;
            break;
        case 'm':
        case 'M':
            month = true;
            break;
        default:
            break;
        }
    }
    return date ? FMT_DATE : time ? FMT_TIME : month ? FMT_DATE : FMT_NUMBER;
}

struct numfmt {
    unsigned long id;
    enum fmt_kind kind;
};

struct styles {
    struct part x;
    struct numfmt *fmts;
    size_t n_fmts, cap_fmts;
    unsigned long *xf_fmt; /* numFmtId of each cellXfs entry */
    size_t n_xf, cap_xf;
    int in_numfmts, in_cellxfs;
};

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct styles *s = ud;
    const char *el = local(name);
    unsigned long id = 0;
    if (!touch(&s->x))
        return;
    if (strcmp(el, "numFmts") == 0) {
        s->in_numfmts++;
    } else if (strcmp(el, "cellXfs") == 0) {
        s->in_cellxfs++;
    } else if (strcmp(el, "numFmt") == 0 && s->in_numfmts) {
        const char *code = attr(atts, "formatCode");
        if (!parse_count(attr(atts, "numFmtId"), &id) || !code || strlen(code) > MAX_FORMAT_CODE)
            return;
        if (s->n_fmts == MAX_NUMFMTS) {
            fail(&s->x, bad_xlsx("样式表中的数字格式过多"));
            return;
        }
        if (s->n_fmts == s->cap_fmts) {
            s->cap_fmts = s->cap_fmts ? s->cap_fmts * 2 : 16;
            s->fmts = xrealloc(s->fmts, s->cap_fmts * sizeof *s->fmts);
        }
        s->fmts[s->n_fmts++] = (struct numfmt){id, code_kind(code)};
    } else if (strcmp(el, "xf") == 0 && s->in_cellxfs) {
        if (s->n_xf == MAX_XFS) {
            fail(&s->x, bad_xlsx("样式表中的单元格格式过多"));
            return;
        }
        if (s->n_xf == s->cap_xf) {
            s->cap_xf = s->cap_xf ? s->cap_xf * 2 : 64;
            s->xf_fmt = xrealloc(s->xf_fmt, s->cap_xf * sizeof *s->xf_fmt);
        }
        if (!parse_count(attr(atts, "numFmtId"), &id))
            id = 0;
        s->xf_fmt[s->n_xf++] = id;
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct styles *s = ud;
    const char *el = local(name);
    if (!touch(&s->x))
        return;
    if (strcmp(el, "numFmts") == 0 && s->in_numfmts)
        s->in_numfmts--;
    else if (strcmp(el, "cellXfs") == 0 && s->in_cellxfs)
        s->in_cellxfs--;
}

/* The kind of each cell format, indexed by a cell's s attribute; NULL when all are numbers. */
static unsigned char *style_kinds(const struct styles *s, struct arena *a)
{
    unsigned char *kinds = s->n_xf ? arena_alloc(a, s->n_xf) : NULL;
    for (size_t i = 0; i < s->n_xf; i++) {
        enum fmt_kind kind = builtin_kind(s->xf_fmt[i]);
        for (size_t j = 0; j < s->n_fmts; j++)
            if (s->fmts[j].id == s->xf_fmt[i])
                kind = s->fmts[j].kind;
        kinds[i] = (unsigned char)kind;
    }
    return kinds;
}

/* Excel stores a date as days since 1899-12-30 (1900 system: day 60 is the 1900-02-29 Lotus
 * invented, days 1..59 count from 1899-12-31) or since 1904-01-01, the time as the fraction.
 * Writes the ISO text of serial into out; false when serial is no number or out of range. */
static bool excel_date(const char *serial, enum fmt_kind kind, bool date1904, char out[32])
{
    char *end;
    double v = strtod(serial, &end);
    if (end == serial || *end || !(v >= 0 && v < 2958466))
        return false;
    long long secs = (long long)(v * 86400 + 0.5);
    long days = (long)(secs / 86400);
    int tod = (int)(secs % 86400);
    if (kind == FMT_TIME || (days == 0 && !date1904)) {
        snprintf(out, 32, "%02d:%02d:%02d", tod / 3600, tod / 60 % 60, tod % 60);
        return true;
    }
    long epoch; /* day 0 as days since 1970-01-01 */
    if (date1904)
        epoch = -24107;
    else if (days < 60)
        epoch = -25568;
    else if (days == 60)
        return false;
    else
        epoch = -25569;
    if (epoch + days > date_to_days((struct date){9999, 12, 31}))
        return false;
    date_format(date_from_days(epoch + days), out);
    if (tod)
        snprintf(out + 10, 22, " %02d:%02d:%02d", tod / 3600, tod / 60 % 60, tod % 60);
    return true;
}

/* ---- the worksheet ---- */

enum cell_type { CELL_NUMBER, CELL_SHARED, CELL_INLINE, CELL_TEXT, CELL_BOOL };

struct sheet {
    struct part x;
    struct tab_builder b;
    const struct sst *sst;
    const unsigned char *kinds; /* per cell format, NULL when none is a date */
    size_t n_kinds;
    bool date1904;
    int depth;           /* of the element being parsed */
    int data_depth;      /* of <sheetData>, 0 outside */
    int row_depth;       /* of the open <row>, 0 outside */
    int cell_depth;      /* of the open <c>, 0 outside */
    unsigned long row;   /* number of the open row */
    size_t next_col;     /* column after the last cell of the row */
    size_t col;          /* of the open cell */
    enum cell_type type; /* of the open cell */
    unsigned long style; /* of the open cell */
    bool has_value;      /* the open cell has a <v> or an <is> */
    int in_v, in_is, in_t, in_rph;
    struct sbuf text;
};

/* A cell reference: column letters A..XFD, then the row digits (not checked against the row). */
static bool parse_ref(const char *ref, size_t *col)
{
    size_t c = 0;
    const char *p = ref;
    for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
        c = c * 26 + (size_t)((*p | 0x20) - 'a' + 1);
        if (c > 16384)
            return false;
    }
    if (p == ref)
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p)
        return false;
    *col = c - 1;
    return true;
}

static enum cell_type parse_type(const char *t)
{
    if (!t || strcmp(t, "n") == 0)
        return CELL_NUMBER;
    if (strcmp(t, "s") == 0)
        return CELL_SHARED;
    if (strcmp(t, "inlineStr") == 0)
        return CELL_INLINE;
    if (strcmp(t, "b") == 0)
        return CELL_BOOL;
    return CELL_TEXT; /* "str" (a formula's text), "e" (#N/A), "d" (ISO 8601 text) */
}

static void open_row(struct sheet *s, const XML_Char **atts)
{
    unsigned long r = s->b.n_rows + 1;
    const char *rattr = attr(atts, "r");
    enum err rc = ERR_OK;
    if (rattr && (!parse_count(rattr, &r) || r == 0))
        rc = bad_xlsx("工作表的行号无效");
    else if (r <= s->b.n_rows)
        rc = errf(ERR_VALIDATION, "file", "第 %lu 行：行号重复或顺序错误", r);
    else if (r > s->b.lim.max_rows)
        rc = errf(ERR_VALIDATION, "file", "第 %lu 行：超过 %zu 行的上限", r, s->b.lim.max_rows);
    /* Rows Excel leaves out (empty ones) become rows of no cells, so rows[i] is row i + 1. */
    while (!rc && s->b.n_rows + 1 < r)
        rc = tab_builder_end_row(&s->b, (int)s->b.n_rows + 1);
    if (rc) {
        fail(&s->x, rc);
        return;
    }
    s->row = r;
    s->row_depth = s->depth;
    s->next_col = 0;
}

static void open_cell(struct sheet *s, const XML_Char **atts)
{
    const char *ref = attr(atts, "r");
    size_t col = s->next_col;
    enum err rc = ERR_OK;
    if (ref && !parse_ref(ref, &col))
        rc = errf(ERR_VALIDATION, "file", "第 %lu 行：单元格引用无效", s->row);
    else if (col < s->next_col)
        rc = errf(ERR_VALIDATION, "file", "第 %lu 行：单元格重复或顺序错误", s->row);
    else if (col >= s->b.lim.max_cols)
        rc =
            errf(ERR_VALIDATION, "file", "第 %lu 行：超过 %zu 列的上限", s->row, s->b.lim.max_cols);
    if (rc) {
        fail(&s->x, rc);
        return;
    }
    s->col = col;
    s->next_col = col + 1;
    s->type = parse_type(attr(atts, "t"));
    if (!parse_count(attr(atts, "s"), &s->style))
        s->style = 0;
    s->has_value = false;
    s->cell_depth = s->depth;
    sbuf_reset(&s->text);
}

static void close_cell(struct sheet *s)
{
    const char *text = s->text.buf, *value;
    char date[32];
    unsigned long idx;
    if (!s->has_value)
        return;
    if (s->type == CELL_SHARED) {
        if (!parse_count(text, &idx) || idx >= s->sst->n) {
            fail(&s->x, errf(ERR_VALIDATION, "file", "第 %lu 行：共享字符串编号无效", s->row));
            return;
        }
        value = s->sst->strings[idx];
    } else if (s->type == CELL_BOOL && (strcmp(text, "1") == 0 || strcmp(text, "0") == 0)) {
        value = text[0] == '1' ? "TRUE" : "FALSE";
    } else if (s->type == CELL_NUMBER && s->style < s->n_kinds &&
               s->kinds[s->style] != FMT_NUMBER &&
               excel_date(text, (enum fmt_kind)s->kinds[s->style], s->date1904, date)) {
        value = arena_strdup(s->x.a, date);
    } else {
        value = finish_text(s->x.a, text, s->text.len);
    }
    if (!*value)
        return; /* an empty value is no cell: rows end at their last non-empty one */
    enum err rc = tab_builder_set(&s->b, (int)s->row, s->col, value);
    if (rc)
        fail(&s->x, rc);
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct sheet *s = ud;
    const char *el = local(name);
    s->depth++;
    if (!touch(&s->x))
        return;
    if (!s->data_depth) {
        if (strcmp(el, "sheetData") == 0)
            s->data_depth = s->depth;
    } else if (!s->row_depth) {
        if (strcmp(el, "row") == 0 && s->depth == s->data_depth + 1)
            open_row(s, atts);
    } else if (!s->cell_depth) {
        if (strcmp(el, "c") == 0 && s->depth == s->row_depth + 1)
            open_cell(s, atts);
    } else if (strcmp(el, "v") == 0) {
        s->in_v++;
        s->has_value = true;
    } else if (strcmp(el, "is") == 0) {
        s->in_is++;
        s->has_value = true;
    } else if (strcmp(el, "rPh") == 0) {
        s->in_rph++;
    } else if (strcmp(el, "t") == 0 && s->in_is && !s->in_rph) {
        s->in_t++;
    }
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    struct sheet *s = ud;
    const char *el = local(name);
    const int depth = s->depth--;
    if (!touch(&s->x))
        return;
    if (s->cell_depth) {
        if (depth == s->cell_depth) {
            close_cell(s);
            s->cell_depth = 0;
            s->in_v = s->in_is = s->in_t = s->in_rph = 0;
        } else if (strcmp(el, "v") == 0 && s->in_v) {
            s->in_v--;
        } else if (strcmp(el, "is") == 0 && s->in_is) {
            s->in_is--;
        } else if (strcmp(el, "rPh") == 0 && s->in_rph) {
            s->in_rph--;
        } else if (strcmp(el, "t") == 0 && s->in_t) {
            s->in_t--;
        }
    } else if (s->row_depth && depth == s->row_depth) {
        enum err rc = tab_builder_end_row(&s->b, (int)s->row);
        if (rc)
            fail(&s->x, rc);
        s->row_depth = 0;
    } else if (s->data_depth && depth == s->data_depth) {
        s->data_depth = 0;
    }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *text, int len)
{
    struct sheet *s = ud;
    if (!touch(&s->x) || !(s->in_v || s->in_t))
        return;
    if (sbuf_add(&s->text, text, (size_t)len))
        fail(&s->x, errf(ERR_VALIDATION, "file", "第 %lu 行：第 %zu 列超过 %zu 字节的上限", s->row,
                         s->col + 1, s->b.lim.max_cell));
}

/* ---- the workbook as a whole ---- */

struct book {
    zip_t *za;
    struct arena *a;
    const struct tab_limits *lim;
    const char *wb_path, *wb_dir; /* xl/workbook.xml, xl */
    struct workbook wb;
    struct rels rels; /* of the workbook */
    struct sst sst;
    struct styles styles;
};

static void book_release(struct book *bk)
{
    free(bk->wb.sheets);
    free(bk->rels.items);
    free(bk->sst.strings);
    sbuf_release(&bk->sst.text);
    free(bk->styles.fmts);
    free(bk->styles.xf_fmt);
}

/* Finds the workbook part through the package relationships (xl/workbook.xml in practice). */
static enum err find_workbook(struct book *bk)
{
    struct rels root = {0};
    enum err rc = read_rels(bk->za, bk->a, bk->lim, "_rels/.rels", &root);
    const struct rel *doc = rc ? NULL : rel_by_type(&root, "/officeDocument");
    bk->wb_path = doc ? resolve(bk->a, "", doc->target) : "xl/workbook.xml";
    free(root.items);
    if (rc)
        return rc;
    const char *slash = strrchr(bk->wb_path, '/');
    bk->wb_dir = slash ? arena_strndup(bk->a, bk->wb_path, (size_t)(slash - bk->wb_path)) : "";
    return ERR_OK;
}

/* The path of the sheet to read: named, or the first visible worksheet. */
static enum err choose_sheet(struct book *bk, const char *want, const char **path)
{
    const struct rel *first = NULL, *chosen = NULL;
    for (size_t i = 0; i < bk->wb.n && !chosen; i++) {
        const struct sheet_ref *ref = &bk->wb.sheets[i];
        const struct rel *rel = rel_by_id(&bk->rels, ref->rid);
        if (!rel || !ends_with(rel->type, "/worksheet", false))
            continue; /* a chart sheet, a macro sheet */
        if (want) {
            if (strcmp(ref->name, want) == 0)
                chosen = rel;
        } else {
            if (!first)
                first = rel;
            if (!ref->hidden)
                chosen = rel;
        }
    }
    if (!chosen)
        chosen = first;
    if (!chosen)
        return want ? errf(ERR_VALIDATION, "file", "找不到工作表“%s”", want)
                    : bad_xlsx("工作簿中没有工作表");
    *path = resolve(bk->a, bk->wb_dir, chosen->target);
    return ERR_OK;
}

static enum err read_book(struct book *bk, const char *want, const char **sheet_path)
{
    enum err rc = find_workbook(bk);
    if (rc)
        return rc;
    part_init(&bk->wb.x, "工作簿", bk->a, bk->lim, book_start, book_end, NULL);
    rc = parse_part(bk->za, bk->wb_path, false, &bk->wb.x);
    part_release(&bk->wb.x);
    if (rc)
        return rc;
    const char *base = strrchr(bk->wb_path, '/');
    rc = read_rels(bk->za, bk->a, bk->lim,
                   arena_printf(bk->a, "%s%s_rels/%s.rels", bk->wb_dir, *bk->wb_dir ? "/" : "",
                                base ? base + 1 : bk->wb_path),
                   &bk->rels);
    if (rc)
        return rc;
    rc = choose_sheet(bk, want, sheet_path);
    if (rc)
        return rc;

    const struct rel *rel = rel_by_type(&bk->rels, "/sharedStrings");
    sbuf_init(&bk->sst.text, bk->lim->max_cell);
    part_init(&bk->sst.x, "共享字符串表", bk->a, bk->lim, sst_start, sst_end, sst_text);
    rc = parse_part(bk->za, resolve(bk->a, bk->wb_dir, rel ? rel->target : "sharedStrings.xml"),
                    true, &bk->sst.x);
    part_release(&bk->sst.x);
    if (rc)
        return rc;

    rel = rel_by_type(&bk->rels, "/styles");
    part_init(&bk->styles.x, "样式表", bk->a, bk->lim, styles_start, styles_end, NULL);
    rc = parse_part(bk->za, rel ? resolve(bk->a, bk->wb_dir, rel->target) : NULL, true,
                    &bk->styles.x);
    part_release(&bk->styles.x);
    return rc;
}

static enum err read_sheet(struct book *bk, const char *path, struct tab *out)
{
    struct sheet s = {.sst = &bk->sst, .date1904 = bk->wb.date1904};
    s.kinds = style_kinds(&bk->styles, bk->a);
    s.n_kinds = bk->styles.n_xf;
    tab_builder_init(&s.b, bk->a, bk->lim);
    sbuf_init(&s.text, bk->lim->max_cell);
    part_init(&s.x, "工作表", bk->a, bk->lim, sheet_start, sheet_end, sheet_text);
    enum err rc = parse_part(bk->za, path, false, &s.x);
    if (!rc)
        tab_builder_finish(&s.b, out);
    part_release(&s.x);
    tab_builder_release(&s.b);
    sbuf_release(&s.text);
    return rc;
}

enum err xlsx_read(struct arena *a, const void *data, size_t len, const char *sheet,
                   const struct tab_limits *limits, struct tab *out)
{
    struct tab_limits lim;
    tab_limits_resolve(limits, &lim);
    memset(out, 0, sizeof *out);
    if (len > lim.max_bytes)
        return errf(ERR_VALIDATION, "file", "文件超过 %zu 字节的上限", lim.max_bytes);

    if (too_many_entries(data, len))
        return bad_xlsx("压缩包中的文件过多");
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(len ? data : NULL, len, 0, &zerr);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
    zip_error_fini(&zerr);
    if (!za) {
        if (src)
            zip_source_free(src);
        return bad_xlsx(NULL);
    }
    enum err rc;
    struct book bk = {.za = za, .a = a, .lim = &lim};
    const char *path = NULL;
    if (zip_get_num_entries(za, 0) > MAX_ENTRIES) {
        rc = bad_xlsx("压缩包中的文件过多");
        goto out;
    }
    rc = read_book(&bk, sheet, &path);
    if (!rc)
        rc = read_sheet(&bk, path, out);
out:
    book_release(&bk);
    zip_discard(za); /* frees src too */
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

enum err tab_read_auto(struct arena *a, const void *data, size_t len, const char *filename,
                       const struct tab_limits *limits, struct tab *out)
{
    static const char ole2[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    memset(out, 0, sizeof *out);
    if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
        return xlsx_read(a, data, len, NULL, limits, out);
    if ((len >= 8 && memcmp(data, ole2, 8) == 0) || (filename && ends_with(filename, ".xls", true)))
        return errf(ERR_VALIDATION, "file",
                    "不支持旧版 .xls 文件或加密的工作簿，请另存为 .xlsx 或 CSV（UTF-8）");
    if (filename && (ends_with(filename, ".xlsx", true) || ends_with(filename, ".xlsm", true)))
        return bad_xlsx(NULL);
    return csv_read(a, data, len, limits, out);
}
