/* The process calendar behind a read-write lock. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit/audit.h"
#include "calendar.h"
#include "json.h"
#include "store/store.h"
#include "timeutil.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct workday_cal cal;
static int imported_years[64];
static size_t n_imported;

static const char SQL_ALL[] = "SELECT year, body FROM holiday_notices ORDER BY year";

enum err calendar_load(struct db *db)
{
    struct workday_cal fresh;
    workday_init(&fresh);
    enum err rc = workday_load_embedded(&fresh);
    int years[64];
    size_t n = 0;
    struct db_stmt *s;
    if (!rc && !(rc = db_prepare(db, SQL_ALL, &s))) {
        int row;
        while (!(rc = db_step(s, &row)) && row) {
            const char *body = db_text(s, 1);
            if ((rc = workday_load_json(&fresh, body, strlen(body))))
                break;
            if (n < sizeof years / sizeof years[0])
                years[n++] = (int)db_int(s, 0);
        }
        db_done(s);
    }
    if (rc) {
        workday_release(&fresh);
        return rc;
    }
    pthread_rwlock_wrlock(&lock);
    workday_release(&cal);
    cal = fresh;
    memcpy(imported_years, years, n * sizeof *years);
    n_imported = n;
    pthread_rwlock_unlock(&lock);
    return ERR_OK;
}

enum err calendar_add_workdays(struct date start, int n, struct date *out)
{
    pthread_rwlock_rdlock(&lock);
    enum err rc = workday_add(&cal, start, n, out);
    pthread_rwlock_unlock(&lock);
    return rc;
}

enum err calendar_is_workday(struct date d, int *is_workday)
{
    pthread_rwlock_rdlock(&lock);
    enum err rc = workday_is_workday(&cal, d, is_workday);
    pthread_rwlock_unlock(&lock);
    return rc;
}

enum err calendar_count_workdays(struct date from, struct date to, int *n)
{
    pthread_rwlock_rdlock(&lock);
    enum err rc = workday_count(&cal, from, to, n);
    pthread_rwlock_unlock(&lock);
    return rc;
}

enum err calendar_year(int year, struct workday_entry **entries, size_t *n, int *imported)
{
    enum err rc = ERR_OK;
    *entries = NULL;
    *n = 0;
    *imported = 0;
    pthread_rwlock_rdlock(&lock);
    for (size_t i = 0; i < cal.n_years; i++)
        if (cal.years[i].year == year) {
            *n = cal.years[i].n_entries;
            *entries = xmalloc(*n * sizeof **entries + 1);
            memcpy(*entries, cal.years[i].entries, *n * sizeof **entries);
        }
    for (size_t i = 0; i < n_imported; i++)
        if (imported_years[i] == year)
            *imported = 1;
    pthread_rwlock_unlock(&lock);
    if (!*entries)
        rc = errf(ERR_NO_CALENDAR, "year", "%d 年节假日安排未导入", year);
    return rc;
}

void calendar_years(int **years, size_t *n)
{
    pthread_rwlock_rdlock(&lock);
    *n = cal.n_years;
    *years = xmalloc(*n * sizeof **years + 1);
    for (size_t i = 0; i < *n; i++)
        (*years)[i] = cal.years[i].year;
    pthread_rwlock_unlock(&lock);
}

static const char SQL_UPSERT[] =
    "INSERT INTO holiday_notices (year, body, imported_at, imported_by) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (year) DO UPDATE SET body = excluded.body, imported_at = excluded.imported_at, "
    "imported_by = excluded.imported_by";

enum err calendar_import(struct db *db, const struct audit_ctx *ax, const char *json, size_t len,
                         int *year)
{
    /* Validate by loading into a scratch calendar: the same parser the process uses. */
    struct workday_cal probe;
    workday_init(&probe);
    enum err rc = workday_load_json(&probe, json, len);
    *year = probe.n_years == 1 ? probe.years[0].year : 0;
    size_t n_entries = probe.n_years == 1 ? probe.years[0].n_entries : 0;
    workday_release(&probe);
    if (rc)
        return rc;
    if (!*year)
        return errf(ERR_VALIDATION, "file", "节假日文件应只含一个年度");
    struct db_stmt *s;
    char now[40];
    time_now_iso(now);
    char *body = xmalloc(len + 1);
    memcpy(body, json, len);
    body[len] = '\0';
    if (!(rc = db_prepare(db, SQL_UPSERT, &s))) {
        db_bind_int(s, 1, *year);
        db_bind_text(s, 2, body);
        db_bind_text(s, 3, now);
        db_bind_text(s, 4, ax->actor_name);
        int row;
        rc = db_step(s, &row);
        db_done(s);
    }
    free(body);
    if (rc)
        return rc;
    json_t *after = json_pack("{s:i,s:I}", "year", *year, "entries", (json_int_t)n_entries);
    char yb[8];
    snprintf(yb, sizeof yb, "%d", *year);
    rc = audit_append(db, ax, "calendar.import", "holiday_notice", yb, 0, NULL, after);
    json_decref(after);
    return rc;
}
