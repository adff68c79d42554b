/* R6 working-day calendar: per loaded notice, a sorted list of its off-days and make-up
 * workdays. A day is looked up in its own year's notice and in the adjacent years' notices (a
 * notice can list the last days of the year before), then falls back to Monday–Friday. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "arena.h"
#include "date.h"
#include "embedded.h"
#include "workday.h"

#define HOLIDAY_PREFIX "data/cn-holidays/"
/* A notice's year, with room for the adjacent years its days may fall in. */
#define YEAR_MIN 1900
#define YEAR_MAX 9998

void workday_init(struct workday_cal *cal)
{
    cal->n_years = 0;
    cal->years = NULL;
}

void workday_release(struct workday_cal *cal)
{
    for (size_t i = 0; i < cal->n_years; i++)
        free(cal->years[i].entries);
    free(cal->years);
    workday_init(cal);
}

static int cmp_entry(const void *a, const void *b)
{
    const struct workday_entry *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

/* One element of "days": {"name": "...", "date": "YYYY-MM-DD", "isOffDay": bool}. */
static enum err parse_day(json_t *item, size_t index, int year, struct workday_entry *out)
{
    json_t *name = json_object_get(item, "name");
    json_t *date = json_object_get(item, "date");
    json_t *off = json_object_get(item, "isOffDay");
    struct date d;

    if (!json_is_object(item) || !json_is_string(name) || !json_is_string(date) ||
        !json_is_boolean(off))
        return errf(ERR_VALIDATION, "days",
                    "days 第 %zu 项应为 {\"name\": 字符串, \"date\": \"YYYY-MM-DD\", "
                    "\"isOffDay\": true/false}",
                    index + 1);
    if (date_parse(json_string_value(date), &d))
        return errf(ERR_VALIDATION, "date", "days 第 %zu 项的日期 \"%s\" 不是合法的 YYYY-MM-DD",
                    index + 1, json_string_value(date));
    if (d.y < year - 1 || d.y > year + 1)
        return errf(ERR_VALIDATION, "date", "days 第 %zu 项的日期 %s 不在 %d 年前后", index + 1,
                    json_string_value(date), year);
    out->day = date_to_days(d);
    out->is_off = json_is_true(off);
    return ERR_OK;
}

/* Sorts the entries and drops exact repeats; a date listed both off and on is an error. */
static enum err sort_entries(struct workday_year *y)
{
    size_t kept = 0;
    qsort(y->entries, y->n_entries, sizeof *y->entries, cmp_entry);
    for (size_t i = 0; i < y->n_entries; i++) {
        if (kept && y->entries[kept - 1].day == y->entries[i].day) {
            if (y->entries[kept - 1].is_off != y->entries[i].is_off) {
                char text[11];
                date_format(date_from_days(y->entries[i].day), text);
                return errf(ERR_VALIDATION, "date", "日期 %s 同时被列为放假和调休上班", text);
            }
            continue;
        }
        y->entries[kept++] = y->entries[i];
    }
    y->n_entries = kept;
    return ERR_OK;
}

static enum err parse_notice(json_t *root, struct workday_year *out)
{
    json_t *year = json_object_get(root, "year");
    json_t *days = json_object_get(root, "days");
    enum err rc;

    if (!json_is_object(root))
        return errf(ERR_VALIDATION, "year", "节假日文件应为含 year 和 days 的 JSON 对象");
    if (!json_is_integer(year) || json_integer_value(year) < YEAR_MIN ||
        json_integer_value(year) > YEAR_MAX)
        return errf(ERR_VALIDATION, "year", "year 应为 %d 至 %d 的整数", YEAR_MIN, YEAR_MAX);
    if (!json_is_array(days))
        return errf(ERR_VALIDATION, "days", "days 应为数组");

    out->year = (int)json_integer_value(year);
    out->n_entries = json_array_size(days);
    out->entries = xcalloc(out->n_entries, sizeof *out->entries);
    for (size_t i = 0; i < out->n_entries; i++) {
        rc = parse_day(json_array_get(days, i), i, out->year, &out->entries[i]);
        if (rc)
            return rc;
    }
    return sort_entries(out);
}

/* Index of year in cal->years, or where it would be inserted; *found says which. */
static size_t find_year(const struct workday_cal *cal, int year, int *found)
{
    size_t lo = 0, hi = cal->n_years;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->years[mid].year < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < cal->n_years && cal->years[lo].year == year;
    return lo;
}

enum err workday_load_json(struct workday_cal *cal, const char *json, size_t len)
{
    struct workday_year notice = {0, 0, NULL};
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    enum err rc;
    int found;

    if (!root)
        return errf(ERR_BAD_JSON, "json", "节假日文件不是合法的 JSON（第 %d 行：%s）", jerr.line,
                    jerr.text);
    rc = parse_notice(root, &notice);
    if (rc)
        goto out;

    /* Loading a year again replaces its notice. */
    size_t at = find_year(cal, notice.year, &found);
    if (found) {
        free(cal->years[at].entries);
    } else {
        cal->years = xrealloc(cal->years, (cal->n_years + 1) * sizeof *cal->years);
        memmove(&cal->years[at + 1], &cal->years[at], (cal->n_years - at) * sizeof *cal->years);
        cal->n_years++;
    }
    cal->years[at] = notice;
    notice.entries = NULL;
out:
    free(notice.entries);
    json_decref(root);
    return rc;
}

enum err workday_load_embedded(struct workday_cal *cal)
{
    size_t prefix_len = strlen(HOLIDAY_PREFIX);
    for (const struct embedded_file *f = embedded_files; f->name; f++) {
        if (strncmp(f->name, HOLIDAY_PREFIX, prefix_len) != 0)
            continue;
        enum err rc = workday_load_json(cal, f->data, f->len);
        if (rc) {
            /* errf overwrites the detail it would read from: copy it first. */
            struct err_detail detail = *err_last();
            return errf(rc, detail.field, "%s：%s", f->name,
                        detail.msg[0] ? detail.msg : err_message(rc));
        }
    }
    return ERR_OK;
}

int workday_has_year(const struct workday_cal *cal, int year)
{
    int found;
    find_year(cal, year, &found);
    return found;
}

/* The entry for day in the notice of year, if that notice is loaded and lists the day. */
static const struct workday_entry *lookup(const struct workday_cal *cal, int year, long day)
{
    int found;
    size_t at = find_year(cal, year, &found);
    if (!found)
        return NULL;
    struct workday_entry key = {day, 0};
    const struct workday_year *y = &cal->years[at];
    return bsearch(&key, y->entries, y->n_entries, sizeof *y->entries, cmp_entry);
}

/* R6 for one day number, the day's year known to be loaded. */
static int is_workday_day(const struct workday_cal *cal, struct date d, long day)
{
    /* The day's own notice first, then the notices of the years around it. */
    const struct workday_entry *e = lookup(cal, d.y, day);
    if (!e)
        e = lookup(cal, d.y + 1, day);
    if (!e)
        e = lookup(cal, d.y - 1, day);
    if (e)
        return !e->is_off;
    int weekday = date_weekday(d);
    return weekday != 0 && weekday != 6;
}

static enum err no_calendar(int year)
{
    /* R6: a missing notice is an error the user sees, never a weekday guess. */
    return errf(ERR_NO_CALENDAR, "date", "%d 年节假日安排未导入", year);
}

enum err workday_is_workday(const struct workday_cal *cal, struct date d, int *is_workday)
{
    if (!workday_has_year(cal, d.y))
        return no_calendar(d.y);
    *is_workday = is_workday_day(cal, d, date_to_days(d));
    return ERR_OK;
}

enum err workday_add(const struct workday_cal *cal, struct date start, int n, struct date *out)
{
    /* R6: the N-th working day after start, start itself not counted. Every year a notice is
     * loaded for lies in YEAR_MIN..YEAR_MAX, so the walk stops before leaving 1..9999. */
    long day = date_to_days(start);
    int step = n < 0 ? -1 : 1;
    long remaining = n < 0 ? -(long)n : n;
    struct date d = start;

    while (remaining > 0) {
        day += step;
        d = date_from_days(day);
        if (!workday_has_year(cal, d.y))
            return no_calendar(d.y);
        remaining -= is_workday_day(cal, d, day);
    }
    *out = d;
    return ERR_OK;
}

enum err workday_count(const struct workday_cal *cal, struct date from, struct date to, int *n)
{
    long first = date_to_days(from), last = date_to_days(to);
    int sign = 1, count = 0;
    if (last < first) {
        long swap = first;
        first = last;
        last = swap;
        sign = -1;
    }
    for (long day = first + 1; day <= last; day++) {
        struct date d = date_from_days(day);
        if (!workday_has_year(cal, d.y))
            return no_calendar(d.y);
        count += is_workday_day(cal, d, day);
    }
    *n = sign * count;
    return ERR_OK;
}
