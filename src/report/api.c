/* HTTP: documents for download. The 定级报告 of a unit as DOCX or PDF, for whoever may see the
 * unit (the same scope as GET /api/v1/units/:id: 404 outside it). */
#include <stdlib.h>

#include "api.h"
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
