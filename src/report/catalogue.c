/* 文件下载中心: the catalogue of policy documents (seed 000 annex 1) and standards (seed 003),
 * embedded from data/doc-catalogue.json — references, without files — and the template files a
 * system administrator uploads (stored like uploads, under DATA/files by their SM3) and anyone
 * logged in downloads. Templates are not tenant data: no organisation owns them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "assess/upload.h"
#include "audit/audit.h"
#include "embedded.h"
#include "http/http.h"
#include "json.h"
#include "store/store.h"
#include "timeutil.h"

static json_t *catalogue;
static pthread_once_t catalogue_once = PTHREAD_ONCE_INIT;

static void load_catalogue(void)
{
    for (const struct embedded_file *f = embedded_files; f->name; f++)
        if (!strcmp(f->name, "data/doc-catalogue.json"))
            catalogue = json_loadb(f->data, f->len, 0, NULL);
    if (!catalogue)
        catalogue = json_pack("{s:[]}", "items");
}

/* ?kind=policy|standard&q=text (in the title, the number or the issuer, as the console filters). */
enum err catalogue_list_h(struct request *r)
{
    pthread_once(&catalogue_once, load_catalogue);
    const char *kind = req_query(r, "kind"), *q = req_query(r, "q");
    if (kind && *kind && strcmp(kind, "policy") && strcmp(kind, "standard"))
        return errf(ERR_VALIDATION, "kind", "kind 应为 policy（政策文件）或 standard（标准）");
    json_t *items = json_array(), *e;
    size_t i;
    json_array_foreach (json_object_get(catalogue, "items"), i, e) {
        const char *number = json_str(e, "number"), *issuer = json_str(e, "issuer");
        if (kind && *kind && strcmp(json_str(e, "kind"), kind))
            continue;
        if (q && *q && !strstr(json_str(e, "title"), q) && !(number && strstr(number, q)) &&
            !(issuer && strstr(issuer, q)))
            continue;
        json_t *item = json_deep_copy(e);
        json_object_set_new(
            item, "kind_name",
            json_string(strcmp(json_str(e, "kind"), "policy") ? "标准" : "政策文件"));
        json_array_append_new(items, item);
    }
    reply_list(r, items, (long long)json_array_size(items));
    return ERR_OK;
}

/* ---- templates ---------------------------------------------------------------------------- */

#define TEMPLATE_COLS                                                                              \
    "SELECT id, title, description, sm3, name, size, media_type, uploaded_by, created_at "         \
    "FROM doc_templates "

static json_t *template_row_json(struct db_stmt *s)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "id", db_text(s, 0), "title",
                     db_text(s, 1), "description", db_text(s, 2), "sm3", db_text(s, 3), "name",
                     db_text(s, 4), "size", (json_int_t)db_int(s, 5), "media_type", db_text(s, 6),
                     "uploaded_by", db_text(s, 7), "created_at", db_text(s, 8));
}

static const char SQL_ONE[] = TEMPLATE_COLS "WHERE id = $1";

static enum err template_json(struct db *db, long long id, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_ONE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row)
        *out = template_row_json(s);
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "模板文件不存在");
    return rc;
}

static const char SQL_LIST[] = TEMPLATE_COLS "ORDER BY id DESC LIMIT $1 OFFSET $2";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM doc_templates";

enum err templates_list_h(struct request *r)
{
    long long limit, offset, total;
    struct db_stmt *s;
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, SQL_COUNT, &s)) || (rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, SQL_LIST, &s)))
        return rc;
    db_bind_int(s, 1, limit);
    db_bind_int(s, 2, offset);
    json_t *items = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(items, template_row_json(s));
    db_done(s);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

/* A query parameter as text: at most max bytes, no control characters. */
static enum err text_param(struct request *r, const char *name, size_t max, int required,
                           const char **out)
{
    const char *v = req_query(r, name);
    *out = v ? v : "";
    if (required && !**out)
        return errf(ERR_VALIDATION, name, "%s 不能为空", name);
    if (strlen(*out) > max)
        return errf(ERR_VALIDATION, name, "%s 过长（最多 %zu 字节）", name, max);
    for (const unsigned char *p = (const unsigned char *)*out; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return errf(ERR_VALIDATION, name, "%s 含有不允许的控制字符", name);
    return ERR_OK;
}

static const char SQL_INSERT[] =
    "INSERT INTO doc_templates (title, description, sm3, name, size, media_type, uploaded_by, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";

/* POST ?name=file.docx&title=…&description=… with the raw bytes (system administrators). The
 * bytes are stored before the transaction that records them (file_store_blob). */
enum err template_upload_h(struct request *r)
{
    const char *title, *description;
    struct file_meta m;
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以上传模板文件");
    enum err rc = text_param(r, "description", 2000, 0, &description);
    if (rc || (rc = text_param(r, "title", 200, 0, &title)) ||
        (rc = file_check_upload(r->body.buf, r->body.len, req_query(r, "name"),
                                req_header(r, "Content-Type"), &m)) ||
        (rc = file_store_blob(r->body.buf, r->body.len, m.sm3)))
        return rc;
    if (!*title)
        title = m.name;
    struct audit_ctx ax = audit_ctx_of(r);
    struct db_stmt *s;
    json_t *out = NULL;
    long long id = 0;
    char now[40], idbuf[24];
    time_now_iso(now);
    if ((rc = db_begin(r->db)))
        return rc;
    if (!(rc = db_prepare(r->db, SQL_INSERT, &s))) {
        db_bind_text(s, 1, title);
        db_bind_text(s, 2, description);
        db_bind_text(s, 3, m.sm3);
        db_bind_text(s, 4, m.name);
        db_bind_int(s, 5, m.size);
        db_bind_text(s, 6, m.media_type);
        db_bind_text(s, 7, ax.actor_name);
        db_bind_text(s, 8, now);
        int row;
        if (!(rc = db_step(s, &row)) && row)
            id = db_int(s, 0);
        db_done(s);
    }
    snprintf(idbuf, sizeof idbuf, "%lld", id);
    if (!rc && !(rc = template_json(r->db, id, &out)))
        rc = audit_append(r->db, &ax, "doc_template.create", "doc_template", idbuf, 0, NULL, out);
    if (rc || (rc = db_commit(r->db))) {
        db_rollback(r->db);
        json_decref(out);
        return rc;
    }
    reply_json(r, 201, out);
    return ERR_OK;
}

enum err template_get_h(struct request *r)
{
    long long id;
    json_t *t;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = template_json(r->db, id, &t)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "模板文件不存在") : rc;
    reply_json(r, 200, t);
    return ERR_OK;
}

enum err template_file_h(struct request *r)
{
    long long id;
    json_t *t;
    char *data;
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = template_json(r->db, id, &t)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "模板文件不存在") : rc;
    long long size = json_int(t, "size", 0);
    if (!(rc = file_load(&r->arena, json_str(t, "sm3"), size, &data))) {
        reply_file(r, arena_strdup(&r->arena, json_str(t, "media_type")), json_str(t, "name"), data,
                   (size_t)size);
    }
    json_decref(t);
    return rc;
}

static const char SQL_DELETE[] = "DELETE FROM doc_templates WHERE id = $1";

/* The row goes; the stored bytes stay (content-addressed, possibly shared with an upload). */
enum err template_delete_h(struct request *r)
{
    long long id;
    json_t *before;
    struct db_stmt *s;
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以删除模板文件");
    enum err rc = req_param_id(r, 0, &id);
    if (rc || (rc = template_json(r->db, id, &before)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "模板文件不存在") : rc;
    if (!(rc = db_prepare(r->db, SQL_DELETE, &s))) {
        int row;
        db_bind_int(s, 1, id);
        rc = db_step(s, &row);
        db_done(s);
    }
    if (!rc) {
        struct audit_ctx ax = audit_ctx_of(r);
        rc = audit_append(r->db, &ax, "doc_template.delete", "doc_template", json_str(before, "id"),
                          0, before, NULL);
    }
    json_decref(before);
    if (!rc)
        reply_empty(r, 204);
    return rc;
}
