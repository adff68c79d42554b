/* The duties engine: one table of every obligation, produced from the data by the producers of
 * each module (units today; assessments, incidents, inspections … register theirs in
 * duty/registry.c). A subject's duties are replaced in the same transaction as the change that
 * affects them (duty_refresh); duty_recompute rebuilds them all and gives the same result.
 * Status (upcoming / due_soon / overdue / done) is derived from the due date and today. */
#ifndef FANGHU_DUTY_H
#define FANGHU_DUTY_H
#include <jansson.h>

#include "date.h"
#include "duty/rules.h"
#include "err.h"

struct db;

struct duty_item {
    enum duty_kind kind;
    const char *title;   /* NULL: the kind's name */
    const char *fulfils; /* what fulfils it, in Chinese */
    const char *rule;    /* rule-set version that produced it */
    const char *source;  /* NULL: the kind's source */
    long long org_id;
    long long unit_id; /* 0: none */
    char subject[48];  /* the subject it belongs to, e.g. "unit:12" */
    char key[128];     /* stable identity, e.g. "unit:12:filing" */
    struct date due;
    int done;
    struct date done_on;
};

/* Where producers put their duties. */
struct duty_sink {
    struct db *db;
    long long count;
};

/* Fills subject "NAME:ID" and key "NAME:ID:SUFFIX" of an item. */
void duty_item_name(struct duty_item *item, const char *subject, long long id, const char *suffix);

enum err duty_emit(struct duty_sink *sink, const struct duty_item *item);

/* A producer: the duties of one subject ("unit", id) or of every subject of its kind (id 0). */
struct duty_producer {
    const char *subject; /* "unit", "org", "campaign", … */
    enum err (*produce)(struct db *db, long long id, struct date today, struct duty_sink *sink);
    /* Optional: the duties of subjects first..last that have none yet (bulk imports). */
    enum err (*produce_new)(struct db *db, long long first, long long last, struct date today,
                            struct duty_sink *sink);
};

/* Replaces the duties of subject:id with what its producer says now. Call inside the write
 * transaction of the change. */
enum err duty_refresh(struct db *db, const char *subject, long long id);
/* Produces the duties of freshly inserted subjects first..last (ids without duties yet) in one
 * pass; falls back to duty_refresh of each when the producer has no bulk form. */
enum err duty_produce_new(struct db *db, const char *subject, long long first, long long last);
/* Deletes and rebuilds every duty of one kind of subject ("org", …), inside the caller's write
 * transaction; *n counts them. */
enum err duty_recompute_subject(struct db *db, const char *subject, long long *n);
/* Deletes and rebuilds every duty, inside the caller's write transaction; *n counts them. */
enum err duty_recompute(struct db *db, long long *n);

/* Derived status of a stored duty. */
const char *duty_state(const char *due, const char *done_at, struct date today);
const char *duty_state_name(const char *state);

#endif
