/* 符合性评测 (seed 000 §三) and uploads: pure functions, no I/O. The score of an assessment run
 * against a check-item list, the date rules of an assessment, a manual score, the columns of a
 * check-item import, what an uploaded file is (by its bytes, not its name), and file names that
 * are safe to store and to send back in a Content-Disposition header. */
#ifndef FANGHU_ASSESS_RULES_H
#define FANGHU_ASSESS_RULES_H
#include <stddef.h>

#include "csv.h"
#include "date.h"
#include "err.h"

/* Score of a run: passed / (passed + failed) × 100, N/A excluded, rounded half up to two
 * decimals, written as "87.50" into out[16]. Returns 1, or 0 with out = "" when no item passed
 * or failed (no score). passed and failed must be >= 0. */
int assess_score(long long passed, long long failed, char out[16]);

/* A manual score: "0".."100" with at most two decimals ("87.5", "100.00"); normalised to two
 * decimals in out[16]. Errors: ERR_VALIDATION with field. */
enum err assess_score_parse(const char *s, const char *field, char out[16]);

/* Dates of an assessment: start is YYYY-MM-DD; end is NULL (not ended) or YYYY-MM-DD not before
 * start (ERR_VALIDATION naming "start_field,end_field") and not after today (an ended assessment
 * cannot end in the future; ERR_VALIDATION naming end_field). */
enum err assess_dates_check(const char *start, const char *end, struct date today,
                            const char *start_field, const char *end_field);

/* The columns of a check-item import (序号, area, requirement, method) in a header row. Header
 * cells are matched trimmed and case-insensitively, in English or Chinese (序号|编号|item_no,
 * area|检查域|安全域|层面|类别, requirement|要求|检查要求|安全要求|检查项, method|检测方法|
 * 检查方法|方法|测评方法). col[] gets the index of each, or -1. Returns the number missing. */
enum { CL_NO, CL_AREA, CL_REQUIREMENT, CL_METHOD, CL__COUNT };
int assess_checklist_columns(const struct tab_row *header, int col[CL__COUNT]);
/* The canonical column names, for messages: "序号", "area", "requirement", "method". */
const char *assess_checklist_column_name(int c);

/* Uploads: the allowed kinds, recognised by their bytes. DOCX and XLSX are zip containers with
 * [Content_Types].xml and word/document.xml or xl/workbook.xml; one carrying a VBA project
 * (vbaProject.bin, a macro-enabled document renamed) is FILE_MACRO and refused. */
enum file_kind { FILE_NONE, FILE_PDF, FILE_DOCX, FILE_XLSX, FILE_PNG, FILE_JPEG, FILE_MACRO };
enum file_kind assess_file_kind(const void *data, size_t len);
/* The media type of an allowed kind ("application/pdf" …); NULL for FILE_NONE and FILE_MACRO. */
const char *assess_file_media_type(enum file_kind k);
/* 1 when name ends with an extension of kind k (case-insensitive: .pdf .docx .xlsx .png .jpg
 * .jpeg), else 0. */
int assess_file_ext_matches(enum file_kind k, const char *name);

/* Cleans the name a client gave an upload into out[256]: the last path component (after / or
 * \), surrounding spaces removed. Errors (ERR_VALIDATION, field): empty, longer than 200 bytes,
 * invalid UTF-8, or control characters. */
enum err assess_file_name(const char *raw, const char *field, char out[256]);

/* The Content-Disposition value for a download of name (a cleaned name): attachment, an ASCII
 * fallback filename="…" (non-ASCII, quotes, backslashes and separators replaced by _) and
 * filename*=UTF-8''… (RFC 5987 percent-encoding). Truncated safely to size (>= 64). */
void assess_content_disposition(const char *name, char *out, size_t size);

#endif
