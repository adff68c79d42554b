/* R2 grading table of GB/T 22240-2020 (seed 001 §二(一)) and the "object:degree" notation used
 * by the CLI and the API. */
#include <stddef.h>
#include <string.h>

#include "err.h"
#include "rules.h"

#define N_OBJECTS 3
#define N_DEGREES 3

/* R2, GB/T 22240-2020 表: rows 客体, columns 一般 / 严重 / 特别严重损害. */
static const int grade_table[N_OBJECTS][N_DEGREES] = {
    [MLPS_RIGHTS] = {1, 2, 2},
    [MLPS_ORDER] = {2, 3, 4},
    [MLPS_NATION] = {3, 4, 5},
};

static const char *const object_keys[N_OBJECTS] = {"rights", "order", "nation"};
static const char *const degree_keys[N_DEGREES] = {"general", "serious", "grave"};
static const char *const object_names[N_OBJECTS] = {"公民、法人和其他组织的合法权益",
                                                    "社会秩序、公共利益", "国家安全"};
static const char *const degree_names[N_DEGREES] = {"一般损害", "严重损害", "特别严重损害"};

static int object_ok(enum mlps_object object)
{
    return (int)object >= 0 && (int)object < N_OBJECTS;
}

static int degree_ok(enum mlps_degree degree)
{
    return (int)degree >= 0 && (int)degree < N_DEGREES;
}

int mlps_cell(enum mlps_object object, enum mlps_degree degree)
{
    if (!object_ok(object) || !degree_ok(degree))
        return 0;
    return grade_table[object][degree];
}

/* R2: one side's level is the highest cell over the objects it harms. */
static enum err grade_side(const char *field, const char *label, const struct mlps_harm *harms,
                           size_t n, int *level)
{
    int best = 0;
    if (n == 0 || !harms)
        return errf(ERR_VALIDATION, field, "%s应至少填写一项受侵害的客体及侵害程度", label);
    for (size_t i = 0; i < n; i++) {
        int cell = mlps_cell(harms[i].object, harms[i].degree);
        if (!cell)
            return errf(ERR_VALIDATION, field, "%s第 %zu 项的客体或侵害程度不合法", label, i + 1);
        if (cell > best)
            best = cell;
    }
    *level = best;
    return ERR_OK;
}

enum err mlps_grade(const struct mlps_harm *info, size_t n_info, const struct mlps_harm *service,
                    size_t n_service, struct mlps_result *out)
{
    int info_level = 0, service_level = 0;
    enum err rc = grade_side("info", "业务信息安全", info, n_info, &info_level);
    if (!rc)
        rc = grade_side("service", "系统服务安全", service, n_service, &service_level);
    if (rc)
        return rc;
    out->info_level = info_level;
    out->service_level = service_level;
    out->level = info_level > service_level ? info_level : service_level;
    return ERR_OK;
}

/* Index of the key equal to s[0..len) in keys[0..n), or -1. */
static int find_key(const char *const *keys, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(keys[i]) == len && memcmp(keys[i], s, len) == 0)
            return i;
    return -1;
}

enum err mlps_parse_harm(const char *s, struct mlps_harm *out)
{
    const char *colon = s ? strchr(s, ':') : NULL;
    if (!colon)
        return errf(ERR_VALIDATION, "harm", "侵害应写作 客体:程度，如 order:serious");
    int object = find_key(object_keys, N_OBJECTS, s, (size_t)(colon - s));
    int degree = find_key(degree_keys, N_DEGREES, colon + 1, strlen(colon + 1));
    if (object < 0)
        return errf(ERR_VALIDATION, "harm", "受侵害的客体应为 rights、order 或 nation");
    if (degree < 0)
        return errf(ERR_VALIDATION, "harm", "侵害程度应为 general、serious 或 grave");
    out->object = (enum mlps_object)object;
    out->degree = (enum mlps_degree)degree;
    return ERR_OK;
}

const char *mlps_object_name(enum mlps_object object)
{
    return object_ok(object) ? object_names[object] : NULL;
}

const char *mlps_degree_name(enum mlps_degree degree)
{
    return degree_ok(degree) ? degree_names[degree] : NULL;
}
