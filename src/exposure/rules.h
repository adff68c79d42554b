/* R4: the internet exposure surface (互联网暴露面), seed 000 §五 and annex 4. Pure functions, no
 * I/O: the three inventories and their template columns, the office-exit limit of a provincial
 * company of a basic telecom enterprise (the limit kept as versioned data), and the IP 地址
 * cells (IPv4, IPv6, CIDR, several per cell). */
#ifndef FANGHU_EXPOSURE_RULES_H
#define FANGHU_EXPOSURE_RULES_H
#include <stddef.h>

#include "err.h"
#include "ipnet.h"

/* The three lists of annex 4. */
enum exposure_inventory { EXPOSURE_OFFICE, EXPOSURE_VPN, EXPOSURE_ZERO_TRUST, EXPOSURE__COUNT };

/* "office" | "vpn" | "zero_trust" (the API's codes). */
const char *exposure_inventory_code(enum exposure_inventory inv);
/* The list's name: 办公网互联网出入口, VPN出入口, 零信任网络出入口 (also the sheet of a workbook
 * with a sheet per list, as the export wrote them before following annex 4 to the letter). */
const char *exposure_inventory_name(enum exposure_inventory inv);
/* The list's section heading in annex 4: 一、办公网互联网出入口情况,
 * 二、虚拟专用网络（VPN）出入口情况, 三、零信任网络出入口情况. */
const char *exposure_inventory_heading(enum exposure_inventory inv);
/* The code's inventory, or -1 for NULL or an unknown code. */
int exposure_inventory_parse(const char *code);

/* Every column any list has, in the template's order. */
enum exposure_col {
    EC_SEQ,        /* 序号 */
    EC_OWNER,      /* 责任主体 */
    EC_ASSET_NAME, /* 资产名称 */
    EC_ASSET_TYPE, /* 资产类型 */
    EC_IP,         /* IP 地址 */
    EC_SOFTWARE,   /* 软件类型、版本 (VPN and zero trust only) */
    EC_PURPOSE,    /* 用途描述 (VPN and zero trust only) */
    EC_REACHABLE,  /* 可访问的网络和系统 */
    EC_OTHER,      /* 其他 */
    EC__COUNT
};

struct exposure_column {
    enum exposure_col col;
    const char *header; /* exactly as annex 4 writes it, e.g. "IP 地址" */
    const char *field;  /* the API's name, e.g. "ip" */
    size_t max_len;     /* bytes */
};

/* The columns of inv's template in order: 7 for the office exits (no software, no purpose), 9
 * for VPN and zero trust. Static data; *n gets the count. */
const struct exposure_column *exposure_columns(enum exposure_inventory inv, size_t *n);
/* 1 when inv's template has column col. */
int exposure_has_column(enum exposure_inventory inv, enum exposure_col col);
/* The column whose header (whitespace ignored, so "IP地址" matches "IP 地址") or API name is h,
 * whichever list it belongs to; -1 when none. */
int exposure_column_find(const char *h);

/* R4 [configurable]: the office-exit limit and where it comes from. */
struct exposure_ruleset {
    char version[65];
    char source[512];
    int max_office_exits; /* 0..100 */
};

/* seed 000 §五: 基础电信企业省级公司办公网互联网出入口数量原则上不超过2个. Static data. */
const struct exposure_ruleset *exposure_ruleset_default(void);
/* Errors: ERR_VALIDATION with field "version" (empty) or "max_office_exits" (outside 0..100). */
enum err exposure_ruleset_check(const struct exposure_ruleset *rs);

/* Whether the office-exit limit binds an organisation of this kind: the provincial companies of
 * basic telecom enterprises (telecom_provincial). */
int exposure_exit_rule_applies(const char *org_kind);

struct exposure_exit_verdict {
    int applies;  /* the organisation's kind is bound by the limit */
    int limit;    /* the ruleset's max_office_exits */
    int exits;    /* office exits declared */
    int reported; /* of them, exits with a 报备 on record */
    int excess; /* exits beyond the limit without a 报备: max(0, exits − reported − limit) */
    int violation; /* applies and excess > 0 */
};

/* R4: exits declared and reported (报备) → verdict. An exit with a 报备 on record does not count
 * against the limit, so with a limit of 2, three exits one of which is reported comply and four
 * with one reported do not. Errors: ERR_VALIDATION (field "exits") for negative counts or more
 * reported than declared; "ruleset" for a bad ruleset; *out is untouched then. */
enum err exposure_exit_check(const struct exposure_ruleset *rs, const char *org_kind, int exits,
                             int reported, struct exposure_exit_verdict *out);

enum { EXPOSURE_MAX_ADDRESSES = 64 };

/* Parses an IP 地址 cell into out[0..*n): IPv4 or IPv6 addresses and CIDR networks (host bits
 * zero), separated by ; ； , ， 、 spaces, tabs or line breaks. At least one, at most max; the
 * same address twice in one cell is refused. Errors: ERR_VALIDATION with field and a message
 * naming the item at fault ("IP 地址不合法：1.2.3"). */
enum err exposure_ip_parse(const char *cell, const char *field, struct ipnet *out, size_t max,
                           size_t *n);
/* Canonical text into out[64]: a single address as itself ("203.0.113.7", "2001:db8::1"), a
 * network as CIDR ("203.0.113.0/28"). */
void exposure_ip_format(const struct ipnet *n, char out[64]);
/* 0 when n lies (partly) in a range never routed on the internet: RFC 1918, 100.64/10, loopback,
 * link-local, 0/8, multicast, 240/4, ::, ::1, fc00::/7, fe80::/10, ff00::/8; else 1. */
int exposure_ip_public(const struct ipnet *n);

/* How two declared addresses coincide: the same network, one inside the other, or not at all
 * (two CIDR networks never overlap partially). */
enum exposure_dup {
    EXPOSURE_DUP_NONE,
    EXPOSURE_DUP_SAME,
    EXPOSURE_DUP_CONTAINS,
    EXPOSURE_DUP_INSIDE
};
/* SAME, CONTAINS (a holds b), INSIDE (a lies in b) or NONE. */
enum exposure_dup exposure_dup_kind(const struct ipnet *a, const struct ipnet *b);
/* "same" | "contains" | "inside" | "none". */
const char *exposure_dup_code(enum exposure_dup d);

#endif
