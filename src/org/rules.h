/* Organisation identifiers (R11): the unified social credit code (统一社会信用代码, GB 32100-2015)
 * and the province codes of GB/T 2260. Pure functions, no I/O. */
#ifndef FANGHU_ORG_RULES_H
#define FANGHU_ORG_RULES_H

#include <stddef.h>

struct province {
    const char *code; /* two digits, e.g. "35" */
    const char *name; /* full name, e.g. "福建省" */
};

/* R11, GB 32100-2015: 1 when code is exactly 18 characters of "0123456789ABCDEFGHJKLMNPQRTUWXY"
 * (upper case only) whose last one is the check character of the first 17, else 0. code may be
 * NULL (0). "91350100M000100Y43" is valid; "91350100M000100Y44" is not. */
int uscc_valid(const char *code);

/* R11, GB/T 2260: the name of the province-level division with this two-digit code ("11" 北京市
 * ... "65" 新疆维吾尔自治区, "71" 台湾省, "81" 香港特别行政区, "82" 澳门特别行政区), or NULL when
 * code is NULL, not exactly two characters, or unknown. The string is static. */
const char *province_name(const char *code);

/* The 34 province-level divisions, in code order; sets *n to their number. Static data. */
const struct province *province_list(size_t *n);

#endif
