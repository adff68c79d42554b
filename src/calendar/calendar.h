/* The working-day calendar of this process (R6): the notices shipped in the binary plus those an
 * administrator imported (table holiday_notices). Readers take it shared; an import swaps it. */
#ifndef FANGHU_CALENDAR_H
#define FANGHU_CALENDAR_H
#include <stddef.h>

#include "date.h"
#include "err.h"
#include "workday.h"

struct db;
struct audit_ctx;

/* Loads the embedded notices and every imported one. Call once before serving. */
enum err calendar_load(struct db *db);

/* R6 operations on the process calendar (ERR_NO_CALENDAR for a year not loaded). */
enum err calendar_add_workdays(struct date start, int n, struct date *out);
enum err calendar_is_workday(struct date d, int *is_workday);
enum err calendar_count_workdays(struct date from, struct date to, int *n);

/* Copies the entries of year (sorted) into a malloc'd array the caller frees. */
enum err calendar_year(int year, struct workday_entry **entries, size_t *n, int *imported);
/* The years loaded, ascending, into a malloc'd array. */
void calendar_years(int **years, size_t *n);

/* Validates a notice (holiday-cn JSON), stores it with an audit record inside the caller's
 * write transaction, and reloads the process calendar after commit via calendar_load. */
enum err calendar_import(struct db *db, const struct audit_ctx *ax, const char *json, size_t len,
                         int *year);

#endif
