/* Civil dates (proleptic Gregorian, years 1..9999) without a time zone: parsing, formatting,
 * day and month arithmetic for the deadlines of R3, R5, R6 and R9. Pure functions: the only
 * one that reads the clock is date_today_shanghai(). */
#ifndef FANGHU_DATE_H
#define FANGHU_DATE_H

#include "err.h"

struct date {
    int y, m, d; /* year 1..9999, month 1..12, day 1..28/29/30/31 */
};

/* 1 when y is a Gregorian leap year. */
int date_is_leap(int y);

/* Days in month m (1..12) of year y; 0 when m is out of range. */
int date_days_in_month(int y, int m);

/* 1 when d names a real day of years 1..9999, else 0. */
int date_valid(struct date d);

/* Parses exactly "YYYY-MM-DD" (ten characters, ASCII digits, a real day, leap years included)
 * into *out. s may be NULL. Errors: ERR_VALIDATION with field "date" and a Chinese message;
 * *out is left untouched on error. */
enum err date_parse(const char *s, struct date *out);

/* Writes d as "YYYY-MM-DD" and a NUL into out. d must be valid (asserted). */
void date_format(struct date d, char out[11]);

/* Day of the week of a valid d: 0 = Sunday, 1 = Monday, ... 6 = Saturday. */
int date_weekday(struct date d);

/* Days since 1970-01-01 (negative before it) of a valid d, and back. date_from_days takes any
 * value whose result lies in years 1..9999 (asserted). */
long date_to_days(struct date d);
struct date date_from_days(long days);

/* The day n calendar days after d (n may be negative). R3 "N 日内" ends on date_add_days(d, N). */
struct date date_add_days(struct date d, int n);

/* R3 "N 个月内": the same day n months later (n may be negative), or that month's last day when
 * it has no such day (2024-01-31 + 1 → 2024-02-29; 2023-01-31 + 1 → 2023-02-28). */
struct date date_add_months(struct date d, int n);

/* Negative, zero or positive as a is before, the same day as, or after b. */
int date_cmp(struct date a, struct date b);

/* Today's date in Asia/Shanghai (UTC+8 all year, no daylight saving), from time(). */
struct date date_today_shanghai(void);

#endif
