/* The HTTP server on libmicrohttpd: epoll with an internal thread pool. The access handler uses
 * the two-call pattern (keep-alive survives): the first call allocates the request, later calls
 * collect the body up to the limit, the last one dispatches. Every response gets the security
 * headers and a request id; every request an access log line. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "export.h"
#include "http.h"
#include "log.h"
#include "store/store.h"
#include "timeutil.h"

struct server {
    struct MHD_Daemon *daemon;
    struct store *store;
    char web_root[1024];
    size_t body_limit;
    size_t upload_limit;
};

static const char CSP[] =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'";

void http_add_security_headers(struct MHD_Response *resp, const struct request *r)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    for (int i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->header_names[i], r->header_values[i]);
}

static void error_reply(struct request *r, enum err e)
{
    const struct err_detail *d = err_last();
    const char *msg = d->code == e && d->msg[0] ? d->msg : err_message(e);
    const char *field = d->code == e ? d->field : "";
    if (r->reply)
        json_decref(r->reply);
    r->raw = NULL;
    /* Several fields at fault ("a,b"): "field" names the first, "fields" lists them all. */
    json_t *fields = json_array();
    char first[256] = "";
    if (strchr(field, ',')) {
        char *copy = xstrdup(field), *save = NULL;
        for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
            if (!first[0])
                snprintf(first, sizeof first, "%s", f);
            json_array_append_new(fields, json_string(f));
        }
        free(copy);
        field = first;
    } else if (*field) {
        json_array_append_new(fields, json_string(field));
    }
    r->reply = json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code", err_code(e), "message", msg,
                         "field", field, "fields", fields);
    if (r->error_extra)
        json_object_update(json_object_get(r->reply, "error"), r->error_extra);
    r->status = err_status(e);
}

static enum MHD_Result queue(struct request *r)
{
    struct MHD_Response *resp;
    if (r->reply) {
        char *body = json_dump(r->reply);
        resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    } else {
        static char nothing[1];
        resp = MHD_create_response_from_buffer(r->raw_len, r->raw ? r->raw : nothing,
                                               MHD_RESPMEM_MUST_COPY);
        if (r->content_type)
            MHD_add_response_header(resp, "Content-Type", r->content_type);
        if (!strncmp(r->path, "/api/", 5))
            MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    http_add_security_headers(resp, r);
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* Runs the handler inside the transaction the route asks for. */
static enum err run_handler(struct request *r, const struct route *rt)
{
    enum err rc;
    if (rt->flags & R_OWN_TX)
        return rt->fn(r);
    rc = is_write(r->method) ? db_begin(r->db) : db_begin_read(r->db);
    if (rc)
        return rc;
    rc = r->export ? export_run(r, rt) : rt->fn(r);
    if (rc)
        db_rollback(r->db);
    else
        rc = db_commit(r->db);
    return rc;
}

static enum err authorise(struct request *r, const struct route *rt)
{
    const struct caller *c = &r->caller;
    if (rt->flags & R_PUBLIC)
        return ERR_OK;
    if (!c->user_id)
        return errf(ERR_UNAUTHENTICATED, NULL, NULL);
    if (c->via_token) {
        if (!strcmp(c->token_scope, "read") && is_write(r->method))
            return errf(ERR_FORBIDDEN, NULL, "只读令牌不能执行写操作");
        if (!strcmp(c->token_scope, "events:write") && !(rt->flags & R_EVENTS))
            return errf(ERR_FORBIDDEN, NULL, "该令牌只能上报监测事件");
    }
    if (c->must_change_password && !(rt->flags & R_PW_CHANGE))
        return errf(ERR_MUST_CHANGE_PW, NULL, NULL);
    return ERR_OK;
}

/* ?format=xlsx asks a list for its workbook (export.h). */
static enum err want_export(struct request *r, const struct route *rt)
{
    const char *format = req_query(r, "format");
    if (!format)
        return ERR_OK;
    if (strcmp(format, "xlsx"))
        return errf(ERR_VALIDATION, "format", "format 只能为 xlsx");
    if (strcmp(rt->method, "GET") || (rt->flags & R_OWN_TX) ||
        !(r->export = export_find(rt->pattern)))
        return errf(ERR_VALIDATION, "format", "该接口不支持导出 XLSX");
    return ERR_OK;
}

static enum err dispatch(struct server *srv, struct request *r, int *queued)
{
    *queued = 0;
    if (strncmp(r->path, "/api/", 5) && strcmp(r->path, "/api"))
        return static_serve(r, r->conn, srv->web_root, queued);
    if (r->too_large)
        return errf(ERR_TOO_LARGE, NULL, "请求体超过 %zu 字节的上限", r->body.max);
    int path_matched = 0;
    const struct route *rt = router_match(r, &path_matched);
    if (!rt)
        return path_matched ? errf(ERR_METHOD, NULL, NULL)
                            : errf(ERR_NOT_FOUND, NULL, "接口不存在");
    enum err rc = store_acquire(srv->store, &r->db);
    if (rc)
        return rc;
    if ((rc = auth_resolve(r)) || (rc = authorise(r, rt)) || (rc = want_export(r, rt)))
        return rc;
    return run_handler(r, rt);
}

static void client_address(struct request *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    r->client_addr[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  r->client_addr, sizeof r->client_addr);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  r->client_addr, sizeof r->client_addr);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct server *srv = cls;
    struct request *r = *con_cls;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        arena_init(&r->arena);
        r->conn = conn;
        r->method = arena_strdup(&r->arena, method);
        r->path = arena_strdup(&r->arena, url);
        r->store = srv->store;
        r->started_ms = time_mono_ms();
        crypto_random_hex(r->request_id, 8);
        client_address(r);
        /* The limit depends on the route (R_UPLOAD), so match it before the body arrives. */
        int path_matched;
        const struct route *rt = strncmp(r->path, "/api/", 5) || !is_write(r->method)
                                     ? NULL
                                     : router_match(r, &path_matched);
        size_t limit = rt && (rt->flags & R_UPLOAD) ? srv->upload_limit : srv->body_limit;
        sbuf_init(&r->body, limit);
        /* An upload is authenticated before its body is read: an anonymous or unauthorised
         * client cannot make the server buffer upload-limit bytes. */
        if (rt && (rt->flags & R_UPLOAD)) {
            enum err rc = store_acquire(srv->store, &r->db);
            if (!rc && !(rc = auth_resolve(r)))
                rc = authorise(r, rt);
            if (rc) {
                r->early = *err_last();
                r->early.code = rc;
            }
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > limit)
            r->too_large = 1;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->too_large && !r->early.code && sbuf_add(&r->body, upload_data, *upload_data_size))
            r->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    err_clear();
    int queued = 0;
    r->status = 200;
    enum err rc;
    if (r->early.code)
        rc = errf(r->early.code, r->early.field, "%s",
                  r->early.msg[0] ? r->early.msg : err_message(r->early.code));
    else
        rc = dispatch(srv, r, &queued);
    if (queued)
        return MHD_YES;
    if (rc)
        error_reply(r, rc);
    return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct request *r = *con_cls;
    if (!r)
        return;
    log_msg(LOG_INFO, "access id=%s addr=%s user=%s %s %s status=%d ms=%lld%s", r->request_id,
            r->client_addr, r->caller.user_id ? r->caller.username : "-", r->method, r->path,
            r->status, (long long)(time_mono_ms() - r->started_ms),
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    if (r->db)
        db_rollback(r->db); /* a handler that returned early inside R_OWN_TX */
    if (r->reply)
        json_decref(r->reply);
    json_decref(r->error_extra);
    sbuf_release(&r->body);
    arena_release(&r->arena);
    free(r);
    *con_cls = NULL;
}

static enum err parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    size_t hlen = (size_t)(colon - listen);
    if (hlen >= sizeof host)
        return errf(ERR_VALIDATION, "listen", "listen 地址过长");
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    int port = (int)strtol(colon + 1, NULL, 10);
    char *h = host;
    if (h[0] == '[' && hlen > 1 && h[hlen - 1] == ']') {
        h[hlen - 1] = '\0';
        h++;
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, h, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
    } else if (inet_pton(AF_INET6, h, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
    } else {
        return errf(ERR_VALIDATION, "listen", "listen 地址不是 IP 地址：%s", h);
    }
    return ERR_OK;
}

static void find_web_root(struct server *srv)
{
    const char *w = config_str(SET_WEB);
    if (*w) {
        snprintf(srv->web_root, sizeof srv->web_root, "%s", w);
        return;
    }
    /* Beside the binary (build/fanghu → ../web/dist), else the working directory. */
    char exe[900];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(srv->web_root, sizeof srv->web_root, "%s/../web/dist", exe);
            if (!access(srv->web_root, R_OK))
                return;
        }
    }
    snprintf(srv->web_root, sizeof srv->web_root, "web/dist");
}

enum err server_start(struct store *st, struct server **out)
{
    struct server *srv = xcalloc(1, sizeof *srv);
    srv->store = st;
    srv->body_limit = (size_t)config_int(SET_BODY_LIMIT);
    srv->upload_limit = (size_t)config_int(SET_UPLOAD_LIMIT);
    find_web_root(srv);
    struct sockaddr_storage ss;
    socklen_t sl;
    enum err rc = parse_listen(config_str(SET_LISTEN), &ss, &sl);
    if (rc) {
        free(srv);
        return rc;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)config_int(SET_THREADS),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)config_int(SET_CONN_TIMEOUT),
        MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)128 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        free(srv);
        return errf(ERR_IO, "listen", "无法监听 %s（端口被占用或无权限）", config_str(SET_LISTEN));
    }
    log_info("listening on %s, web root %s, database %s", config_str(SET_LISTEN), srv->web_root,
             store_engine_name(st));
    *out = srv;
    return ERR_OK;
}

void server_stop(struct server *srv)
{
    if (!srv)
        return;
    MHD_quiesce_daemon(srv->daemon);
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
