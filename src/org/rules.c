/* R11 identifiers: the GB 32100-2015 check character of a unified social credit code and the
 * GB/T 2260 table of province-level divisions. */
#include <stddef.h>
#include <string.h>

#include "err.h"
#include "rules.h"

/* GB 32100-2015: the 31 characters of the code (no I, O, S, V, Z), each worth its index. */
static const char uscc_charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                     29, 25, 13, 8,  24, 10, 30, 28};

/* The value of c in the charset, or -1. Lower case is not accepted: the standard is upper case. */
static int uscc_value(char c)
{
    const char *at = c ? strchr(uscc_charset, c) : NULL;
    return at ? (int)(at - uscc_charset) : -1;
}

int uscc_valid(const char *code)
{
    if (!code || strlen(code) != 18)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int value = uscc_value(code[i]);
        if (value < 0)
            return 0;
        sum += value * uscc_weights[i];
    }
    /* R11: check = 31 − (Σ mod 31), with 31 written as 0. */
    int check = 31 - sum % 31;
    if (check == 31)
        check = 0;
    return uscc_value(code[17]) == check;
}

/* GB/T 2260 province-level divisions. */
static const struct province provinces[] = {
    {"11", "北京市"},           {"12", "天津市"},         {"13", "河北省"},
    {"14", "山西省"},           {"15", "内蒙古自治区"},   {"21", "辽宁省"},
    {"22", "吉林省"},           {"23", "黑龙江省"},       {"31", "上海市"},
    {"32", "江苏省"},           {"33", "浙江省"},         {"34", "安徽省"},
    {"35", "福建省"},           {"36", "江西省"},         {"37", "山东省"},
    {"41", "河南省"},           {"42", "湖北省"},         {"43", "湖南省"},
    {"44", "广东省"},           {"45", "广西壮族自治区"}, {"46", "海南省"},
    {"50", "重庆市"},           {"51", "四川省"},         {"52", "贵州省"},
    {"53", "云南省"},           {"54", "西藏自治区"},     {"61", "陕西省"},
    {"62", "甘肃省"},           {"63", "青海省"},         {"64", "宁夏回族自治区"},
    {"65", "新疆维吾尔自治区"}, {"71", "台湾省"},         {"81", "香港特别行政区"},
    {"82", "澳门特别行政区"},
};

const char *province_name(const char *code)
{
    if (!code || strlen(code) != 2)
        return NULL;
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (strcmp(provinces[i].code, code) == 0)
            return provinces[i].name;
    return NULL;
}

const struct province *province_list(size_t *n)
{
    *n = sizeof provinces / sizeof provinces[0];
    return provinces;
}
