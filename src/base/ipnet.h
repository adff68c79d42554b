/* IP addresses and networks (IPv4, IPv6, CIDR). IPv4 is held as an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, prefix + 96) so that both families compare as one 128-bit space. */
#ifndef FANGHU_IPNET_H
#define FANGHU_IPNET_H

#include "err.h"

struct ipnet {
    unsigned char addr[16]; /* network address, host bits zero */
    int prefix;             /* 0..128 in the mapped space */
    int v4;                 /* 1 when written as IPv4 */
};

/* Parses "10.0.0.0/8", "10.0.0.1" (a /32), "2001:db8::/32", "2001:db8::1" (a /128).
 * Host bits set under the mask ("10.0.0.1/8") are refused, naming the network to write.
 * Errors name field. */
enum err ipnet_parse(const char *s, const char *field, struct ipnet *out);
/* Parses a single address into 16 bytes (mapped for IPv4); 0 on success, -1 otherwise. */
int ip_parse_addr(const char *s, unsigned char out[16]);
/* Canonical text ("10.0.0.0/8", "2001:db8::/32") into out[64]. */
void ipnet_format(const struct ipnet *n, char out[64]);
/* First and last address as 32 lowercase hex digits, so that ranges compare as strings in SQL. */
void ipnet_range_hex(const struct ipnet *n, char first[33], char last[33]);
int ipnet_overlap(const struct ipnet *a, const struct ipnet *b);
int ipnet_contains(const struct ipnet *n, const unsigned char addr[16]);

#endif
