/* HTTP: the working-day calendar (R6): which years are loaded, a year's days, date arithmetic
 * for the console, and the administrator's import of a new State Council notice. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "calendar.h"
#include "http/http.h"
#include "store/store.h"

static enum err years_h(struct request *r)
{
    int *years;
    size_t n;
    calendar_years(&years, &n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_integer(years[i]));
    free(years);
    reply_json(r, 200, json_pack("{s:o}", "years", arr));
    return ERR_OK;
}

static enum err year_h(struct request *r)
{
    long long year = r->n_params ? id_parse(r->params[0]) : -1;
    if (year < 1900 || year > 2200)
        return errf(ERR_NOT_FOUND, NULL, "年份不合法");
    struct workday_entry *e;
    size_t n;
    int imported;
    enum err rc = calendar_year((int)year, &e, &n, &imported);
    if (rc)
        return rc;
    json_t *days = json_array();
    for (size_t i = 0; i < n; i++) {
        char d[11];
        date_format(date_from_days(e[i].day), d);
        json_array_append_new(days, json_pack("{s:s,s:b}", "date", d, "off", e[i].is_off));
    }
    free(e);
    reply_json(
        r, 200,
        json_pack("{s:I,s:b,s:o}", "year", (json_int_t)year, "imported", imported, "days", days));
    return ERR_OK;
}

static enum err add_h(struct request *r)
{
    const char *ds = req_query(r, "date"), *ns = req_query(r, "n");
    struct date d, out;
    long long n = ns ? id_parse(ns) : -1;
    if (!ds || date_parse(ds, &d))
        return errf(ERR_VALIDATION, "date", "日期应为 YYYY-MM-DD");
    if (n < 0 || n > 3650)
        return errf(ERR_VALIDATION, "n", "工作日数应为 0 至 3650 的整数");
    enum err rc = calendar_add_workdays(d, (int)n, &out);
    if (rc)
        return rc;
    char res[11];
    date_format(out, res);
    reply_json(r, 200, json_pack("{s:s,s:I,s:s}", "date", ds, "n", (json_int_t)n, "result", res));
    return ERR_OK;
}

static enum err import_h(struct request *r)
{
    if (r->caller.role != ROLE_SYSADMIN)
        return errf(ERR_FORBIDDEN, NULL, "只有系统管理员可以导入节假日安排");
    struct audit_ctx ax = audit_ctx_of(r);
    int year;
    enum err rc = db_begin(r->db);
    if (rc)
        return rc;
    rc = calendar_import(r->db, &ax, r->body.buf, r->body.len, &year);
    if (!rc)
        rc = db_commit(r->db);
    if (rc) {
        db_rollback(r->db);
        return rc;
    }
    if ((rc = calendar_load(r->db)))
        return rc;
    reply_json(r, 201, json_pack("{s:i}", "year", year));
    return ERR_OK;
}

const struct route calendar_routes[] = {
    {"GET", "/api/v1/calendar", years_h, 0},
    {"GET", "/api/v1/calendar/add-workdays", add_h, 0},
    {"GET", "/api/v1/calendar/:year", year_h, 0},
    {"POST", "/api/v1/calendar", import_h, R_OWN_TX},
    {NULL, NULL, NULL, 0},
};
