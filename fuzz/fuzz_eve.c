/* libFuzzer target of the EVE line scanner (src/threat/eve.c): the scanner and jansson's
 * json_loadb(data, size, 0) read the same bytes and must agree on everything: valid or not,
 * EVE event or not, and every extracted field (present or absent, wrong type, bytes, value).
 * Any difference aborts with a description. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "threat/eve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what, const char *field)
{
    if (!ok) {
        fprintf(stderr, "fuzz_eve: scanner and jansson differ: %s%s%s\n", what, field ? " at " : "",
                field ? field : "");
        abort();
    }
}

/* jansson's value at path (NULL when a step is missing or not an object). */
static json_t *at(json_t *root, const char *const path[2])
{
    json_t *v = json_object_get(root, path[0]);
    if (path[1])
        v = json_is_object(v) ? json_object_get(v, path[1]) : NULL;
    return v;
}

static void compare_fields(json_t *root, const struct eve_event *ev)
{
    for (int f = 0; f < EVE_N_STR; f++) {
        json_t *v = json_is_object(root) ? at(root, eve_str_paths[f]) : NULL;
        const char *name = eve_str_paths[f][1] ? eve_str_paths[f][1] : eve_str_paths[f][0];
        check(((ev->str_wrong >> f) & 1u) == (v && !json_is_string(v)), "wrong-type flag", name);
        if (json_is_string(v)) {
            check(ev->str[f].p != NULL, "string missing", name);
            check(ev->str[f].len == json_string_length(v), "string length", name);
            check(!memcmp(ev->str[f].p, json_string_value(v), ev->str[f].len), "string bytes",
                  name);
        } else {
            check(ev->str[f].p == NULL, "string present", name);
        }
    }
    for (int f = 0; f < EVE_N_NUM; f++) {
        json_t *v = json_is_object(root) ? at(root, eve_num_paths[f]) : NULL;
        const char *name = eve_num_paths[f][1] ? eve_num_paths[f][1] : eve_num_paths[f][0];
        check(((ev->num_wrong >> f) & 1u) == (v && !json_is_integer(v)), "wrong-type flag", name);
        check(eve_has_num(ev, f) == json_is_integer(v), "integer presence", name);
        if (json_is_integer(v))
            check(ev->num[f] == json_integer_value(v), "integer value", name);
    }
    check(ev->alert_object == json_is_object(json_object_get(root, "alert")), "alert object", NULL);
    check(ev->anomaly_object == json_is_object(json_object_get(root, "anomaly")), "anomaly object",
          NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eve_scanner sc;
    struct eve_event ev;
    /* A copy of the exact size, so a read past the end is caught even from the replay. */
    char *line = malloc(size ? size : 1);
    if (!line)
        abort();
    memcpy(line, data, size);
    enum eve_status st = eve_scan(&sc, line, size, &ev);
    json_error_t error;
    json_t *root = json_loadb(line, size, 0, &error);
    if (!root) {
        check(st == EVE_INVALID, "jansson refuses, the scanner accepts", error.text);
        check(ev.reason != NULL && ev.error_offset <= size, "reason of a refusal", NULL);
    } else {
        check(st != EVE_INVALID, "jansson accepts, the scanner refuses", ev.reason);
        int is_event = json_is_object(root) && json_is_string(json_object_get(root, "event_type"));
        check(is_event == (st == EVE_EVENT), "event or not", NULL);
        check(st == EVE_EVENT || ev.reason != NULL, "reason of a non-event", NULL);
        compare_fields(root, &ev);
        json_decref(root);
    }
    free(line);
    return 0;
}
