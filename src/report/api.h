/* Internal to the report module: the HTTP handlers that report_routes[] (api.c) lists, and the
 * reply of a rendered document shared by them. */
#ifndef FANGHU_REPORT_API_H
#define FANGHU_REPORT_API_H

#include "err.h"

struct request;
struct doc;

/* Renders d as PDF (pdf = 1) or DOCX and replies it as the download "<name>.pdf|.docx".
 * Errors of the renderer (ERR_TOO_LARGE, ERR_INTERNAL). d stays the caller's. */
enum err report_reply_doc(struct request *r, const struct doc *d, const char *name, int pdf);

/* risk_report.c: the 安全风险评估报告 of annex 3. */
enum err risk_report_docx_h(struct request *r);
enum err risk_report_pdf_h(struct request *r);

/* annual_api.c: the 安全防护工作报告 of annex 5 and its workflow. */
enum err annual_list_h(struct request *r);
enum err annual_create_h(struct request *r);
enum err annual_missing_h(struct request *r);
enum err annual_due_dates_h(struct request *r);
enum err annual_due_date_put_h(struct request *r);
enum err annual_get_h(struct request *r);
enum err annual_section_put_h(struct request *r);
enum err annual_docx_h(struct request *r);
enum err annual_pdf_h(struct request *r);
enum err annual_exposure_h(struct request *r);
enum err annual_submit_h(struct request *r);
enum err annual_ack_h(struct request *r);

/* catalogue.c: the document centre (文件下载中心). */
enum err catalogue_list_h(struct request *r);
enum err templates_list_h(struct request *r);
enum err template_upload_h(struct request *r);
enum err template_get_h(struct request *r);
enum err template_file_h(struct request *r);
enum err template_delete_h(struct request *r);

#endif
