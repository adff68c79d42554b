/* Threat notices and sharing (R8 通报 → 处置反馈 → 核验关闭; seed 000 §六, seed 004 第十条).
 *
 * A regulator (for organisations in its jurisdiction) or an operator's security team (for its
 * own tree) issues a notice from one or more threats with a deadline; with the fan-out
 * ("一处发现、全网处置") it goes to every organisation in the issuer's scope whose threats show
 * the same indicator. Each recipient has its own status:
 *   issued → acknowledged → feedback_submitted → closed
 *                 ↑                 │ reopened (with a reason)
 *                 └─────────────────┘
 * A recipient not closed by the deadline is 逾期未整改: it is on the issuer's overdue board and
 * its duty (subject "notice") is overdue. Every transition is audited and refreshes the duties.
 *
 * The workflow functions run inside the caller's write transaction; access checks (who may act)
 * are the HTTP layer's. Sharing: threats as a STIX 2.1 bundle (stix.c). */
#ifndef FANGHU_THREAT_NOTICE_H
#define FANGHU_THREAT_NOTICE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "err.h"

#include "auth/auth.h"

struct db;
struct audit_ctx;
struct caller;
struct file_meta;

/* ---- statuses and transitions (pure) ---- */

enum notice_status {
    NOTICE_ISSUED,
    NOTICE_ACKNOWLEDGED,
    NOTICE_FEEDBACK_SUBMITTED,
    NOTICE_CLOSED,
    NOTICE__STATUS_COUNT
};

enum notice_action { NOTICE_ACKNOWLEDGE, NOTICE_FEEDBACK, NOTICE_CLOSE, NOTICE_REOPEN };

const char *notice_status_code(enum notice_status s);
const char *notice_status_name(enum notice_status s);
/* The status of its code; -1 when unknown. */
int notice_status_parse(const char *code);
const char *notice_action_name(enum notice_action a);

/* The status after action a from status from. ERR_CONFLICT (field "status", naming the current
 * status) when a is not allowed from it: acknowledging twice, feedback before acknowledging,
 * closing or reopening without pending feedback, anything after closing. */
enum err notice_transition(enum notice_status from, enum notice_action a, enum notice_status *to);

/* 逾期未整改: not closed and the deadline is before today. */
int notice_overdue(enum notice_status s, struct date deadline, struct date today);

/* ---- the workflow ---- */

enum {
    NOTICE_MAX_THREATS = 100, /* chosen by the issuer */
    NOTICE_MAX_FANOUT = 5000, /* threats of one notice with the fan-out */
    NOTICE_MAX_EVIDENCE = 20, /* files per feedback round */
    NOTICE_TEXT_MAX = 8000,   /* description, measures, result, reasons */
};

/* Issues a notice from {title?, description, deadline, threat_ids, same_indicator?} (checked by
 * the caller against its field table) as caller c, whose organisation is the issuer (side
 * "regulator" or "operator"). The threats must be in c's scope (ERR_NOT_FOUND, field
 * "threat_ids"); the deadline today or later (ERR_VALIDATION, field "deadline"). Recipients are
 * the organisations of the threats, plus with same_indicator every organisation in c's scope
 * with a threat of one of their indicators. */
enum err notice_issue(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                      const char *side, json_t *in, long long *id);

/* The recipients every organisation in c's scope whose threats show the indicator of threat_id
 * (itself included): [{org_id, org_name, indicator, threats, event_count, first_seen,
 * last_seen}]. ERR_NOT_FOUND when the threat is not in c's scope. */
enum err notice_same_indicator(struct db *db, const struct caller *c, long long threat_id,
                               json_t **items);

/* A notice is visible to whoever sees its issuer or one of its recipients: the one scope rule of
 * auth.h applied to both sides; P is one of SCOPE_PRED_ALL/TREE/JURIS, n the notices table. */
#define NOTICE_VIS(P)                                                                              \
    "(" P("n.issuer_org_id") " OR EXISTS (SELECT 1 FROM notice_recipients vr WHERE "               \
                             "vr.notice_id = n.id AND " P("vr.org_id") "))"

/* A recipient row: the columns notice_recipient_row reads (r: notice_recipients, n: notices). */
#define NOTICE_RECIPIENT_COLS                                                                      \
    "SELECT r.id, r.notice_id, r.org_id, o.name, r.reason, r.status, r.rounds, "                   \
    "r.acknowledged_at, r.acknowledged_by, r.closed_at, r.closed_on, r.closed_by, r.updated_at, "  \
    "n.deadline, n.title, n.issuer_org_id, io.name FROM notice_recipients r "                      \
    "JOIN notices n ON n.id = r.notice_id JOIN orgs o ON o.id = r.org_id "                         \
    "JOIN orgs io ON io.id = n.issuer_org_id "
struct db_stmt;
/* {id, notice_id, notice_title, issuer_org_id, issuer_org_name, org_id, org_name, reason, status,
 * status_name, overdue, overdue_name, days_left, rounds, acknowledged_at, acknowledged_by,
 * closed_at, closed_on, closed_by, closed_late, deadline} */
json_t *notice_recipient_row(struct db_stmt *s, struct date today);

/* The notice as c sees it: its recipients are those in c's scope. ERR_NOT_FOUND when c sees
 * neither its issuer nor one of its recipients. */
enum err notice_json(struct db *db, const struct caller *c, long long id, struct date today,
                     json_t **out);

/* A recipient of notice notice_id: its organisation, the issuer's, its status. ERR_NOT_FOUND. */
struct notice_recipient {
    long long id, notice_id, org_id, issuer_org_id;
    enum notice_status status;
    int rounds;
};
enum err notice_recipient_get(struct db *db, long long notice_id, long long id,
                              struct notice_recipient *out);

/* The transitions of a recipient; each audited and refreshing the notice's duties. The evidence
 * files are visible to the caller (checked by it); the recipient organisation gets its own row
 * of each. ERR_CONFLICT (field "status") when not allowed from the current status. */
enum err notice_acknowledge(struct db *db, const struct audit_ctx *ax,
                            const struct notice_recipient *rc);
enum err notice_feedback(struct db *db, const struct audit_ctx *ax,
                         const struct notice_recipient *rc, const char *measures,
                         const char *result, const struct file_meta *files, size_t n_files);
enum err notice_close(struct db *db, const struct audit_ctx *ax, const struct notice_recipient *rc,
                      const char *note);
enum err notice_reopen(struct db *db, const struct audit_ctx *ax, const struct notice_recipient *rc,
                       const char *reason);

/* The recipient's JSON (status, deadline, feedback rounds with evidence, threats). */
enum err notice_recipient_json(struct db *db, long long id, struct date today, json_t **out);

/* Duties of subject "notice" (id: a notice, 0: all): one per recipient not closed, due the
 * deadline, owed by the recipient organisation. */
struct duty_sink;
enum err notice_produce(struct db *db, long long id, struct date today, struct duty_sink *sink);

/* ---- sharing: STIX 2.1 (stix.c) ---- */

/* The UUIDv5 (RFC 4122 §4.3, SHA-1) of name in namespace ns, as 36 lowercase characters. */
void stix_uuid5(const unsigned char ns[16], const char *name, size_t len, char out[37]);
/* "type--UUIDv5(fanghu namespace, name)": the stable id of an object of ours. out: 80 bytes. */
void stix_object_id(const char *type, const char *name, char out[80]);
/* The deterministic id of an SCO with one ID-contributing property, value (STIX 2.1 §2.9:
 * UUIDv5 in namespace 00abedb4-aa42-466c-9c01-fed23315a9b7 over the canonical JSON
 * {"value":…}). out: 80 bytes. */
void stix_sco_id(const char *type, const char *value, char out[80]);
/* Microseconds since 1970 as a STIX timestamp in UTC with milliseconds,
 * "2022-01-25T21:38:21.448Z" (truncated toward the past). out: 32 bytes. */
void stix_time_us(int64_t us, char out[32]);
/* An ISO 8601 time with an offset ("2026-11-21T10:35:00+08:00") as a STIX timestamp; -1 when it
 * is not one. */
int stix_time_iso(const char *iso, char out[32]);
/* The indicator_types (STIX 2.1 indicator-type-ov) of a 202号 category code. */
const char *stix_indicator_type(const char *category);
/* "[ipv4-addr:value = '…']" or ipv6-addr for an address; -1 when it is not an address. Writes
 * the SCO type ("ipv4-addr"/"ipv6-addr") into type. */
int stix_pattern(const char *addr, char *out, size_t size, const char **type);

/* Which threats to share: ids (each in c's scope, else ERR_NOT_FOUND field "ids"), or the
 * filters (NULL: any) with at most limit threats, the most recent first. */
struct stix_query {
    const long long *ids;
    size_t n_ids;
    long long org_id; /* 0: any */
    const char *indicator;
    const char *category;
    long long limit;
};
/* A STIX 2.1 bundle of the threats: the platform's identity, per address an ipv4-addr/ipv6-addr
 * SCO, per threat an indicator, an observed-data and a sighting. *total counts the threats that
 * match (before the limit). */
enum err stix_bundle(struct db *db, const struct caller *c, const struct stix_query *q,
                     json_t **out, long long *total);

#endif
