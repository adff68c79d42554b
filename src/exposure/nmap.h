/* nmap XML output (nmap -oX, e.g. with -sV): the scan's time and command, each host's address,
 * status and name, and each listed port with its state and the service nmap identified. Pure
 * parsing with expat, no I/O, no database: the file is a user's upload, so every size is
 * bounded and anything that could make expat expand or fetch text (an internal DTD subset,
 * entity declarations, an external DTD) is refused. Only nmap's own bare <!DOCTYPE nmaprun> is
 * accepted. Depends on err, arena and expat only, so that fuzz/fuzz_nmap.c can build it alone. */
#ifndef FANGHU_EXPOSURE_NMAP_H
#define FANGHU_EXPOSURE_NMAP_H
#include <stddef.h>

#include "arena.h"
#include "err.h"

/* Bounds on what nmap_parse accepts; a field left 0 takes its default. Going past one is an
 * ERR_VALIDATION, never a crash or an unbounded allocation. */
struct nmap_limits {
    size_t max_bytes; /* the document: default 64 MiB, at most INT_MAX */
    size_t max_hosts; /* <host> elements: default 65 536 */
    size_t max_ports; /* <port> elements over all hosts: default 1 000 000 */
    size_t max_depth; /* element nesting: default 32 */
    size_t max_attr;  /* bytes of one attribute value: default 64 KiB */
};

struct nmap_port {
    const char *protocol; /* tcp | udp | sctp | ip */
    int port;             /* 0..65535 */
    const char *state;    /* open, closed, filtered, open|filtered, … ("" when absent) */
    const char *reason;   /* "" when absent */
    /* The <service> element (-sV); "" when absent. */
    const char *service, *product, *version, *extrainfo, *tunnel;
};

struct nmap_host {
    const char *addr;        /* canonical text of the host's first IPv4/IPv6 address */
    unsigned char ip[16];    /* the same, IPv4 mapped into IPv6 (::ffff:a.b.c.d) */
    const char *status;      /* up | down | unknown | skipped ("unknown" when absent) */
    const char *hostname;    /* the first <hostname>, "" when none */
    long long start, end;    /* starttime / endtime, seconds since 1970; 0 when absent */
    struct nmap_port *ports; /* in document order */
    size_t n_ports;
};

struct nmap_scan {
    const char *scanner, *version, *args; /* nmaprun attributes, "" when absent */
    long long start;                      /* nmaprun start, seconds since 1970; 0 when absent */
    long long finished;                   /* runstats/finished time; 0 when absent */
    struct nmap_host *hosts;
    size_t n_hosts;
    size_t n_ports; /* over all hosts */
    size_t n_open;  /* ports in state "open" */
    size_t n_up;    /* hosts in status "up" */
};

/* Parses the nmap XML in data[0..len) into *out, everything allocated in a (released with it).
 * The root element must be <nmaprun>. A <host> must carry an ipv4 or ipv6 <address> (MAC
 * addresses are skipped); a <port> needs a protocol and a portid of 0..65535; times are
 * decimal seconds. Elements and attributes nmap may add later are ignored.
 * Errors: ERR_VALIDATION with field "file" and a message naming the line ("第 3 行：…"): not
 * XML, not an nmap scan, a DOCTYPE other than <!DOCTYPE nmaprun>, an entity declaration, a
 * limit passed (size, hosts, ports, nesting, attribute length), a host or port that breaks
 * the rules above. *out is zeroed on error; what was allocated stays in the arena. */
enum err nmap_parse(struct arena *a, const char *data, size_t len, const struct nmap_limits *lim,
                    struct nmap_scan *out);

#endif
