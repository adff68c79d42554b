/* HTTP: documents for download. The 定级报告 of a unit as DOCX or PDF, for whoever may see the
 * unit (the same scope as GET /api/v1/units/:id: 404 outside it). */
#include <stdlib.h>

#include "api.h"
#include "http/export.h"
#include "http/http.h"
#include "report.h"
#include "unit/unit.h"

static const char DOCX_TYPE[] =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/* The unit of the route, if the caller may see it (404 otherwise). */
static enum err visible_unit(struct request *r, long long *id)
{
    return req_scoped_id(r, 0, unit_org, "网络单元不存在", id, NULL);
}

static enum err grading_report(struct request *r, int pdf)
{
    long long id;
    struct doc *d = NULL;
    char *name = NULL, *bytes = NULL, *file = NULL;
    size_t len;
    enum err rc = visible_unit(r, &id);
    if (rc || (rc = report_grading(r->db, id, &d, &name)))
        return rc;
    rc = pdf ? doc_to_pdf(d, &bytes, &len) : doc_to_docx(d, &bytes, &len);
    if (!rc) {
        if (asprintf(&file, "%s.%s", name, pdf ? "pdf" : "docx") < 0)
            die_oom();
        reply_file(r, pdf ? "application/pdf" : DOCX_TYPE, file, bytes, len);
    }
    free(file);
    free(bytes);
    free(name);
    doc_free(d);
    return rc;
}

static enum err grading_docx(struct request *r)
{
    return grading_report(r, 0);
}

static enum err grading_pdf(struct request *r)
{
    return grading_report(r, 1);
}

enum err report_reply_doc(struct request *r, const struct doc *d, const char *name, int pdf)
{
    char *bytes = NULL, *file = NULL;
    size_t len;
    enum err rc = pdf ? doc_to_pdf(d, &bytes, &len) : doc_to_docx(d, &bytes, &len);
    if (rc)
        return rc;
    if (asprintf(&file, "%s.%s", name, pdf ? "pdf" : "docx") < 0)
        die_oom();
    reply_file(r, pdf ? "application/pdf" : DOCX_TYPE, file, bytes, len);
    free(file);
    free(bytes);
    return ERR_OK;
}

/* 安全防护工作报告 as the console lists them: 状态 with its 逾期 mark and the due date shown red
 * when overdue as their own columns; 接收确认 by name. */
static const struct export_col annual_cols[] = {
    {"year", "年度", NULL},
    {"org_name", "单位", NULL},
    {"org_kind_name", "类型", NULL},
    {"due_date", "截止日期", NULL},
    {"status_name", "状态", NULL},
    {"late", "逾期报送", NULL},
    {"overdue", "逾期未报送", NULL},
    {"submitted_at", "报送时间", NULL},
    {"acknowledged", "接收确认", "true=已确认|false=未确认"},
    {NULL, NULL, NULL},
};

/* 未报送单位 of the year asked (?year=). */
static const struct export_col missing_cols[] = {
    {"year", "年度", NULL},
    {"org_name", "单位", NULL},
    {"kind_name", "类型", NULL},
    {"province_name", "省份", NULL},
    {"parent_name", "上级单位", NULL},
    {"due_date", "截止日期", NULL},
    {"status", "状态", "none=未编写|draft=草稿未报送"},
    {NULL, NULL, NULL},
};

/* 文件下载中心: 发布机关 / 文号 as its two parts. */
static const struct export_col catalogue_cols[] = {
    {"kind_name", "类型", NULL}, {"title", "名称", NULL},  {"issuer", "发布机关", NULL},
    {"number", "文号", NULL},    {"source", "来源", NULL}, {NULL, NULL, NULL},
};

static const struct export_col template_cols[] = {
    {"title", "名称", NULL},          {"name", "文件名", NULL}, {"description", "说明", NULL},
    {"created_at", "上传时间", NULL}, {NULL, NULL, NULL},
};

const struct list_export report_exports[] = {
    {"/api/v1/annual-reports", "安全防护工作报告", annual_cols, NULL, NULL},
    {"/api/v1/annual-reports/missing", "未报送安全防护工作报告单位", missing_cols, NULL, NULL},
    {"/api/v1/doc-catalogue", "政策文件与标准目录", catalogue_cols, NULL, NULL},
    {"/api/v1/doc-templates", "模板与文件", template_cols, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct route report_routes[] = {
    {"GET", "/api/v1/units/:id/grading-report.docx", grading_docx, 0},
    {"GET", "/api/v1/units/:id/grading-report.pdf", grading_pdf, 0},
    /* 安全风险评估报告 (annex 3) */
    {"GET", "/api/v1/risk-assessments/:id/report.docx", risk_report_docx_h, 0},
    {"GET", "/api/v1/risk-assessments/:id/report.pdf", risk_report_pdf_h, 0},
    /* 安全防护工作报告 (annex 5): /missing before /:id */
    {"GET", "/api/v1/annual-reports", annual_list_h, 0},
    {"POST", "/api/v1/annual-reports", annual_create_h, 0},
    {"GET", "/api/v1/annual-reports/missing", annual_missing_h, 0},
    {"GET", "/api/v1/annual-report-due-dates", annual_due_dates_h, 0},
    {"PUT", "/api/v1/annual-report-due-dates/:year", annual_due_date_put_h, 0},
    {"GET", "/api/v1/annual-reports/:id", annual_get_h, 0},
    {"PUT", "/api/v1/annual-reports/:id/sections/:section", annual_section_put_h, 0},
    {"GET", "/api/v1/annual-reports/:id/report.docx", annual_docx_h, 0},
    {"GET", "/api/v1/annual-reports/:id/report.pdf", annual_pdf_h, 0},
    {"GET", "/api/v1/annual-reports/:id/exposure.xlsx", annual_exposure_h, 0},
    {"POST", "/api/v1/annual-reports/:id/submit", annual_submit_h, R_OWN_TX},
    {"POST", "/api/v1/annual-reports/:id/acknowledge", annual_ack_h, 0},
    /* 文件下载中心 */
    {"GET", "/api/v1/doc-catalogue", catalogue_list_h, 0},
    {"GET", "/api/v1/doc-templates", templates_list_h, 0},
    {"POST", "/api/v1/doc-templates", template_upload_h, R_OWN_TX | R_UPLOAD},
    {"GET", "/api/v1/doc-templates/:id", template_get_h, 0},
    {"GET", "/api/v1/doc-templates/:id/file", template_file_h, 0},
    {"DELETE", "/api/v1/doc-templates/:id", template_delete_h, 0},
    {NULL, NULL, NULL, 0},
};
