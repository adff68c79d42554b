/* R8 categories of alerts (202号) from the mapping table, and EVE time arithmetic. Pure: the
 * table comes in as bytes; nothing here touches the database, files or the clock. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "rules.h"

/* The ten categories R8 lists (202号): the mapping must define each of them. */
static const char *const REQUIRED[] = {
    "木马/僵尸网络控制端",
    "钓鱼",
    "恶意程序",
    "漏洞",
    "弱口令",
    "后门",
    "主机受控",
    "数据泄露",
    "网页篡改",
    "其他",
};

static char **strings_of(json_t *arr, size_t *n)
{
    *n = json_is_array(arr) ? json_array_size(arr) : 0;
    char **out = xcalloc(*n ? *n : 1, sizeof *out);
    for (size_t i = 0; i < *n; i++)
        out[i] = xstrdup(json_is_string(json_array_get(arr, i))
                             ? json_string_value(json_array_get(arr, i))
                             : "");
    return out;
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static int category_index(const struct category_map *m, const char *code)
{
    for (size_t i = 0; code && i < m->n_categories; i++)
        if (!strcmp(m->categories[i].code, code))
            return (int)i;
    return -1;
}

static enum err parse_categories(json_t *cats, struct category_map *m)
{
    if (!json_is_array(cats) || json_array_size(cats) == 0)
        return errf(ERR_VALIDATION, "categories", "威胁分类表缺少 categories");
    m->n_categories = json_array_size(cats);
    m->categories = xcalloc(m->n_categories, sizeof *m->categories);
    for (size_t i = 0; i < m->n_categories; i++) {
        json_t *c = json_array_get(cats, i);
        const char *code = json_string_value(json_object_get(c, "code"));
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *group = json_string_value(json_object_get(c, "group"));
        if (!code || !name || strlen(code) >= sizeof m->categories[i].code ||
            strlen(name) >= sizeof m->categories[i].name ||
            (group && strlen(group) >= sizeof m->categories[i].group))
            return errf(ERR_VALIDATION, "categories", "威胁分类表第 %zu 个分类不完整", i + 1);
        snprintf(m->categories[i].code, sizeof m->categories[i].code, "%s", code);
        snprintf(m->categories[i].name, sizeof m->categories[i].name, "%s", name);
        snprintf(m->categories[i].group, sizeof m->categories[i].group, "%s", group ? group : "");
    }
    for (size_t k = 0; k < sizeof REQUIRED / sizeof REQUIRED[0]; k++) {
        size_t i = 0;
        while (i < m->n_categories && strcmp(m->categories[i].name, REQUIRED[k]))
            i++;
        if (i == m->n_categories)
            return errf(ERR_VALIDATION, "categories", "威胁分类表缺少 202号 分类“%s”", REQUIRED[k]);
    }
    return ERR_OK;
}

static enum err parse_rule(json_t *r, size_t i, const struct category_map *m,
                           struct category_rule *rule)
{
    rule->prefixes = strings_of(json_object_get(r, "signature_prefix"), &rule->n_prefixes);
    rule->contains = strings_of(json_object_get(r, "signature_contains"), &rule->n_contains);
    rule->sensor_categories =
        strings_of(json_object_get(r, "sensor_category"), &rule->n_sensor_categories);
    json_t *ids = json_object_get(r, "signature_id");
    rule->n_sid_ranges = json_is_array(ids) ? json_array_size(ids) : 0;
    rule->sid_ranges =
        xcalloc(rule->n_sid_ranges ? rule->n_sid_ranges : 1, sizeof *rule->sid_ranges);
    for (size_t k = 0; k < rule->n_sid_ranges; k++) {
        json_t *v = json_array_get(ids, k);
        if (json_is_integer(v)) {
            rule->sid_ranges[k][0] = rule->sid_ranges[k][1] = json_integer_value(v);
        } else if (json_is_array(v) && json_array_size(v) == 2 &&
                   json_is_integer(json_array_get(v, 0)) && json_is_integer(json_array_get(v, 1))) {
            rule->sid_ranges[k][0] = json_integer_value(json_array_get(v, 0));
            rule->sid_ranges[k][1] = json_integer_value(json_array_get(v, 1));
        } else {
            return errf(ERR_VALIDATION, "rules",
                        "威胁分类表第 %zu 条规则的 signature_id 应为整数或 [起, 止]", i + 1);
        }
    }
    rule->category = category_index(m, json_string_value(json_object_get(r, "category")));
    if (rule->category < 0)
        return errf(ERR_VALIDATION, "rules", "威胁分类表第 %zu 条规则的分类不存在", i + 1);
    return ERR_OK;
}

enum err category_map_parse(const char *json, size_t len, struct category_map *out)
{
    memset(out, 0, sizeof *out);
    json_error_t error;
    json_t *doc = json_loadb(json, len, 0, &error);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return errf(ERR_VALIDATION, "categories", "威胁分类表不是 JSON 对象（第 %d 行）",
                    error.line);
    }
    const char *version = json_string_value(json_object_get(doc, "version"));
    snprintf(out->version, sizeof out->version, "%s", version ? version : "");
    enum err rc = parse_categories(json_object_get(doc, "categories"), out);
    json_t *rules = json_object_get(doc, "rules");
    if (!rc) {
        out->n_rules = json_is_array(rules) ? json_array_size(rules) : 0;
        out->rules = xcalloc(out->n_rules ? out->n_rules : 1, sizeof *out->rules);
    }
    for (size_t i = 0; !rc && i < out->n_rules; i++)
        rc = parse_rule(json_array_get(rules, i), i, out, &out->rules[i]);
    if (!rc) {
        out->fallback = category_index(out, json_string_value(json_object_get(doc, "fallback")));
        if (out->fallback < 0)
            rc = errf(ERR_VALIDATION, "fallback", "威胁分类表缺少 fallback 分类");
    }
    json_decref(doc);
    if (rc)
        category_map_release(out);
    return rc;
}

void category_map_release(struct category_map *m)
{
    for (size_t i = 0; m->rules && i < m->n_rules; i++) {
        struct category_rule *r = &m->rules[i];
        free_strings(r->prefixes, r->n_prefixes);
        free_strings(r->contains, r->n_contains);
        free_strings(r->sensor_categories, r->n_sensor_categories);
        free(r->sid_ranges);
    }
    free(m->rules);
    free(m->categories);
    memset(m, 0, sizeof *m);
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    if (k > n)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)prefix[i]))
            return 0;
    return 1;
}

static int contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i + k <= n; i++)
        if (starts_with(s + i, n - i, needle))
            return 1;
    return 0;
}

static int rule_matches(const struct category_rule *r, long long sid, const char *sig, size_t n,
                        const char *cat, size_t cat_len)
{
    for (size_t i = 0; i < r->n_sid_ranges; i++)
        if (sid >= r->sid_ranges[i][0] && sid <= r->sid_ranges[i][1])
            return 1;
    for (size_t i = 0; i < r->n_prefixes; i++)
        if (starts_with(sig, n, r->prefixes[i]))
            return 1;
    for (size_t i = 0; i < r->n_contains; i++)
        if (contains(sig, n, r->contains[i]))
            return 1;
    for (size_t i = 0; i < r->n_sensor_categories; i++)
        if (strlen(r->sensor_categories[i]) == cat_len &&
            starts_with(cat, cat_len, r->sensor_categories[i]))
            return 1;
    return 0;
}

int category_of(const struct category_map *m, long long signature_id, const char *signature,
                size_t signature_len, const char *sensor_category, size_t sensor_category_len)
{
    if (!signature)
        signature_len = 0;
    if (!sensor_category)
        sensor_category_len = 0;
    for (size_t i = 0; i < m->n_rules; i++)
        if (rule_matches(&m->rules[i], signature_id, signature ? signature : "", signature_len,
                         sensor_category ? sensor_category : "", sensor_category_len))
            return m->rules[i].category;
    return m->fallback;
}

/* Days from 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int num(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int eve_time_parse(const char *s, size_t len, int64_t *us)
{
    int y, mo, d, h, mi, se;
    if (len < 20 || num(s, 4, &y) || s[4] != '-' || num(s + 5, 2, &mo) || s[7] != '-' ||
        num(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || num(s + 11, 2, &h) || s[13] != ':' ||
        num(s + 14, 2, &mi) || s[16] != ':' || num(s + 17, 2, &se))
        return -1;
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        se > 60)
        return -1;
    size_t i = 19;
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        int digits = 0;
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
            if (digits < 6)
                frac = frac * 10 + (s[i] - '0');
        if (digits == 0 || digits > 9)
            return -1;
        for (; digits < 6; digits++)
            frac *= 10;
    }
    int offset = 0;
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int oh, om, sign = s[i] == '-' ? -1 : 1;
        i++;
        if (len - i == 4 && !num(s + i, 2, &oh) && !num(s + i + 2, 2, &om))
            i += 4;
        else if (len - i == 5 && !num(s + i, 2, &oh) && s[i + 2] == ':' && !num(s + i + 3, 2, &om))
            i += 5;
        else
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (i != len)
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    *us = secs * 1000000 + frac;
    return 0;
}

void eve_time_format(int64_t us, char out[40])
{
    int64_t local = us + (int64_t)8 * 3600 * 1000000; /* Asia/Shanghai, no DST since 1991 */
    int64_t secs = local >= 0 ? local / 1000000 : -((-local + 999999) / 1000000);
    int64_t frac = local - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400, y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, 40, "%s",
                 y < 0 ? "0000-01-01T00:00:00.000000+08:00" : "9999-12-31T23:59:59.999999+08:00");
        return;
    }
    /* By hand: this runs for every threat of every batch, and printf is the slow part. */
    static const char TEMPLATE[] = "0000-00-00T00:00:00.000000+08:00";
    memcpy(out, TEMPLATE, sizeof TEMPLATE);
    const struct {
        int pos, width;
        long long v;
    } fields[] = {
        {0, 4, y},         {5, 2, m},    {8, 2, d}, {11, 2, rem / 3600}, {14, 2, rem / 60 % 60},
        {17, 2, rem % 60}, {20, 6, frac}};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        long long v = fields[f].v;
        for (int i = fields[f].width - 1; i >= 0; i--, v /= 10)
            out[fields[f].pos + i] = (char)('0' + v % 10);
    }
}
