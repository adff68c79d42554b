/* Units in bulk: import from CSV or XLSX (all or nothing, every bad row reported), export to
 * XLSX, and the import template. Shared by the HTTP handlers and the CLI. */
#ifndef FANGHU_UNIT_TRANSFER_H
#define FANGHU_UNIT_TRANSFER_H
#include <jansson.h>
#include <stddef.h>

#include "auth/auth.h"
#include "err.h"

struct db;
struct audit_ctx;

struct unit_import_result {
    long long rows;    /* data rows read */
    long long created; /* units created (0 when any row is bad) */
    long long first_id, last_id;
    json_t *errors; /* [{line, field, message}], owned by the caller; empty when none */
};

/* Imports units from data (CSV or XLSX by content) inside the caller's write transaction. Each
 * row names its organisation by 统一社会信用代码, which must be within the caller's scope. With
 * any bad row nothing is written: the function returns ERR_VALIDATION and res->errors lists
 * every bad row and field (at most 1000). One audit record covers the import (file SM3, count,
 * id range). */
enum err unit_import(struct db *db, const struct audit_ctx *ax, const struct caller *caller,
                     const char *data, size_t len, struct unit_import_result *res);

/* The import template (XLSX bytes, malloc'd): the header row, an example row, and a sheet of
 * unit-type codes. */
enum err unit_import_template(char **bytes, size_t *len);

/* The column headers of the template and of the export, in order. */
const char *const *unit_columns(size_t *n);

#endif
