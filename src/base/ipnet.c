/* CIDR parsing and range arithmetic on 128-bit addresses. */
#include <arpa/inet.h>
#include <string.h>

#include "ipnet.h"

static const unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ip_parse_addr(const char *s, unsigned char out[16])
{
    struct in_addr v4;
    if (strchr(s, ':'))
        return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
    if (inet_pton(AF_INET, s, &v4) != 1)
        return -1;
    memcpy(out, MAPPED, 12);
    memcpy(out + 12, &v4, 4);
    return 0;
}

static void mask(unsigned char a[16], int prefix, int set_host)
{
    for (int i = 0; i < 16; i++) {
        int bits = prefix - 8 * i;
        unsigned char m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
        a[i] = set_host ? (unsigned char)(a[i] | ~m) : (unsigned char)(a[i] & m);
    }
}

enum err ipnet_parse(const char *s, const char *field, struct ipnet *out)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return errf(ERR_VALIDATION, field, "IP 地址或网段不合法：%s", s);
    memcpy(buf, s, n + 1);
    char *slash = strchr(buf, '/');
    int prefix = -1;
    if (slash) {
        *slash = '\0';
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p))
            return errf(ERR_VALIDATION, field, "网段前缀长度不合法：%s", s);
        prefix = 0;
        for (; *p; p++)
            prefix = prefix * 10 + (*p - '0');
    }
    memset(out, 0, sizeof *out);
    if (ip_parse_addr(buf, out->addr))
        return errf(ERR_VALIDATION, field, "IP 地址不合法：%s", s);
    out->v4 = !strchr(buf, ':');
    int max = out->v4 ? 32 : 128;
    if (prefix > max)
        return errf(ERR_VALIDATION, field, "网段前缀长度超出范围（%s 最大 /%d）：%s",
                    out->v4 ? "IPv4" : "IPv6", max, s);
    if (prefix < 0)
        prefix = max;
    out->prefix = out->v4 ? prefix + 96 : prefix;
    unsigned char net[16];
    memcpy(net, out->addr, 16);
    mask(net, out->prefix, 0);
    if (memcmp(net, out->addr, 16)) {
        struct ipnet canon = *out;
        memcpy(canon.addr, net, 16);
        char text[64];
        ipnet_format(&canon, text);
        return errf(ERR_VALIDATION, field, "网段 %s 的主机位不为零，应写作 %s", s, text);
    }
    return ERR_OK;
}

void ipnet_format(const struct ipnet *n, char out[64])
{
    char addr[INET6_ADDRSTRLEN];
    if (n->v4)
        inet_ntop(AF_INET, n->addr + 12, addr, sizeof addr);
    else
        inet_ntop(AF_INET6, n->addr, addr, sizeof addr);
    snprintf(out, 64, "%s/%d", addr, n->v4 ? n->prefix - 96 : n->prefix);
}

static void hex(const unsigned char a[16], char out[33])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = digits[a[i] >> 4];
        out[2 * i + 1] = digits[a[i] & 15];
    }
    out[32] = '\0';
}

void ipnet_range_hex(const struct ipnet *n, char first[33], char last[33])
{
    unsigned char end[16];
    memcpy(end, n->addr, 16);
    mask(end, n->prefix, 1);
    hex(n->addr, first);
    hex(end, last);
}

int ipnet_contains(const struct ipnet *n, const unsigned char addr[16])
{
    unsigned char a[16];
    memcpy(a, addr, 16);
    mask(a, n->prefix, 0);
    return memcmp(a, n->addr, 16) == 0;
}

int ipnet_overlap(const struct ipnet *a, const struct ipnet *b)
{
    /* Two prefixes overlap exactly when the shorter one contains the other's network. */
    return a->prefix <= b->prefix ? ipnet_contains(a, b->addr) : ipnet_contains(b, a->addr);
}
