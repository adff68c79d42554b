/* R2: MLPS grading (等级保护定级), seed 001 §二(一) and GB/T 22240-2020. Pure functions, no I/O.
 * Each side (业务信息安全, 系统服务安全) takes the highest cell of the harms it lists; the system's
 * level is the higher of the two sides. */
#ifndef FANGHU_MLPS_RULES_H
#define FANGHU_MLPS_RULES_H

#include <stddef.h>

#include "err.h"

/* 受侵害的客体 */
enum mlps_object {
    MLPS_RIGHTS, /* 公民、法人和其他组织的合法权益 ("rights") */
    MLPS_ORDER,  /* 社会秩序、公共利益 ("order") */
    MLPS_NATION, /* 国家安全 ("nation") */
};

/* 侵害程度 */
enum mlps_degree {
    MLPS_GENERAL, /* 一般损害 ("general") */
    MLPS_SERIOUS, /* 严重损害 ("serious") */
    MLPS_GRAVE,   /* 特别严重损害 ("grave") */
};

struct mlps_harm {
    enum mlps_object object;
    enum mlps_degree degree;
};

struct mlps_result {
    int info_level;    /* 业务信息安全保护等级, 1..5 */
    int service_level; /* 系统服务安全保护等级, 1..5 */
    int level;         /* 定级结果: the higher of the two */
};

/* R2 table: the level (1..5) of one harm; 0 when object or degree is out of range. */
int mlps_cell(enum mlps_object object, enum mlps_degree degree);

/* R2: grades info[0..n_info) and service[0..n_service). Errors: ERR_VALIDATION with field "info"
 * or "service" when that side lists no harm or a harm out of range; *out untouched on error. */
enum err mlps_grade(const struct mlps_harm *info, size_t n_info, const struct mlps_harm *service,
                    size_t n_service, struct mlps_result *out);

/* Parses "object:degree" with object rights|order|nation and degree general|serious|grave
 * (lower case, no spaces), e.g. "order:serious". s may be NULL. Errors: ERR_VALIDATION, field
 * "harm"; *out untouched on error. */
enum err mlps_parse_harm(const char *s, struct mlps_harm *out);

/* Chinese names of an object or a degree, for display; NULL when out of range. Static strings. */
const char *mlps_object_name(enum mlps_object object);
const char *mlps_degree_name(enum mlps_degree degree);

#endif
