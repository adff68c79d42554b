/* JSON helpers over jansson: parsing request bodies with a field specification that names the
 * field at fault (type, required, length, range, unknown fields), and small accessors. */
#ifndef FANGHU_JSON_H
#define FANGHU_JSON_H
#include <jansson.h>
#include <stddef.h>

#include "err.h"

enum jtype { JT_STRING, JT_INT, JT_BOOL, JT_ARRAY, JT_OBJECT, JT_ID, JT_DATE, JT_TIME };

struct jfield {
    const char *name;
    enum jtype type;
    int required;       /* 1: must be present and not null (and not "" for strings) */
    size_t max_len;     /* strings: max length in bytes (0 = 255); arrays: max items (0 = 100) */
    long long min, max; /* JT_INT range (both 0 = no range) */
    const char *label;  /* Chinese name of the field for messages */
};

/* Parses body (len bytes) into an object. ERR_BAD_JSON with the position when it is not a JSON
 * object. The caller owns *out (json_decref). */
enum err json_parse_object(const char *body, size_t len, json_t **out);

/* Checks obj against fields (terminated by a {NULL} entry): every key must be listed
 * (ERR_UNKNOWN_FIELD), types must match, required fields present, strings within max_len and
 * free of control characters, ints within range. Null is accepted for optional fields. */
enum err json_check(json_t *obj, const struct jfield *fields);

/* Accessors: NULL / fallback when absent, null or of another type. */
const char *json_str(json_t *obj, const char *key);
long long json_int(json_t *obj, const char *key, long long fallback);
int json_has(json_t *obj, const char *key); /* present, null included */

/* Serialises compactly, reals with 17 significant digits trimmed; the caller frees. */
char *json_dump(const json_t *v);
/* Canonical bytes (sorted keys, compact) for hashing; the caller frees. */
char *json_canonical(const json_t *v);

/* json_string or json_null for NULL. */
json_t *json_str_or_null(const char *s);
/* Strict decimal id: "123" → 123; anything else (signs, spaces, overflow) → -1. */
long long id_parse(const char *s);

#endif
