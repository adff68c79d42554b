/* Suricata EVE JSON line scanner: validates one line as JSON and picks out the few fields the
 * threat pipeline uses, in one pass, without building a tree.
 *
 * Reference semantics: jansson's json_loadb(line, len, 0, &error) — flags 0, so duplicate keys
 * are accepted and the last one wins (JSON_REJECT_DUPLICATES is not used: Suricata never writes
 * duplicates, and refusing a line a mainstream parser reads would lose events for nothing). The
 * scanner accepts exactly the lines jansson accepts and extracts the values jansson would hold:
 *   - the top level must be an object or an array (jansson without JSON_DECODE_ANY);
 *   - the whole line is valid UTF-8 (overlong forms, surrogates, > U+10FFFF refused);
 *   - strings: no raw control characters, escapes \" \\ \/ \b \f \n \r \t \uXXXX, surrogate pairs
 *     combined, lone surrogates refused, \u0000 refused (jansson without JSON_ALLOW_NUL);
 *   - integers must fit in a signed 64-bit value (jansson refuses the document otherwise); reals
 *     that overflow a double are refused, ones that underflow are accepted;
 *   - at most 2048 nested values (jansson's JSON_PARSER_MAX_DEPTH, scalars included);
 *   - only space, tab, CR and LF count as white space; nothing but white space after the value;
 *   - one NUL byte right after a number or a literal is skipped: jansson's lexer reads a byte
 *     ahead there and loses it when it is NUL (found by fuzzing against jansson 2.14).
 * A field is present when its (last) value has the expected type: a string field holding a
 * number is absent, and its bit is set in str_wrong (num_wrong for numbers). */
#ifndef FANGHU_THREAT_EVE_H
#define FANGHU_THREAT_EVE_H
#include <stddef.h>

enum eve_status {
    EVE_EVENT,     /* a JSON object with a string event_type */
    EVE_NOT_EVENT, /* valid JSON, but not an EVE event (reason says why) */
    EVE_INVALID,   /* not valid JSON (reason and error_offset say where) */
};

/* String fields, in order; eve_str_paths[] names them. */
enum eve_str_field {
    EVE_EVENT_TYPE,
    EVE_TIMESTAMP,
    EVE_SRC_IP,
    EVE_DEST_IP,
    EVE_PROTO,
    EVE_IN_IFACE,
    EVE_APP_PROTO,
    EVE_ALERT_SIGNATURE,
    EVE_ALERT_CATEGORY,
    EVE_ALERT_ACTION,
    EVE_ANOMALY_TYPE,
    EVE_ANOMALY_EVENT,
    EVE_ANOMALY_LAYER,
    EVE_N_STR
};

/* Integer fields, in order; eve_num_paths[] names them. */
enum eve_num_field {
    EVE_SRC_PORT,
    EVE_DEST_PORT,
    EVE_FLOW_ID,
    EVE_ALERT_SIGNATURE_ID,
    EVE_ALERT_SEVERITY,
    EVE_N_NUM
};

struct eve_str {
    const char *p; /* NULL when absent; otherwise len bytes, valid UTF-8, no NUL inside */
    size_t len;
};

struct eve_event {
    struct eve_str str[EVE_N_STR];
    long long num[EVE_N_NUM];
    unsigned num_present; /* bit (1u << field) */
    unsigned str_wrong;   /* the key was there with a value of another type */
    unsigned num_wrong;
    int alert_object;    /* "alert" is an object */
    int anomaly_object;  /* "anomaly" is an object */
    const char *reason;  /* EVE_NOT_EVENT, EVE_INVALID: a static English phrase */
    size_t error_offset; /* EVE_INVALID: byte offset of the fault */
};

/* Path of each field: {"alert", "signature"} or {"event_type", NULL}. */
extern const char *const eve_str_paths[EVE_N_STR][2];
extern const char *const eve_num_paths[EVE_N_NUM][2];

/* Holds the buffer that unescaped strings are written to; reuse one scanner per thread. */
struct eve_scanner {
    char *scratch;
    size_t cap;
};

void eve_scanner_init(struct eve_scanner *sc);
void eve_scanner_release(struct eve_scanner *sc);

/* Scans line[0..len) (no terminator needed; the bytes are not changed). The strings of ev point
 * into line or into the scanner's scratch buffer and stay valid until the next eve_scan on sc
 * or until line changes. Fields are filled for EVE_EVENT and EVE_NOT_EVENT alike. */
enum eve_status eve_scan(struct eve_scanner *sc, const char *line, size_t len,
                         struct eve_event *ev);

static inline int eve_has_num(const struct eve_event *ev, enum eve_num_field f)
{
    return (ev->num_present >> f) & 1u;
}

#endif
