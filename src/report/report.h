/* Documents for the regulator (issue 6): a small document model built with the functions below,
 * written out as DOCX (WordprocessingML in a zip, libzip) or PDF (cairo + pango, fonts embedded),
 * and the documents of the seeds built from the data, starting with the 定级报告 of seed 000
 * annex 2. The model owns every string it is given (copied); rendering never changes it. */
#ifndef FANGHU_REPORT_H
#define FANGHU_REPORT_H
#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "err.h"

struct db;
struct doc;
struct doc_para;
struct doc_table;
struct doc_cover;

enum doc_run_flags { DOC_BOLD = 1 << 0, DOC_ITALIC = 1 << 1, DOC_SUPER = 1 << 2, DOC_SUB = 1 << 3 };
enum doc_align { DOC_JUSTIFY, DOC_LEFT, DOC_CENTER, DOC_RIGHT };

/* A new empty document; title is the file's metadata title. Free with doc_free. */
struct doc *doc_new(const char *title);
void doc_free(struct doc *d);

/* The document's title line: large, bold, centred. */
void doc_title(struct doc *d, const char *text);
/* A heading of level 1..3 (asserted), numbered by the caller ("一、", "（一）", "1．"). */
void doc_heading(struct doc *d, int level, const char *text);
/* A body paragraph, justified with a first-line indent of two characters; add runs to it. */
struct doc_para *doc_para(struct doc *d);
void doc_para_align(struct doc_para *p, enum doc_align align, int indent);
void doc_run(struct doc_para *p, const char *text, unsigned flags);
void doc_runf(struct doc_para *p, unsigned flags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Body paragraphs, one per line of text (empty lines dropped); "" or NULL gives placeholder,
 * when not NULL, as one paragraph. */
void doc_text(struct doc *d, const char *text, const char *placeholder);
/* A "key：value" line: the key in bold, no indent; value "" or NULL → "（未填写）". */
void doc_kv(struct doc *d, const char *key, const char *value);
/* A table caption ("表1 …"): centred, bold. */
void doc_caption(struct doc *d, const char *text);
void doc_page_break(struct doc *d);

/* A cover page: title and subtitle (may be NULL), then "key：value" lines and, near the foot,
 * lines such as the organisation and the date. Must be the document's first block (asserted). */
struct doc_cover *doc_cover(struct doc *d, const char *title, const char *subtitle);
void doc_cover_line(struct doc_cover *c, const char *key, const char *value);
void doc_cover_bottom(struct doc_cover *c, const char *text);

/* A table of n_cols columns (1..64, asserted) with a header row; widths are relative (any
 * positive scale; NULL = equal). The header repeats on every page unless turned off. */
struct doc_table *doc_table(struct doc *d, size_t n_cols, const char *const *header,
                            const double *widths);
void doc_table_align(struct doc_table *t, size_t col, enum doc_align align);
void doc_table_repeat_header(struct doc_table *t, int repeat);
/* A row of n_cols cells (NULL cells are empty); flags DOC_BOLD makes the whole row bold. */
void doc_table_row(struct doc_table *t, const char *const *cells, unsigned flags);

/* Renderings. On success *bytes is malloc'd (the caller frees) and *len its size; on error
 * (ERR_IO, ERR_INTERNAL, ERR_TOO_LARGE past the size cap) nothing is returned. Both walk the
 * model once: time and memory grow linearly with the document. */
enum err doc_to_docx(const struct doc *d, char **bytes, size_t *len);
enum err doc_to_pdf(const struct doc *d, char **bytes, size_t *len);

/* The 定级报告 of seed 000 annex 2 from a unit's JSON (unit_json of src/unit/unit.h), dated
 * today. ERR_VALIDATION with field "grading" when the unit has not been graded. The caller
 * frees *out with doc_free. */
enum err report_grading_doc(json_t *unit, struct date today, struct doc **out);
/* The same for unit id, read within the caller's transaction (scope checked by the caller);
 * *name is the report's file name without extension ("<网络单元名称>定级报告"), malloc'd. */
enum err report_grading(struct db *db, long long unit_id, struct doc **out, char **name);

#endif
