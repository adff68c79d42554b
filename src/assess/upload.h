/* Uploaded files (reports and evidence of 符合性评测 and 风险评估): content-addressed storage under
 * DATA/files/ab/cd/<sm3 hex>, written once (temp file, fsync, rename), the rows that let an
 * organisation see a content under a name, and the links of files to assessments. Only PDF,
 * DOCX, XLSX, PNG and JPEG are accepted, recognised by their bytes. */
#ifndef FANGHU_ASSESS_UPLOAD_H
#define FANGHU_ASSESS_UPLOAD_H
#include <jansson.h>
#include <stddef.h>

#include "arena.h"
#include "err.h"

struct db;
struct audit_ctx;
struct request;

struct file_meta {
    char sm3[65];
    long long org_id;
    long long size;
    char media_type[96];
    char name[256];
};

/* What a file is attached to. */
enum file_subject { FILE_OF_ASSESSMENT, FILE_OF_RISK };

/* 1 when s is 64 lowercase hex digits (an SM3 as this module writes it). */
int file_id_valid(const char *s);

/* Checks an upload before anything is written: the name (cleaned, field "name"), the kind by
 * its bytes (ERR_MEDIA_TYPE for anything but PDF, DOCX, XLSX, PNG, JPEG, or a macro-enabled
 * document), the name's extension against the kind and the declared content type (absent,
 * application/octet-stream or the detected type; else ERR_MEDIA_TYPE). Fills m except org_id. */
enum err file_check_upload(const void *data, size_t len, const char *raw_name,
                           const char *content_type, struct file_meta *m);

/* Writes the bytes under DATA/files once: a content already stored is left as it is. Call
 * outside the database transaction (slow I/O); a file whose transaction then fails stays on disk
 * unreferenced, which is harmless (the next upload of that content reuses it). ERR_IO. */
enum err file_store_blob(const void *data, size_t len, const char *sm3);

/* Records that m->org_id holds the content (file.upload audit record). *created is 0 when the
 * organisation already held it (the existing row is kept, name included). *out: file JSON. */
enum err file_record(struct db *db, const struct audit_ctx *ax, const struct file_meta *m,
                     json_t **out, int *created);

/* The file sm3 as the caller of r may see it (a row of an organisation in scope). ERR_NOT_FOUND
 * otherwise, also for a malformed id. */
enum err file_find_visible(struct request *r, const char *sm3, struct file_meta *m);

/* The JSON of a file row. */
json_t *file_meta_json(const struct file_meta *m);

/* Reads the stored bytes (size bytes expected) into the arena. ERR_IO when missing or short. */
enum err file_load(struct arena *a, const char *sm3, long long size, char **data);

/* Attaches the file m (visible to the caller) to a subject of organisation org_id as role
 * "report" (replacing the current report) or "evidence"; the organisation gets its own row for
 * the content so that everyone who sees the assessment can download it. ERR_VALIDATION (field
 * "role"), ERR_CONFLICT when already attached in that role. Audited as <subject>.file_link. */
enum err file_link_add(struct db *db, const struct audit_ctx *ax, enum file_subject subj,
                       long long subject_id, long long org_id, const struct file_meta *m,
                       const char *role, long long *link_id);
/* Detaches link link_id of the subject; ERR_NOT_FOUND. Audited. */
enum err file_link_delete(struct db *db, const struct audit_ctx *ax, enum file_subject subj,
                          long long subject_id, long long org_id, long long link_id);
/* The links of a subject as an array of {link_id, file_id, name, size, media_type, role,
 * linked_by, linked_at}; *has_report tells whether a report is among them (may be NULL). */
enum err file_links_json(struct db *db, enum file_subject subj, long long subject_id, json_t **out,
                         int *has_report);
/* Deletes every link of a subject (when the subject is deleted). */
enum err file_links_clear(struct db *db, enum file_subject subj, long long subject_id);

#endif
