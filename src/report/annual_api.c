/* HTTP: 安全防护工作报告 (annex 5). A report is visible to whoever sees its organisation (the
 * operator's tree, the regulator's jurisdiction) and to the users of each organisation it was
 * submitted to (its receivers, who acknowledge it); anything else is 404. Operators (and the
 * system administrator) write drafts of organisations in their scope; regulators and auditors
 * read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annual.h"
#include "api.h"
#include "assess/upload.h"
#include "audit/audit.h"
#include "exposure/exposure.h"
#include "http/http.h"
#include "report.h"
#include "store/store.h"

static const char XLSX_TYPE[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

static enum err may_write(struct request *r)
{
    if (r->caller.role == ROLE_SYSADMIN || role_is_operator(r->caller.role))
        return ERR_OK;
    return errf(ERR_FORBIDDEN, NULL, "只有运行单位人员可以编辑和报送安全防护工作报告");
}

static enum err not_found(void)
{
    return errf(ERR_NOT_FOUND, NULL, "安全防护工作报告不存在");
}

/* The report of the route if the caller may see it; *in_scope tells whether through its scope
 * (may write) or only as a receiver. */
static enum err visible(struct request *r, long long *id, int *in_scope)
{
    long long org;
    int receiver = 0;
    *in_scope = 0;
    enum err rc = req_param_id(r, 0, id);
    if (rc || (rc = annual_report_org(r->db, *id, &org)))
        return rc == ERR_NOT_FOUND ? not_found() : rc;
    rc = scope_check_org(r, org);
    if (!rc) {
        *in_scope = 1;
        return ERR_OK;
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    if (r->caller.org_id && (rc = annual_report_receiver(r->db, *id, r->caller.org_id, &receiver)))
        return rc;
    return receiver ? ERR_OK : not_found();
}

static enum err writable(struct request *r, long long *id)
{
    int in_scope;
    enum err rc = visible(r, id, &in_scope);
    if (rc || (rc = may_write(r)))
        return rc;
    return in_scope ? ERR_OK : errf(ERR_FORBIDDEN, NULL, "报送对象不能修改报告");
}

static enum err reply_report(struct request *r, long long id, int status, int with_facts)
{
    json_t *out;
    enum err rc = annual_report_json(r->db, id, with_facts, &out);
    if (!rc)
        reply_json(r, status, out);
    return rc;
}

/* ?year= (default: this year). */
static enum err year_param(const char *value, int *year)
{
    struct date today = date_today_shanghai();
    long long y = value && *value ? id_parse(value) : today.y;
    if (y < 2000 || y > 9998)
        return errf(ERR_VALIDATION, "year", "年度应为四位数年份");
    *year = (int)y;
    return ERR_OK;
}

/* ---- list and create ---------------------------------------------------------------------- */

#define LIST_WHERE                                                                                 \
    " OR r.id IN (SELECT x.report_id FROM annual_submissions x WHERE x.receiver_org_id = $1))"     \
    " AND (CAST($2 AS BIGINT) IS NULL OR r.year = $2)"                                             \
    " AND (CAST($3 AS BIGINT) IS NULL OR r.org_id = $3)"                                           \
    " AND (CAST($4 AS TEXT) IS NULL OR r.status = $4)"                                             \
    " AND (CAST($5 AS BIGINT) IS NULL OR r.id IN "                                                 \
    "(SELECT y.report_id FROM annual_submissions y WHERE y.receiver_org_id = $5))"
static const char *const SQL_LIST[3] =
    SCOPED("SELECT r.id FROM annual_reports r WHERE (", "r.org_id",
           LIST_WHERE " ORDER BY r.year DESC, r.id DESC LIMIT $6 OFFSET $7");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM annual_reports r WHERE (", "r.org_id", LIST_WHERE);

static void bind_filters(struct request *r, struct db_stmt *s)
{
    const char *year = req_query(r, "year"), *org = req_query(r, "org_id");
    const char *status = req_query(r, "status"), *received = req_query(r, "received");
    scope_bind(s, &r->caller);
    if (year && *year)
        db_bind_int(s, 2, id_parse(year));
    else
        db_bind_null(s, 2);
    if (org && *org)
        db_bind_int(s, 3, id_parse(org));
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, status && *status ? status : NULL);
    if (received && !strcmp(received, "1"))
        db_bind_int(s, 5, r->caller.org_id);
    else
        db_bind_null(s, 5);
}

enum err annual_list_h(struct request *r)
{
    long long limit, offset, total, *ids;
    size_t n = 0;
    struct db_stmt *s;
    const char *status = req_query(r, "status");
    if (status && *status && strcmp(status, "draft") && strcmp(status, "submitted"))
        return errf(ERR_VALIDATION, "status", "status 应为 draft 或 submitted");
    enum err rc = req_page(r, &limit, &offset);
    if (rc || (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_COUNT), &s)))
        return rc;
    bind_filters(r, s);
    if ((rc = db_scalar_int(s, 0, &total)) ||
        (rc = db_prepare(r->db, scope_sql(&r->caller, SQL_LIST), &s)))
        return rc;
    bind_filters(r, s);
    db_bind_int(s, 6, limit);
    db_bind_int(s, 7, offset);
    ids = arena_alloc(&r->arena, (size_t)limit * sizeof *ids);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        ids[n++] = db_int(s, 0);
    db_done(s);
    json_t *items = json_array(), *one;
    for (size_t i = 0; !rc && i < n; i++)
        if (!(rc = annual_report_json(r->db, ids[i], 0, &one)))
            json_array_append_new(items, one);
    if (rc) {
        json_decref(items);
        return rc;
    }
    reply_list(r, items, total);
    return ERR_OK;
}

static const struct jfield CREATE[] = {
    {"org_id", JT_ID, 1, 20, 0, 0, "单位"},
    {"year", JT_INT, 1, 0, 2000, 9998, "年度"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

enum err annual_create_h(struct request *r)
{
    json_t *in;
    long long id;
    enum err rc = req_json(r, CREATE, &in);
    if (rc)
        return rc;
    long long org = id_parse(json_str(in, "org_id"));
    if ((rc = scope_check_org(r, org)))
        return rc == ERR_NOT_FOUND ? errf(ERR_NOT_FOUND, NULL, "单位不存在") : rc;
    if ((rc = may_write(r)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    rc = annual_report_create(r->db, &ax, org, (int)json_int(in, "year", 0), &id);
    if (rc == ERR_CONFLICT && id) {
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", id);
        r->error_extra = json_pack("{s:s}", "report_id", idbuf);
    }
    return rc ? rc : reply_report(r, id, 201, 1);
}

/* ---- one report -------------------------------------------------------------------------- */

enum err annual_get_h(struct request *r)
{
    long long id;
    int in_scope;
    const char *facts = req_query(r, "facts");
    enum err rc = visible(r, &id, &in_scope);
    return rc ? rc : reply_report(r, id, 200, !(facts && !strcmp(facts, "0")));
}

static const struct jfield SECTION[] = {
    {"text", JT_STRING, 0, ANNUAL_SECTION_MAX, 0, 0, "内容"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

enum err annual_section_put_h(struct request *r)
{
    long long id;
    json_t *in;
    enum err rc = writable(r, &id);
    if (rc || (rc = req_json(r, SECTION, &in)))
        return rc;
    const char *section = r->n_params > 1 ? r->params[1] : "", *text = json_str(in, "text");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = annual_report_section_set(r->db, &ax, id, section, text ? text : "")))
        return rc;
    return reply_report(r, id, 200, 0);
}

static enum err document(struct request *r, int pdf)
{
    long long id;
    int in_scope;
    json_t *report;
    struct doc *d = NULL;
    char *name = NULL;
    enum err rc = visible(r, &id, &in_scope);
    if (rc || (rc = annual_report_json(r->db, id, 1, &report)))
        return rc;
    if (!(rc = annual_report_doc(report, &d, &name)))
        rc = report_reply_doc(r, d, name, pdf);
    doc_free(d);
    free(name);
    json_decref(report);
    return rc;
}

enum err annual_docx_h(struct request *r)
{
    return document(r, 0);
}

enum err annual_pdf_h(struct request *r)
{
    return document(r, 1);
}

/* The attachment as submitted; for a draft, the workbook as it would be submitted now. */
enum err annual_exposure_h(struct request *r)
{
    long long id;
    int in_scope;
    json_t *report, *att;
    char *bytes = NULL;
    size_t len = 0;
    enum err rc = visible(r, &id, &in_scope);
    if (rc || (rc = annual_report_json(r->db, id, 0, &report)))
        return rc;
    att = json_object_get(report, "attachment");
    if (json_is_object(att)) {
        char *data;
        long long size = json_int(att, "size", 0);
        if (!(rc = file_load(&r->arena, json_str(att, "sm3"), size, &data)))
            reply_file(r, XLSX_TYPE, json_str(att, "name"), data, (size_t)size);
    } else if (!(rc = exposure_export_xlsx(r->db, id_parse(json_str(report, "org_id")), &bytes,
                                           &len))) {
        char name[300];
        snprintf(name, sizeof name, "%s互联网暴露面信息（%lld年度，草稿）.xlsx",
                 json_str(report, "org_name"), json_int(report, "year", 0));
        reply_file(r, XLSX_TYPE, name, bytes, len);
    }
    free(bytes);
    json_decref(report);
    return rc;
}

/* R_OWN_TX: the facts and the workbook are built in a read transaction, the workbook is stored
 * with no transaction open, and the submission is recorded in a write transaction that checks
 * the report is still a draft. */
enum err annual_submit_h(struct request *r)
{
    long long id;
    struct annual_submission prep = {0};
    enum err rc = db_begin_read(r->db);
    if (rc)
        return rc;
    if (!(rc = writable(r, &id)))
        rc = annual_submit_prepare(r->db, id, date_today_shanghai(), &prep);
    db_rollback(r->db);
    if (rc)
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if (!(rc = file_store_blob(prep.xlsx, prep.xlsx_len, prep.sm3)) && !(rc = db_begin(r->db))) {
        if ((rc = annual_submit_commit(r->db, &ax, id, &prep)))
            db_rollback(r->db);
        else
            rc = db_commit(r->db);
    }
    annual_submission_release(&prep);
    if (rc || (rc = db_begin_read(r->db)))
        return rc;
    rc = reply_report(r, id, 200, 0);
    db_rollback(r->db);
    return rc;
}

static const struct jfield ACK[] = {
    {"comment", JT_STRING, 0, 2000, 0, 0, "意见"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

enum err annual_ack_h(struct request *r)
{
    long long id;
    int in_scope;
    json_t *in = NULL;
    enum err rc = visible(r, &id, &in_scope);
    if (rc || (r->body.len && (rc = req_json(r, ACK, &in))))
        return rc;
    if (r->caller.role == ROLE_AUDITOR || !r->caller.org_id)
        return errf(ERR_FORBIDDEN, NULL, "只有报送对象单位的人员可以确认收到报告");
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = annual_acknowledge(r->db, &ax, id, r->caller.org_id,
                                 in ? json_str(in, "comment") : NULL)))
        return rc;
    return reply_report(r, id, 200, 0);
}

/* ---- across reports ---------------------------------------------------------------------- */

/* ?year= (default this year) &limit &offset: organisations in the caller's scope (a regulator's
 * jurisdiction) without a submitted report, each with the due date and whether it is past. */
enum err annual_missing_h(struct request *r)
{
    int year = 0;
    long long limit, offset;
    json_t *all;
    struct date due, today = date_today_shanghai();
    char source[256], due_text[11];
    enum err rc = year_param(req_query(r, "year"), &year);
    if (rc || (rc = req_page(r, &limit, &offset)) ||
        (rc = annual_due_date(r->db, year, &due, source)) ||
        (rc = annual_missing_json(r->db, &r->caller, year, &all)))
        return rc;
    date_format(due, due_text);
    json_t *items = json_array(), *e;
    size_t i;
    json_array_foreach (all, i, e) {
        if ((long long)i < offset || (long long)i >= offset + limit)
            continue;
        json_object_set_new(e, "year", json_integer(year));
        json_object_set_new(e, "due_date", json_string(due_text));
        json_object_set_new(e, "overdue", json_boolean(date_cmp(today, due) > 0));
        json_array_append(items, e);
    }
    long long total = (long long)json_array_size(all);
    json_decref(all);
    reply_list(r, items, total);
    return ERR_OK;
}

enum err annual_due_dates_h(struct request *r)
{
    json_t *out;
    enum err rc = annual_due_dates_json(r->db, &out);
    if (!rc)
        reply_json(r, 200, out);
    return rc;
}

static const struct jfield DUE[] = {
    {"due_date", JT_DATE, 1, 10, 0, 0, "截止日期"},
    {"source", JT_STRING, 1, 500, 0, 0, "依据"},
    {NULL, 0, 0, 0, 0, 0, NULL},
};

enum err annual_due_date_put_h(struct request *r)
{
    json_t *in;
    int year = 0;
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以设置报送截止日期");
    const char *y = r->n_params ? r->params[0] : NULL;
    if (!y || id_parse(y) < 2000 || id_parse(y) > 9998)
        return errf(ERR_NOT_FOUND, NULL, "年度不存在");
    enum err rc = year_param(y, &year);
    if (rc || (rc = req_json(r, DUE, &in)))
        return rc;
    struct audit_ctx ax = audit_ctx_of(r);
    if ((rc = annual_due_date_set(r->db, &ax, year, json_str(in, "due_date"),
                                  json_str(in, "source"))))
        return rc;
    return annual_due_dates_h(r);
}
