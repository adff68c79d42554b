/* HTTP: the request a handler sees, the reply it builds, and the route table. Handlers are thin:
 * parse → call the module → reply. The server wraps each request in one database transaction
 * (a read transaction for GET, a write transaction otherwise) unless the route says R_OWN_TX;
 * an error from the handler rolls everything back and answers from the error registry. */
#ifndef FANGHU_HTTP_H
#define FANGHU_HTTP_H
#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "auth/auth.h"
#include "err.h"
#include "json.h"
#include "sbuf.h"

struct MHD_Connection;
struct MHD_Response;
struct db;
struct store;
struct list_export;

enum { MAX_ROUTE_PARAMS = 4, MAX_EXTRA_HEADERS = 8 };

struct request {
    struct arena arena;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    char request_id[17];
    char client_addr[64];
    struct sbuf body;
    int too_large;
    long long started_ms;
    const char *params[MAX_ROUTE_PARAMS]; /* :name segments of the route, in order */
    int n_params;
    struct caller caller;
    struct db *db;
    struct store *store;
    /* the reply */
    int status;
    json_t *reply; /* owned; serialised at the end */
    char *raw;     /* or a raw body (arena) */
    size_t raw_len;
    const char *content_type;
    const char *header_names[MAX_EXTRA_HEADERS];
    const char *header_values[MAX_EXTRA_HEADERS];
    int n_headers;
    json_t *error_extra;     /* owned; keys merged into the error object of an error reply */
    struct err_detail early; /* an upload refused before its body was read */
    /* ?format=xlsx on a list that exports (export.h): req_page hands out its pages */
    const struct list_export *export;
    long long export_offset;
    int paged; /* the handler asked req_page for its page */
};

typedef enum err (*handler_fn)(struct request *r);

enum route_flags {
    R_PUBLIC = 1 << 0,    /* no login needed */
    R_PW_CHANGE = 1 << 1, /* allowed while the password must be changed */
    R_OWN_TX = 1 << 2,    /* the handler manages its own transactions */
    R_EVENTS = 1 << 3,    /* allowed to tokens of scope events:write */
    R_UPLOAD = 1 << 4,    /* body limited by upload-limit instead of body-limit */
};

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/orgs/:id" */
    handler_fn fn;
    unsigned flags;
};

/* Request helpers. */
const char *req_header(struct request *r, const char *name);
const char *req_query(struct request *r, const char *name); /* NULL when absent */
const char *req_cookie(struct request *r, const char *name);
/* The route parameter as an id; ERR_NOT_FOUND when it is not one. */
enum err req_param_id(struct request *r, int i, long long *id);
/* The record named by route parameter i, if the caller may see it: org_of finds its
 * organisation, the scope rule decides. Anything missing or outside the scope is ERR_NOT_FOUND
 * with `missing` as the message (never revealing existence). org may be NULL. */
enum err req_scoped_id(struct request *r, int i,
                       enum err (*org_of)(struct db *db, long long id, long long *org_id),
                       const char *missing, long long *id, long long *org);
/* Parses the body as a JSON object and checks it against fields; the object lives with r. */
enum err req_json(struct request *r, const struct jfield *fields, json_t **out);
/* The query parameter as a LIKE pattern "%text%" with %, _ and \ escaped (use it with
 * `LIKE $n ESCAPE '\'`), or NULL when absent or empty. */
const char *req_like(struct request *r, const char *name);
/* ?limit=&offset= with limit 1..500 (default 50), offset ≥ 0; during an export, the export's
 * next page whatever the query says. */
enum err req_page(struct request *r, long long *limit, long long *offset);

/* One page of a scoped list: count_sql (a SCOPED triple) gives the total and list_sql the page.
 * Both are bound alike: $1, the caller's organisation, here; the filters from $2 by bind; then
 * the page's LIMIT and OFFSET at $(n_filters + 2) and the next. row makes each item. ctx is handed
 * to both. Replies {"items","total"}. */
struct scoped_list {
    const char *const *count_sql;
    const char *const *list_sql;
    int n_filters;
    void (*bind)(struct request *r, struct db_stmt *s, const void *ctx);
    json_t *(*row)(struct db_stmt *s, const void *ctx);
    const void *ctx;
};
enum err req_scoped_list(struct request *r, const struct scoped_list *q);

/* Reply helpers: take ownership of body. */
void reply_json(struct request *r, int status, json_t *body);
void reply_empty(struct request *r, int status);
void reply_header(struct request *r, const char *name, const char *value);
/* {"items": items, "total": total} */
void reply_list(struct request *r, json_t *items, long long total);
/* A file download: bytes are copied; name is the UTF-8 file name offered to the browser. */
void reply_file(struct request *r, const char *content_type, const char *name, const char *bytes,
                size_t len);

/* Requires a role among the given ones (ROLE_NONE-terminated); ERR_FORBIDDEN otherwise. */
enum err req_role(struct request *r, ...);

/* Router: finds the route for method+path; fills params. Returns NULL and sets *method_ok = 0
 * when no pattern matches, or *method_ok = 0/1 when the path matched another method. */
const struct route *router_match(struct request *r, int *path_matched);

/* Static console files with SPA fallback; answers 404 JSON for /api paths. */
enum err static_serve(struct request *r, struct MHD_Connection *conn, const char *root,
                      int *queued);

/* The security headers (CSP, nosniff, frame denial, referrer) and X-Request-Id, plus the
 * request's extra headers, on a response. */
void http_add_security_headers(struct MHD_Response *resp, const struct request *r);

/* The server. */
struct server;
enum err server_start(struct store *st, struct server **out);
void server_stop(struct server *s);

#endif
