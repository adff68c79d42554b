/* Shared inside src/iiot only: small helpers of iiot.c used by register.c. */
#ifndef FANGHU_IIOT_INTERNAL_H
#define FANGHU_IIOT_INTERNAL_H
#include <jansson.h>

#include "date.h"
#include "err.h"

struct db;
struct db_stmt;

struct date iiot_today(void);
/* The date at the start of an ISO date or time; -1 when there is none. */
int iiot_date_of(const char *iso, struct date *out);
void iiot_id_text(long long id, char out[24]);
json_t *iiot_int_or_null(struct db_stmt *s, int col);
/* text parsed as JSON, or fallback (owned) when it is NULL or not JSON. */
json_t *iiot_json_or(const char *text, json_t *fallback);
/* The date field of a request, not after today; *out is today when the field is absent. */
enum err iiot_past_date(json_t *in, const char *field, const char *label, struct date *out);
/* Runs sql to completion: $1 bound to ints[0] when ints is given, then the n texts. */
enum err iiot_exec(struct db *db, const char *sql, int n, const char *const *texts,
                   const long long *ints);
/* A list of type codes as a bit set (1 << type); each known, none twice. ERR_VALIDATION. */
enum err iiot_parse_types(json_t *arr, const char *field, unsigned *mask);

#endif
