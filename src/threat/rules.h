/* Threat rules without I/O (R8): the 工信部网安〔2017〕202号 category of a sensor alert, from the
 * mapping table data/threat-categories.json (data, versioned, with its source), and the EVE
 * timestamp arithmetic the pipeline needs. */
#ifndef FANGHU_THREAT_RULES_H
#define FANGHU_THREAT_RULES_H
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The ten categories of R8 (202号): code and Chinese name. */
struct threat_category {
    char code[32];
    char name[64];
    char group[64]; /* 恶意网络资源, 恶意程序, 安全隐患, 安全事件, 其他 */
};

/* One mapping rule: it matches when any of its conditions does. */
struct category_rule {
    char **prefixes; /* signature starts with one of these (ASCII case ignored) */
    size_t n_prefixes;
    char **contains; /* signature contains one of these (ASCII case ignored) */
    size_t n_contains;
    char **sensor_categories; /* Suricata classtype description equals one (case ignored) */
    size_t n_sensor_categories;
    long long (*sid_ranges)[2]; /* signature_id within one of these closed ranges */
    size_t n_sid_ranges;
    int category; /* index into categories */
};

struct category_map {
    char version[64];
    struct threat_category *categories;
    size_t n_categories;
    struct category_rule *rules;
    size_t n_rules;
    int fallback; /* the category when no rule matches (其他) */
};

/* Parses the mapping (JSON, see data/threat-categories.json). Every rule must name a known
 * category; the ten R8 categories must all be there. Errors: ERR_VALIDATION naming the rule. */
enum err category_map_parse(const char *json, size_t len, struct category_map *out);
void category_map_release(struct category_map *m);

/* The category of an alert: the first rule that matches, else the fallback. Strings are
 * len-bounded (no terminator needed). Returns an index into m->categories. */
int category_of(const struct category_map *m, long long signature_id, const char *signature,
                size_t signature_len, const char *sensor_category, size_t sensor_category_len);

/* An EVE timestamp ("2022-01-25T21:38:21.448899+0000"; the offset may also be "+00:00" or "Z",
 * the fraction has 0 to 9 digits) as microseconds since 1970 UTC; -1 when it is not one. Years
 * 1900..9999. */
int eve_time_parse(const char *s, size_t len, int64_t *us);
/* Microseconds since 1970 as "2022-01-26T05:38:21.448899+08:00" (Asia/Shanghai, the fraction
 * always six digits, so that the texts sort as the times do). out holds 40 bytes. */
void eve_time_format(int64_t us, char out[40]);

#endif
