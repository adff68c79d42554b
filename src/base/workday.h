/* R6 working days: Monday to Friday, minus the statutory off-days, plus the make-up workdays
 * (调休上班) of the State Council's yearly notice, loaded from data/cn-holidays/YYYY.json (the
 * holiday-cn format). A year whose notice is not loaded is an error, never a weekday guess. */
#ifndef FANGHU_WORKDAY_H
#define FANGHU_WORKDAY_H

#include <stddef.h>

#include "err.h"
#include "date.h"

struct workday_entry {
    long day;   /* date_to_days() of the date */
    int is_off; /* 1 = statutory off-day (isOffDay true), 0 = make-up workday */
};

/* One loaded notice. Its entries may include days of the adjacent years (2008.json lists
 * 2007-12-29..31): they count by their own date, but only this notice's year is "loaded". */
struct workday_year {
    int year;
    size_t n_entries;
    struct workday_entry *entries; /* sorted by day, no duplicates */
};

struct workday_cal {
    size_t n_years;
    struct workday_year *years; /* sorted by year */
};

/* Sets up an empty calendar (no year loaded); allocates nothing. */
void workday_init(struct workday_cal *cal);

/* Frees what the calendar holds; it is empty (as after workday_init) afterwards. */
void workday_release(struct workday_cal *cal);

/* Loads one notice in the holiday-cn format:
 *   {"year": 2026, "days": [{"name": "元旦", "date": "2026-01-01", "isOffDay": true}, ...]}
 * (other top-level members such as "$schema" and "papers" are ignored). json need not be
 * NUL-terminated. Loading a year again replaces its previous notice. Each day must lie in the
 * notice's year or the one before or after; a date listed twice must agree with itself.
 * Errors: ERR_BAD_JSON (not JSON), ERR_VALIDATION (field "year", "days" or "date": a malformed
 * notice); on error the calendar is unchanged. */
enum err workday_load_json(struct workday_cal *cal, const char *json, size_t len);

/* Loads every file of embedded_files[] (embedded.h) named "data/cn-holidays/...", in order.
 * Errors: those of workday_load_json, the file's name added to the message. */
enum err workday_load_embedded(struct workday_cal *cal);

/* 1 when the notice of year has been loaded, else 0. */
int workday_has_year(const struct workday_cal *cal, int year);

/* Sets *is_workday to 1 when d is a working day under R6, else 0. Errors: ERR_NO_CALENDAR
 * (field "date", "YYYY 年节假日安排未导入") when d's year is not loaded; *is_workday untouched. */
enum err workday_is_workday(const struct workday_cal *cal, struct date d, int *is_workday);

/* R6 "N 个工作日内" after start: the n-th working day after start, start itself not counted
 * (n = 0 gives start; n < 0 gives the |n|-th working day before start). Errors:
 * ERR_NO_CALENDAR when a day on the way belongs to a year not loaded; *out untouched. */
enum err workday_add(const struct workday_cal *cal, struct date start, int n, struct date *out);

/* Sets *n to the number of working days in (from, to]: from not counted, to counted; when to is
 * before from, the count of (to, from] negated (so workday_add(from, *n) == to for a working to).
 * Errors: ERR_NO_CALENDAR as in workday_is_workday; *n untouched. */
enum err workday_count(const struct workday_cal *cal, struct date from, struct date to, int *n);

#endif
