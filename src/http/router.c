/* The route table: every module's routes, matched segment by segment (":name" captures). */
#include <string.h>

#include "http.h"

extern const struct route auth_routes[];
extern const struct route org_routes[];
extern const struct route user_routes[];
extern const struct route audit_routes[];
extern const struct route unit_routes[];
extern const struct route calendar_routes[];
extern const struct route duty_routes[];
/* Modules built in parallel declare their tables weakly: a module not linked in is NULL. */
#define OPTIONAL_ROUTES(name) extern const struct route name[] __attribute__((weak))
OPTIONAL_ROUTES(assess_routes);
OPTIONAL_ROUTES(risk_routes);
OPTIONAL_ROUTES(upload_routes);
OPTIONAL_ROUTES(remind_routes);
OPTIONAL_ROUTES(exposure_routes);
OPTIONAL_ROUTES(threat_routes);
OPTIONAL_ROUTES(incident_routes);
OPTIONAL_ROUTES(report_routes);
OPTIONAL_ROUTES(iiot_routes);
OPTIONAL_ROUTES(inspect_routes);
OPTIONAL_ROUTES(notice_routes);
OPTIONAL_ROUTES(export_routes);

static const struct route *const tables[] = {
    auth_routes,     org_routes,      user_routes,    audit_routes,  unit_routes,
    calendar_routes, duty_routes,     assess_routes,  risk_routes,   upload_routes,
    remind_routes,   exposure_routes, notice_routes,  threat_routes, incident_routes,
    report_routes,   iiot_routes,     inspect_routes, export_routes,
};

/* Matches path against pattern; captures point into the request's arena. */
static int match(struct request *r, const char *pattern, const char *path)
{
    int n = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return 0;
        pattern++;
        path++;
        const char *pe = strchrnul(pattern, '/'), *se = strchrnul(path, '/');
        if (*pattern == ':') {
            if (se == path || n >= MAX_ROUTE_PARAMS)
                return 0;
            r->params[n++] = arena_strndup(&r->arena, path, (size_t)(se - path));
        } else if (pe - pattern != se - path || strncmp(pattern, path, (size_t)(pe - pattern))) {
            return 0;
        }
        pattern = pe;
        path = se;
    }
    if (*pattern || *path)
        return 0;
    r->n_params = n;
    return 1;
}

/* The number of literal (non-:param) segments of a pattern: the most specific route wins, so
 * "/risk-assessments/:id/report.docx" beats "/risk-assessments/:id/:kind" whatever the order of
 * the tables. */
static int literals(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        if (*p == '/' && p[1] && p[1] != ':')
            n++;
    return n;
}

const struct route *router_match(struct request *r, int *path_matched)
{
    *path_matched = 0;
    const char *method = strcmp(r->method, "HEAD") ? r->method : "GET";
    const struct route *best = NULL;
    int best_score = -1;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct route *rt = tables[t]; rt && rt->pattern; rt++) {
            if (strcmp(rt->method, method)) {
                if (!*path_matched && match(r, rt->pattern, r->path))
                    *path_matched = 1;
                continue;
            }
            int score = literals(rt->pattern);
            if (score > best_score && match(r, rt->pattern, r->path)) {
                best = rt;
                best_score = score;
            }
        }
    /* match() captured the parameters of the last pattern tried: capture the winner's again. */
    if (best)
        match(r, best->pattern, r->path);
    return best;
}
