/* Civil dates: the days-from-civil algorithm (H. Hinnant) on the proleptic Gregorian calendar,
 * so every deadline is integer arithmetic on day numbers. No time zone is involved except in
 * date_today_shanghai(). */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "date.h"

/* Asia/Shanghai has been UTC+8 without daylight saving since 1991. */
#define SHANGHAI_OFFSET_SECONDS (8 * 3600)

int date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

int date_valid(struct date d)
{
    return d.y >= 1 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 &&
           d.d <= date_days_in_month(d.y, d.m);
}

/* Reads n ASCII digits at s (never a sign or a space, unlike strtol). -1 if one is not a digit. */
static int digits(const char *s, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

enum err date_parse(const char *s, struct date *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return errf(ERR_VALIDATION, "date", "日期格式应为 YYYY-MM-DD");
    struct date d = {digits(s, 4), digits(s + 5, 2), digits(s + 8, 2)};
    if (d.y < 0 || d.m < 0 || d.d < 0)
        return errf(ERR_VALIDATION, "date", "日期格式应为 YYYY-MM-DD");
    if (!date_valid(d))
        return errf(ERR_VALIDATION, "date", "日期 %s 不存在", s);
    *out = d;
    return ERR_OK;
}

void date_format(struct date d, char out[11])
{
    assert(date_valid(d));
    /* The unsigned remainders only tell the compiler the output fits in 10 characters. */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u,
             (unsigned)d.d % 100u);
}

/* Floor division for the era arithmetic below, whatever the sign of a. */
static long floor_div(long a, long b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

long date_to_days(struct date d)
{
    assert(date_valid(d));
    long y = d.m <= 2 ? d.y - 1 : d.y;
    long era = floor_div(y, 400);
    long yoe = y - era * 400;                                            /* [0, 399] */
    long doy = (153L * (d.m > 2 ? d.m - 3 : d.m + 9) + 2) / 5 + d.d - 1; /* [0, 365] */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                    /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

struct date date_from_days(long days)
{
    long z = days + 719468;
    long era = floor_div(z, 146097);
    long doe = z - era * 146097;                                      /* [0, 146096] */
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    long mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    assert(y >= 1 && y <= 9999);
    return (struct date){(int)y, (int)m, (int)d};
}

int date_weekday(struct date d)
{
    /* 1970-01-01 was a Thursday. */
    long w = (date_to_days(d) + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

struct date date_add_days(struct date d, int n)
{
    return date_from_days(date_to_days(d) + n);
}

struct date date_add_months(struct date d, int n)
{
    assert(date_valid(d));
    /* R3 "N 个月内": same day N months later, clamped to the month's last day. */
    long months = (long)d.y * 12 + (d.m - 1) + n;
    long y = floor_div(months, 12);
    struct date r = {(int)y, (int)(months - y * 12) + 1, d.d};
    assert(r.y >= 1 && r.y <= 9999);
    int last = date_days_in_month(r.y, r.m);
    if (r.d > last)
        r.d = last;
    return r;
}

int date_cmp(struct date a, struct date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

struct date date_today_shanghai(void)
{
    time_t now = time(NULL) + SHANGHAI_OFFSET_SECONDS;
    struct tm tm;
    if (!gmtime_r(&now, &tm))
        return (struct date){1970, 1, 1}; /* unreachable for any real clock */
    return (struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}
