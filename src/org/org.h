/* Organisations: the tree of operators and regulators, their kinds, and regulators'
 * jurisdictions. Shared by the HTTP handlers and the CLI. */
#ifndef FANGHU_ORG_H
#define FANGHU_ORG_H
#include <jansson.h>
#include <stddef.h>

#include "err.h"

struct db;
struct audit_ctx;

struct org_kind {
    const char *code;
    const char *name;
    int regulator; /* 1 for regulator kinds */
};

const struct org_kind *org_kinds(size_t *n);
const struct org_kind *org_kind_find(const char *code);
/* The kind of an existing organisation into kind[32]; ERR_NOT_FOUND. */
enum err org_kind_of(struct db *db, long long id, char kind[32]);

/* The public JSON of an organisation, jurisdiction included; ERR_NOT_FOUND. */
enum err org_json(struct db *db, long long id, json_t **out);

/* Validates in (name, kind, uscc, province, parent_id, jurisdiction) and inserts the
 * organisation, its tree rows, its jurisdiction and an audit record, inside the caller's write
 * transaction. Errors name the field. */
enum err org_create(struct db *db, const struct audit_ctx *ax, json_t *in, long long *id);
/* Applies a partial update (name, uscc, province, jurisdiction) with an audit record. */
enum err org_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);

/* Is org_id inside the subtree of ancestor (itself included)? */
enum err org_in_tree(struct db *db, long long ancestor, long long org_id, int *inside);

#endif
