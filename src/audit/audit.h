/* Audit (R12): every change appends a record in the same transaction as the change: who, when,
 * what, before → after, request id, client address. Records are chained:
 *   h_n = SM3(h_{n-1} ‖ canonical bytes of record n)
 * and audit_verify recomputes the chain and names the first record that does not match. */
#ifndef FANGHU_AUDIT_H
#define FANGHU_AUDIT_H
#include <jansson.h>

#include "err.h"

struct db;
struct request;

struct audit_ctx {
    long long actor_id;      /* 0: the system or the command line */
    const char *actor_name;  /* username, or "cli" / "system" */
    const char *request_id;  /* NULL outside HTTP */
    const char *client_addr; /* NULL outside HTTP */
};

/* The context of an HTTP request's caller. */
struct audit_ctx audit_ctx_of(const struct request *r);

/* Appends one record inside the caller's open write transaction. before and after are borrowed
 * (may be NULL). org_id (0 = none) is the organisation the record belongs to, for scoping. */
enum err audit_append(struct db *db, const struct audit_ctx *ctx, const char *action,
                      const char *entity, const char *entity_id, long long org_id,
                      const json_t *before, const json_t *after);
/* The same with the request's context. */
enum err audit_request(struct request *r, const char *action, const char *entity,
                       long long entity_id, long long org_id, const json_t *before,
                       const json_t *after);

/* Recomputes the chain. *first_bad = 0 when intact, else the first seq that does not match
 * (a changed, removed or inserted record, or a head that does not match the last record). */
enum err audit_verify(struct db *db, long long *checked, long long *first_bad);

#endif
