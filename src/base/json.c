/* Request-body validation against a field table, so every handler reports errors the same way. */
#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "date.h"
#include "json.h"
#include "timeutil.h"

enum err json_parse_object(const char *body, size_t len, json_t **out)
{
    json_error_t jerr;
    json_t *v = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return errf(ERR_BAD_JSON, NULL, "请求体不是合法的 JSON（第 %d 行第 %d 列）", jerr.line,
                    jerr.column);
    if (!json_is_object(v)) {
        json_decref(v);
        return errf(ERR_BAD_JSON, NULL, "请求体必须是 JSON 对象");
    }
    *out = v;
    return ERR_OK;
}

static const struct jfield *find(const struct jfield *fields, const char *key)
{
    for (const struct jfield *f = fields; f->name; f++)
        if (!strcmp(f->name, key))
            return f;
    return NULL;
}

static int has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return 1;
    return 0;
}

/* Only white space, ASCII or the ideographic space U+3000 (what a Chinese IME types). */
static int is_blank(const char *s)
{
    for (;;) {
        s += strspn(s, " \t\r\n");
        if (!strncmp(s, "\xe3\x80\x80", 3))
            s += 3;
        else
            return !*s;
    }
}

static const char *label(const struct jfield *f)
{
    return f->label ? f->label : f->name;
}

static enum err check_one(const struct jfield *f, json_t *v)
{
    switch (f->type) {
    case JT_STRING:
    case JT_ID:
    case JT_DATE:
    case JT_TIME: {
        if (!json_is_string(v))
            return errf(ERR_VALIDATION, f->name, "%s 应为字符串", label(f));
        const char *s = json_string_value(v);
        size_t max = f->max_len ? f->max_len : 255;
        if (json_string_length(v) != strlen(s) || has_control(s))
            return errf(ERR_VALIDATION, f->name, "%s 含有不允许的控制字符", label(f));
        if (strlen(s) > max)
            return errf(ERR_VALIDATION, f->name, "%s 过长（最多 %zu 字节）", label(f), max);
        if (f->required && is_blank(s))
            return errf(ERR_VALIDATION, f->name, "%s 不能为空", label(f));
        struct date d;
        time_t t;
        if (f->type == JT_ID && id_parse(s) < 0)
            return errf(ERR_VALIDATION, f->name, "%s 不是合法的编号", label(f));
        if (f->type == JT_DATE && *s && date_parse(s, &d))
            return errf(ERR_VALIDATION, f->name, "%s 应为 YYYY-MM-DD 格式的日期", label(f));
        if (f->type == JT_TIME && *s && time_parse_iso(s, &t))
            return errf(ERR_VALIDATION, f->name, "%s 应为 ISO 8601 时间", label(f));
        return ERR_OK;
    }
    case JT_INT:
        if (!json_is_integer(v))
            return errf(ERR_VALIDATION, f->name, "%s 应为整数", label(f));
        if ((f->min || f->max) &&
            (json_integer_value(v) < f->min || json_integer_value(v) > f->max))
            return errf(ERR_VALIDATION, f->name, "%s 应在 %lld 至 %lld 之间", label(f), f->min,
                        f->max);
        return ERR_OK;
    case JT_BOOL:
        if (!json_is_boolean(v))
            return errf(ERR_VALIDATION, f->name, "%s 应为布尔值", label(f));
        return ERR_OK;
    case JT_ARRAY:
        if (!json_is_array(v))
            return errf(ERR_VALIDATION, f->name, "%s 应为数组", label(f));
        if (json_array_size(v) > (f->max_len ? f->max_len : 100))
            return errf(ERR_VALIDATION, f->name, "%s 条目过多", label(f));
        return ERR_OK;
    case JT_OBJECT:
        if (!json_is_object(v))
            return errf(ERR_VALIDATION, f->name, "%s 应为对象", label(f));
        return ERR_OK;
    }
    return ERR_INTERNAL;
}

enum err json_check(json_t *obj, const struct jfield *fields)
{
    const char *key;
    json_t *v;
    json_object_foreach (obj, key, v) {
        const struct jfield *f = find(fields, key);
        if (!f)
            return errf(ERR_UNKNOWN_FIELD, key, "不允许的字段：%s", key);
        if (json_is_null(v)) {
            if (f->required)
                return errf(ERR_VALIDATION, f->name, "%s 不能为空", label(f));
            continue;
        }
        enum err rc = check_one(f, v);
        if (rc)
            return rc;
    }
    for (const struct jfield *f = fields; f->name; f++)
        if (f->required == 1 && !json_object_get(obj, f->name))
            return errf(ERR_VALIDATION, f->name, "缺少必填字段：%s", label(f));
    return ERR_OK;
}

const char *json_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

long long json_int(json_t *obj, const char *key, long long fallback)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : fallback;
}

int json_has(json_t *obj, const char *key)
{
    return json_object_get(obj, key) != NULL;
}

/* A direct serialiser: jansson's json_dumps spends most of a list response's time in small
 * callbacks; this walks the same values into one growing buffer, copying runs of plain bytes.
 * Output is the same as json_dumps(JSON_COMPACT): keys in insertion order, UTF-8 unescaped,
 * control characters, quote and backslash escaped, reals as %.15g with ".0" when integral. */
struct out {
    char *buf;
    size_t len, cap;
};

static void need(struct out *o, size_t n)
{
    if (o->len + n + 1 <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : 1024;
    while (cap < o->len + n + 1)
        cap *= 2;
    o->buf = xrealloc(o->buf, cap);
    o->cap = cap;
}

static void put(struct out *o, const char *s, size_t n)
{
    need(o, n);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_string(struct out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    need(o, n + 2);
    o->buf[o->len++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(o, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        put(o, esc, k);
    }
    put(o, s + run, n - run);
    put(o, "\"", 1);
}

static void put_value(struct out *o, const json_t *v)
{
    char num[40];
    int n;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put(o, "{", 1);
        int first = 1;
        for (void *it = json_object_iter((json_t *)(uintptr_t)v); it;
             it = json_object_iter_next((json_t *)(uintptr_t)v, it)) {
            if (!first)
                put(o, ",", 1);
            first = 0;
            const char *key = json_object_iter_key(it);
            put_string(o, key, strlen(key));
            put(o, ":", 1);
            put_value(o, json_object_iter_value(it));
        }
        put(o, "}", 1);
        break;
    }
    case JSON_ARRAY:
        put(o, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                put(o, ",", 1);
            put_value(o, json_array_get(v, i));
        }
        put(o, "]", 1);
        break;
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(o, num, (size_t)n);
        break;
    case JSON_REAL:
        n = snprintf(num, sizeof num, "%.15g", json_real_value(v));
        put(o, num, (size_t)n);
        if (!strpbrk(num, ".eni"))
            put(o, ".0", 2);
        break;
    case JSON_TRUE:
        put(o, "true", 4);
        break;
    case JSON_FALSE:
        put(o, "false", 5);
        break;
    case JSON_NULL:
        put(o, "null", 4);
        break;
    }
}

char *json_dump(const json_t *v)
{
    struct out o = {NULL, 0, 0};
    put_value(&o, v);
    need(&o, 1);
    o.buf[o.len] = '\0';
    return o.buf;
}

char *json_canonical(const json_t *v)
{
    char *s =
        json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
    if (!s)
        die_oom();
    return s;
}

json_t *json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

long long id_parse(const char *s)
{
    if (!s || !*s || strlen(s) > 18)
        return -1;
    long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (s[0] == '0' && s[1])
        return -1;
    return v;
}
