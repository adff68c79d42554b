/* The EVE line scanner (see eve.h for the contract): a hand-written JSON validator that keeps
 * the fields it is asked for and skips everything else, checking it all the same. Strings are
 * scanned 16 bytes at a time with SSE2 where available (the bytes that stop the scan are '"',
 * '\\', controls and non-ASCII, which one signed compare finds together). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "eve.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { MAX_DEPTH = 2048 }; /* jansson's JSON_PARSER_MAX_DEPTH, counted over values */

const char *const eve_str_paths[EVE_N_STR][2] = {
    [EVE_EVENT_TYPE] = {"event_type", NULL},
    [EVE_TIMESTAMP] = {"timestamp", NULL},
    [EVE_SRC_IP] = {"src_ip", NULL},
    [EVE_DEST_IP] = {"dest_ip", NULL},
    [EVE_PROTO] = {"proto", NULL},
    [EVE_IN_IFACE] = {"in_iface", NULL},
    [EVE_APP_PROTO] = {"app_proto", NULL},
    [EVE_ALERT_SIGNATURE] = {"alert", "signature"},
    [EVE_ALERT_CATEGORY] = {"alert", "category"},
    [EVE_ALERT_ACTION] = {"alert", "action"},
    [EVE_ANOMALY_TYPE] = {"anomaly", "type"},
    [EVE_ANOMALY_EVENT] = {"anomaly", "event"},
    [EVE_ANOMALY_LAYER] = {"anomaly", "layer"},
};

const char *const eve_num_paths[EVE_N_NUM][2] = {
    [EVE_SRC_PORT] = {"src_port", NULL},
    [EVE_DEST_PORT] = {"dest_port", NULL},
    [EVE_FLOW_ID] = {"flow_id", NULL},
    [EVE_ALERT_SIGNATURE_ID] = {"alert", "signature_id"},
    [EVE_ALERT_SEVERITY] = {"alert", "severity"},
};

void eve_scanner_init(struct eve_scanner *sc)
{
    sc->scratch = NULL;
    sc->cap = 0;
}

void eve_scanner_release(struct eve_scanner *sc)
{
    free(sc->scratch);
    eve_scanner_init(sc);
}

struct ctx {
    const char *start, *end;
    char *out; /* next free byte of the scratch buffer (room for the whole line was reserved) */
    struct eve_event *ev;
};

static const char *fail(struct ctx *c, const char *at, const char *reason)
{
    if (!c->ev->reason) {
        c->ev->reason = reason;
        c->ev->error_offset = (size_t)(at - c->start);
    }
    return NULL;
}

static inline const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static inline int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Four hex digits at p (p + 4 <= e checked by the caller); -1 when one is not hex. */
static inline long hex4(const char *p)
{
    int a = hexval((unsigned char)p[0]), b = hexval((unsigned char)p[1]),
        d = hexval((unsigned char)p[2]), f = hexval((unsigned char)p[3]);
    if ((a | b | d | f) < 0)
        return -1;
    return (long)((a << 12) | (b << 8) | (d << 4) | f);
}

/* Length of the valid UTF-8 sequence at p (first byte ≥ 0x80), 0 when invalid. */
static inline size_t utf8_len(const unsigned char *p, const unsigned char *e)
{
    unsigned ch = p[0];
    if (ch < 0xC2)
        return 0; /* a continuation byte, or C0/C1 (overlong ASCII) */
    if (ch < 0xE0)
        return e - p >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (ch < 0xF0) {
        if (e - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((ch == 0xE0 && p[1] < 0xA0) || (ch == 0xED && p[1] >= 0xA0))
            return 0; /* overlong, or a UTF-16 surrogate */
        return 3;
    }
    if (ch < 0xF5) {
        if (e - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((ch == 0xF0 && p[1] < 0x90) || (ch == 0xF4 && p[1] >= 0x90))
            return 0; /* overlong, or past U+10FFFF */
        return 4;
    }
    return 0;
}

/* Checks the escape at p (p[0] == '\\'); returns the byte after it. */
static const char *escape(struct ctx *c, const char *p)
{
    const char *e = c->end;
    if (e - p < 2)
        return fail(c, p, "premature end of input");
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 2;
    case 'u':
        break;
    default:
        return fail(c, p, "invalid escape");
    }
    long v = e - p >= 6 ? hex4(p + 2) : -1;
    if (v < 0)
        return fail(c, p, "invalid escape");
    if (v == 0)
        return fail(c, p, "\\u0000 is not allowed");
    if (v >= 0xDC00 && v <= 0xDFFF)
        return fail(c, p, "invalid Unicode escape (lone low surrogate)");
    if (v < 0xD800 || v > 0xDBFF)
        return p + 6;
    long low = e - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
    if (low < 0xDC00 || low > 0xDFFF)
        return fail(c, p, "invalid Unicode escape (high surrogate without low)");
    return p + 12;
}

/* Scans a string whose opening quote is at p[-1]; returns the byte after the closing quote.
 * *escaped is set when the string holds an escape (so its bytes must be decoded). */
static const char *string(struct ctx *c, const char *p, int *escaped)
{
    const char *e = c->end;
    unsigned char ch;
    for (;;) {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                      space = _mm_set1_epi8(0x20);
        while (e - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i m =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                             _mm_cmplt_epi8(v, space)); /* signed: also ≥ 0x80 */
            int mask = _mm_movemask_epi8(m);
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                goto stop;
            }
            p += 16;
        }
#endif
        /* The scalar tail: stop at controls and non-ASCII (both wrap past 0x5f), '"' and '\\'. */
        while (p < e && (unsigned char)(*p - 0x20) < 0x60 && *p != '"' && *p != '\\')
            p++;
        if (p >= e)
            return fail(c, p, "premature end of input in a string");
#if defined(__SSE2__)
    stop:
#endif
        ch = (unsigned char)*p;
        if (ch == '"')
            return p + 1;
        if (ch == '\\') {
            *escaped = 1;
            if (!(p = escape(c, p)))
                return NULL;
        } else if (ch < 0x20) {
            return fail(c, p, "control character in a string");
        } else {
            size_t n = utf8_len((const unsigned char *)p, (const unsigned char *)e);
            if (!n)
                return fail(c, p, "invalid UTF-8");
            p += n;
        }
    }
}

/* Decodes the (already checked) string body s..t into the scratch buffer. */
static struct eve_str decode(struct ctx *c, const char *s, const char *t)
{
    char *o = c->out, *start = o;
    while (s < t) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        char ch = s[1];
        s += 2;
        switch (ch) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            unsigned long v = (unsigned long)hex4(s);
            s += 4;
            if (v >= 0xD800 && v <= 0xDBFF) {
                v = 0x10000 + ((v - 0xD800) << 10) + ((unsigned long)hex4(s + 2) - 0xDC00);
                s += 6;
            }
            if (v < 0x80) {
                *o++ = (char)v;
            } else if (v < 0x800) {
                *o++ = (char)(0xC0 | (v >> 6));
                *o++ = (char)(0x80 | (v & 0x3F));
            } else if (v < 0x10000) {
                *o++ = (char)(0xE0 | (v >> 12));
                *o++ = (char)(0x80 | ((v >> 6) & 0x3F));
                *o++ = (char)(0x80 | (v & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (v >> 18));
                *o++ = (char)(0x80 | ((v >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((v >> 6) & 0x3F));
                *o++ = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default: /* '"', '\\', '/' */
            *o++ = ch;
        }
    }
    c->out = o;
    return (struct eve_str){start, (size_t)(o - start)};
}

/* A string value or key at p (p[0] == '"'): *out gets its decoded bytes. */
static const char *string_value(struct ctx *c, const char *p, struct eve_str *out)
{
    int escaped = 0;
    const char *t = string(c, p + 1, &escaped);
    if (!t)
        return NULL;
    if (escaped)
        *out = decode(c, p + 1, t - 1);
    else
        *out = (struct eve_str){p + 1, (size_t)(t - 1 - (p + 1))};
    return t;
}

/* strtod on a copy of s..t (the line has no terminator): does the value round to infinity? */
static int strtod_overflows(const char *s, const char *t)
{
    char small[64], *copy = small;
    size_t n = (size_t)(t - s);
    if (n >= sizeof small)
        copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    errno = 0;
    double v = strtod(copy, NULL);
    int over = errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL);
    if (copy != small)
        free(copy);
    return over;
}

/* jansson reads one byte past a number or a literal and puts it back; a NUL byte put back is
 * lost (its stream buffer takes NUL for "empty"), so one NUL right after a number or a literal
 * is skipped, as jansson does. */
static inline const char *after_token(const char *p, const char *e)
{
    return p < e && *p == '\0' ? p + 1 : p;
}

/* A real number's text overflows a double (jansson refuses those); s..t is a checked real. */
static int real_overflows(const char *s, const char *t, size_t int_digits, const char *exp)
{
    if (!exp)
        return int_digits > 308 && strtod_overflows(s, t);
    long ev = 0;
    const char *q = exp + 1;
    int neg = *q == '-';
    if (*q == '-' || *q == '+')
        q++;
    for (; q < t && ev < 100000; q++)
        ev = ev * 10 + (*q - '0');
    /* The value is below 10^(integer digits + exponent): past 10^308, ask strtod. */
    if ((long)int_digits + (neg ? -ev : ev) <= 308)
        return 0;
    return strtod_overflows(s, t);
}

/* A number at p. *is_int tells an integer from a real; *value gets an integer's value (value
 * may be NULL when the number is only checked). */
static const char *number(struct ctx *c, const char *p, int *is_int, long long *value)
{
    const char *e = c->end, *s = p;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    const char *digits = p;
    if (p < e && *p == '0') {
        p++;
        if (p < e && (unsigned)(*p - '0') < 10)
            return fail(c, p, "invalid number (leading zero)");
    } else if (p < e && (unsigned)(*p - '0') < 10) {
        while (p < e && (unsigned)(*p - '0') < 10)
            p++;
    } else {
        return fail(c, p, "invalid number");
    }
    size_t n_digits = (size_t)(p - digits);
    if (p < e && (*p == '.' || *p == 'e' || *p == 'E')) {
        const char *exp = NULL;
        if (*p == '.') {
            p++;
            if (p >= e || (unsigned)(*p - '0') >= 10)
                return fail(c, p, "invalid number (no digit after '.')");
            while (p < e && (unsigned)(*p - '0') < 10)
                p++;
        }
        if (p < e && (*p == 'e' || *p == 'E')) {
            exp = p++;
            if (p < e && (*p == '+' || *p == '-'))
                p++;
            if (p >= e || (unsigned)(*p - '0') >= 10)
                return fail(c, p, "invalid number (no digit in the exponent)");
            while (p < e && (unsigned)(*p - '0') < 10)
                p++;
        }
        if (real_overflows(s, p, n_digits, exp))
            return fail(c, s, "real number overflow");
        *is_int = 0;
        return after_token(p, e);
    }
    if (n_digits > 19)
        return fail(c, s, "integer out of range");
    *is_int = 1;
    if (!value && n_digits < 19)
        return after_token(p, e); /* skipped, and within range whatever the digits */
    uint64_t v = 0;
    for (const char *q = digits; q < p; q++)
        v = v * 10 + (uint64_t)(*q - '0');
    if (n_digits == 19 && v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return fail(c, s, "integer out of range");
    if (value)
        *value = neg ? (long long)(0 - v) : (long long)v;
    return after_token(p, e);
}

static const char *literal(struct ctx *c, const char *p)
{
    size_t left = (size_t)(c->end - p);
    if (left >= 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4)))
        return after_token(p + 4, c->end);
    if (left >= 5 && !memcmp(p, "false", 5))
        return after_token(p + 5, c->end);
    return fail(c, p, "invalid token");
}

/* Skips (and checks) the container at p whose own depth is depth. */
static const char *container(struct ctx *c, const char *p, int depth)
{
    const char *e = c->end;
    unsigned char stack[MAX_DEPTH + 1];
    int sp = 0;
    int is_int;
    stack[sp++] = (unsigned char)*p++;
open:
    p = ws(p, e);
    if (p >= e)
        return fail(c, p, "premature end of input");
    if (stack[sp - 1] == '{') {
        if (*p == '}')
            goto close;
        goto key;
    }
    if (*p == ']')
        goto close;
    goto value;
key:
    if (*p != '"')
        return fail(c, p, "string or '}' expected");
    {
        int escaped;
        if (!(p = string(c, p + 1, &escaped)))
            return NULL;
    }
    p = ws(p, e);
    if (p >= e || *p != ':')
        return fail(c, p, "':' expected");
    p = ws(p + 1, e);
    if (p >= e)
        return fail(c, p, "premature end of input");
value:
    if (depth + sp > MAX_DEPTH)
        return fail(c, p, "maximum parsing depth reached");
    switch (*p) {
    case '{':
    case '[':
        stack[sp++] = (unsigned char)*p++;
        goto open;
    case '"': {
        int escaped;
        p = string(c, p + 1, &escaped);
        break;
    }
    case 't':
    case 'f':
    case 'n':
        p = literal(c, p);
        break;
    default:
        if (*p == '-' || (unsigned)(*p - '0') < 10)
            p = number(c, p, &is_int, NULL);
        else
            p = fail(c, p, "unexpected token");
    }
    if (!p)
        return NULL;
    p = ws(p, e);
    if (p >= e)
        return fail(c, p, "premature end of input");
    if (*p == ',') {
        p = ws(p + 1, e);
        if (p >= e)
            return fail(c, p, "premature end of input");
        if (stack[sp - 1] == '{')
            goto key;
        goto value;
    }
    if (*p != (stack[sp - 1] == '{' ? '}' : ']'))
        return fail(c, p, stack[sp - 1] == '{' ? "',' or '}' expected" : "',' or ']' expected");
close:
    p++;
    if (--sp == 0)
        return p;
    p = ws(p, e);
    if (p >= e)
        return fail(c, p, "premature end of input");
    if (*p == ',') {
        p = ws(p + 1, e);
        if (p >= e)
            return fail(c, p, "premature end of input");
        if (stack[sp - 1] == '{')
            goto key;
        goto value;
    }
    if (*p != (stack[sp - 1] == '{' ? '}' : ']'))
        return fail(c, p, stack[sp - 1] == '{' ? "',' or '}' expected" : "',' or ']' expected");
    goto close;
}

/* Any value at p, at the given depth; the kind found is returned through the pointers. */
enum kind { K_OTHER, K_STRING, K_INT };

static const char *value(struct ctx *c, const char *p, int depth, enum kind *kind,
                         struct eve_str *str, long long *num)
{
    *kind = K_OTHER;
    switch (*p) {
    case '"':
        *kind = K_STRING;
        return string_value(c, p, str);
    case '{':
    case '[':
        return container(c, p, depth);
    case 't':
    case 'f':
    case 'n':
        return literal(c, p);
    default:
        if (*p == '-' || (unsigned)(*p - '0') < 10) {
            int is_int;
            const char *t = number(c, p, &is_int, num);
            if (t && is_int)
                *kind = K_INT;
            return t;
        }
        return fail(c, p, "unexpected token");
    }
}

/* A value we do not keep, checked only. */
static const char *skip(struct ctx *c, const char *p, int depth)
{
    int escaped, is_int;
    switch (*p) {
    case '"':
        return string(c, p + 1, &escaped);
    case '{':
    case '[':
        return container(c, p, depth);
    case 't':
    case 'f':
    case 'n':
        return literal(c, p);
    default:
        if (*p == '-' || (unsigned)(*p - '0') < 10)
            return number(c, p, &is_int, NULL);
        return fail(c, p, "unexpected token");
    }
}

/* What a key names: a string field, a number field, a sub-object, or nothing we keep. */
enum target { T_NONE, T_STR, T_NUM, T_ALERT, T_ANOMALY };

struct key_map {
    const char *name;
    unsigned char len, target, field;
};

static const struct key_map TOP_KEYS[] = {
    {"event_type", 10, T_STR, EVE_EVENT_TYPE},
    {"timestamp", 9, T_STR, EVE_TIMESTAMP},
    {"src_ip", 6, T_STR, EVE_SRC_IP},
    {"dest_ip", 7, T_STR, EVE_DEST_IP},
    {"proto", 5, T_STR, EVE_PROTO},
    {"in_iface", 8, T_STR, EVE_IN_IFACE},
    {"app_proto", 9, T_STR, EVE_APP_PROTO},
    {"src_port", 8, T_NUM, EVE_SRC_PORT},
    {"dest_port", 9, T_NUM, EVE_DEST_PORT},
    {"flow_id", 7, T_NUM, EVE_FLOW_ID},
    {"alert", 5, T_ALERT, 0},
    {"anomaly", 7, T_ANOMALY, 0},
    {NULL, 0, 0, 0},
};

static const struct key_map ALERT_KEYS[] = {
    {"signature", 9, T_STR, EVE_ALERT_SIGNATURE},
    {"category", 8, T_STR, EVE_ALERT_CATEGORY},
    {"action", 6, T_STR, EVE_ALERT_ACTION},
    {"signature_id", 12, T_NUM, EVE_ALERT_SIGNATURE_ID},
    {"severity", 8, T_NUM, EVE_ALERT_SEVERITY},
    {NULL, 0, 0, 0},
};

static const struct key_map ANOMALY_KEYS[] = {
    {"type", 4, T_STR, EVE_ANOMALY_TYPE},
    {"event", 5, T_STR, EVE_ANOMALY_EVENT},
    {"layer", 5, T_STR, EVE_ANOMALY_LAYER},
    {NULL, 0, 0, 0},
};

static const struct key_map *lookup(const struct key_map *map, struct eve_str key)
{
    for (; map->name; map++)
        if (map->len == key.len && map->name[0] == key.p[0] && !memcmp(map->name, key.p, key.len))
            return map;
    return NULL;
}

static void clear_str(struct eve_event *ev, int f)
{
    ev->str[f].p = NULL;
    ev->str[f].len = 0;
    ev->str_wrong &= ~(1u << f);
}

static void clear_num(struct eve_event *ev, int f)
{
    ev->num[f] = 0;
    ev->num_present &= ~(1u << f);
    ev->num_wrong &= ~(1u << f);
}

/* Clears the fields that live under a sub-object (the key appeared again: the last one wins). */
static void clear_group(struct eve_event *ev, const struct key_map *map)
{
    for (; map->name; map++)
        if (map->target == T_STR)
            clear_str(ev, map->field);
        else
            clear_num(ev, map->field);
}

static const char *object(struct ctx *c, const char *p, int depth, const struct key_map *keys);

/* The value of one member whose key maps to m (NULL: a member we skip). */
static const char *member(struct ctx *c, const char *p, int depth, const struct key_map *m)
{
    struct eve_event *ev = c->ev;
    enum kind kind;
    struct eve_str str;
    long long num;
    if (!m)
        return skip(c, p, depth);
    switch (m->target) {
    case T_STR:
        clear_str(ev, m->field);
        if (!(p = value(c, p, depth, &kind, &str, &num)))
            return NULL;
        if (kind == K_STRING)
            ev->str[m->field] = str;
        else
            ev->str_wrong |= 1u << m->field;
        return p;
    case T_NUM:
        clear_num(ev, m->field);
        if (!(p = value(c, p, depth, &kind, &str, &num)))
            return NULL;
        if (kind == K_INT) {
            ev->num[m->field] = num;
            ev->num_present |= 1u << m->field;
        } else {
            ev->num_wrong |= 1u << m->field;
        }
        return p;
    default: {
        const struct key_map *sub = m->target == T_ALERT ? ALERT_KEYS : ANOMALY_KEYS;
        int *is_object = m->target == T_ALERT ? &ev->alert_object : &ev->anomaly_object;
        clear_group(ev, sub);
        *is_object = *p == '{';
        if (*p == '{')
            return object(c, p, depth, sub);
        return skip(c, p, depth);
    }
    }
}

/* An object at p (depth given) whose members named in keys are extracted; keys of the
 * sub-objects are only looked for at the top level. */
static const char *object(struct ctx *c, const char *p, int depth, const struct key_map *keys)
{
    const char *e = c->end;
    p = ws(p + 1, e);
    if (p < e && *p == '}')
        return p + 1;
    for (;;) {
        if (p >= e || *p != '"')
            return fail(c, p, "string or '}' expected");
        struct eve_str key;
        if (!(p = string_value(c, p, &key)))
            return NULL;
        p = ws(p, e);
        if (p >= e || *p != ':')
            return fail(c, p, "':' expected");
        p = ws(p + 1, e);
        if (p >= e)
            return fail(c, p, "premature end of input");
        if (depth + 1 > MAX_DEPTH)
            return fail(c, p, "maximum parsing depth reached");
        const struct key_map *m = key.len ? lookup(keys, key) : NULL;
        if (!(p = member(c, p, depth + 1, m)))
            return NULL;
        p = ws(p, e);
        if (p >= e)
            return fail(c, p, "premature end of input");
        if (*p == '}')
            return p + 1;
        if (*p != ',')
            return fail(c, p, "',' or '}' expected");
        p = ws(p + 1, e);
    }
}

enum eve_status eve_scan(struct eve_scanner *sc, const char *line, size_t len, struct eve_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (sc->cap < len + 1) {
        /* Decoded strings are never longer than their source: the line's length is enough, so
         * pointers into the buffer stay valid for the whole scan. */
        free(sc->scratch);
        sc->cap = len + 1 > 4096 ? len + 1 : 4096;
        sc->scratch = xmalloc(sc->cap);
    }
    struct ctx c = {line, line + len, sc->scratch, ev};
    const char *p = ws(line, c.end);
    if (p >= c.end || (*p != '{' && *p != '[')) {
        fail(&c, p, "'[' or '{' expected");
        return EVE_INVALID;
    }
    int is_object = *p == '{';
    p = is_object ? object(&c, p, 1, TOP_KEYS) : container(&c, p, 1);
    if (!p)
        return EVE_INVALID;
    p = ws(p, c.end);
    if (p != c.end) {
        fail(&c, p, "end of input expected");
        return EVE_INVALID;
    }
    if (!is_object) {
        memset(ev, 0, sizeof *ev);
        ev->reason = "not an object";
        return EVE_NOT_EVENT;
    }
    if (!ev->str[EVE_EVENT_TYPE].p) {
        ev->reason =
            ev->str_wrong & (1u << EVE_EVENT_TYPE) ? "event_type is not a string" : "no event_type";
        return EVE_NOT_EVENT;
    }
    return EVE_EVENT;
}
