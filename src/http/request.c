/* Request accessors and reply builders shared by every handler. */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "http.h"
#include "store/store.h"

const char *req_header(struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_cookie(struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

enum err req_param_id(struct request *r, int i, long long *id)
{
    *id = i < r->n_params ? id_parse(r->params[i]) : -1;
    return *id < 0 ? errf(ERR_NOT_FOUND, NULL, NULL) : ERR_OK;
}

enum err req_scoped_id(struct request *r, int i,
                       enum err (*org_of)(struct db *db, long long id, long long *org_id),
                       const char *missing, long long *id, long long *org)
{
    long long owner;
    enum err rc = req_param_id(r, i, id);
    if (rc || (rc = org_of(r->db, *id, &owner)) || (rc = scope_check_org(r, owner)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "%s", missing) : rc;
    if (org)
        *org = owner;
    return ERR_OK;
}

static void free_json(void *p)
{
    json_decref(p);
}

enum err req_json(struct request *r, const struct jfield *fields, json_t **out)
{
    const char *ct = req_header(r, "Content-Type");
    if (ct && strncmp(ct, "application/json", 16))
        return errf(ERR_MEDIA_TYPE, NULL, "请求体须为 application/json");
    json_t *obj;
    enum err rc = json_parse_object(r->body.buf, r->body.len, &obj);
    if (rc)
        return rc;
    arena_on_release(&r->arena, free_json, obj);
    if ((rc = json_check(obj, fields)))
        return rc;
    *out = obj;
    return ERR_OK;
}

const char *req_like(struct request *r, const char *name)
{
    const char *q = req_query(r, name);
    if (!q || !*q)
        return NULL;
    size_t n = strlen(q);
    char *out = arena_alloc(&r->arena, 2 * n + 3), *p = out;
    *p++ = '%';
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            *p++ = '\\';
        *p++ = *q;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

static enum err number(const char *s, const char *field, long long min, long long max,
                       long long *out)
{
    long long v = id_parse(s);
    if (v < min || v > max)
        return errf(ERR_VALIDATION, field, "%s 应为 %lld 至 %lld 之间的整数", field, min, max);
    *out = v;
    return ERR_OK;
}

enum err req_page(struct request *r, long long *limit, long long *offset)
{
    const char *l = req_query(r, "limit"), *o = req_query(r, "offset");
    enum err rc;
    r->paged = 1;
    if (r->export) {
        *limit = EXPORT_PAGE;
        *offset = r->export_offset;
        return ERR_OK;
    }
    *limit = 50;
    *offset = 0;
    if (l && (rc = number(l, "limit", 1, 500, limit)))
        return rc;
    if (o && (rc = number(o, "offset", 0, 100000000, offset)))
        return rc;
    return ERR_OK;
}

enum err req_scoped_list(struct request *r, const struct scoped_list *q)
{
    long long limit, offset, total = 0;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, q->count_sql), &s)))
        return rc;
    scope_bind(s, &r->caller);
    q->bind(r, s, q->ctx);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, q->list_sql), &s)))
        return rc;
    scope_bind(s, &r->caller);
    q->bind(r, s, q->ctx);
    db_bind_int(s, q->n_filters + 2, limit);
    db_bind_int(s, q->n_filters + 3, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, q->row(s, q->ctx));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

void reply_json(struct request *r, int status, json_t *body)
{
    if (r->reply)
        json_decref(r->reply);
    r->reply = body;
    r->status = status;
}

void reply_empty(struct request *r, int status)
{
    if (r->reply)
        json_decref(r->reply);
    r->reply = NULL;
    r->raw = NULL;
    r->raw_len = 0;
    r->status = status;
}

void reply_header(struct request *r, const char *name, const char *value)
{
    if (r->n_headers >= MAX_EXTRA_HEADERS)
        return;
    r->header_names[r->n_headers] = arena_strdup(&r->arena, name);
    r->header_values[r->n_headers] = arena_strdup(&r->arena, value);
    r->n_headers++;
}

void reply_list(struct request *r, json_t *items, long long total)
{
    reply_json(r, 200, json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)total));
}

enum err req_role(struct request *r, ...)
{
    va_list ap;
    va_start(ap, r);
    for (;;) {
        enum role want = (enum role)va_arg(ap, int);
        if (want == ROLE_NONE)
            break;
        if (want == r->caller.role) {
            va_end(ap);
            return ERR_OK;
        }
    }
    va_end(ap);
    return errf(ERR_FORBIDDEN, NULL, NULL);
}

void reply_file(struct request *r, const char *content_type, const char *name, const char *bytes,
                size_t len)
{
    reply_empty(r, 200);
    r->raw = arena_alloc(&r->arena, len + 1);
    memcpy(r->raw, bytes, len);
    r->raw_len = len;
    r->content_type = content_type;
    /* RFC 6266: an ASCII fallback plus the UTF-8 name, percent-encoded. */
    struct sbuf sb;
    sbuf_init(&sb, 4096);
    sbuf_adds(&sb, "attachment; filename=\"download\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            sbuf_add(&sb, p, 1);
        else
            sbuf_addf(&sb, "%%%02X", *p);
    }
    reply_header(r, "Content-Disposition", sb.buf);
    sbuf_release(&sb);
}
