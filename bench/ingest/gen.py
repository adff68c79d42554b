#!/usr/bin/env python3
"""Benchmark data for bench/ingest/run.sh.

  gen.py eve SAMPLE OUT --bytes N [--campaigns C] [--seed S]
      Repeats the sample's EVE lines until OUT holds at least N bytes, with varied IPv4
      addresses. Each copy of a line gets one of C campaigns (default 2,000), a pair of a victim
      host inside one of the declared ranges (spread over all of them) and an attacker among
      2,000 external addresses (198.18.0.0/15, outside every range): the line's destination
      address (or its first address) becomes the victim, every other address the attacker,
      consistently wherever an address repeats in the line (e.g. under "flow"). Alerts of one
      campaign and signature make one threat, so the file's threats number at most C times the
      sample's 15 signatures. IPv6 addresses and everything else are kept as they are.

  gen.py ranges DB --ranges N
      Declares N /24 ranges (20.0.0.0/24, 20.0.1.0/24, ...) in a fanghu SQLite database:
      N/50 organisations with 10 units each, 5 ranges per unit.
"""
import argparse
import random
import re
import sqlite3
import sys

IPV4 = re.compile(r'"((?:\d{1,3}\.){3}\d{1,3})"')
FIRST_RANGE = (20 << 24)  # 20.0.0.0
ATTACKERS = 2000          # distinct external addresses (198.18.0.0/15, outside every range)
RANGES = 100000           # the declared /24s victims are drawn from


def templates(sample):
    out = []
    with open(sample, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            parts, addrs, pos = [], [], 0
            for m in IPV4.finditer(line):
                parts.append(line[pos:m.start(1)])
                addrs.append(m.group(1))
                pos = m.end(1)
            parts.append(line[pos:])
            dest = re.search(r'"dest_ip":"([^"]+)"', line)
            victim = dest.group(1) if dest else (addrs[0] if addrs else None)
            out.append((parts, addrs, victim))
    return out


def ip(n):
    return '%d.%d.%d.%d' % (n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255)


def gen_eve(sample, out_path, total, campaigns, seed):
    rnd = random.Random(seed)
    tpl = templates(sample)
    pairs = []
    for c in range(campaigns):
        victim_range = rnd.randrange(RANGES)
        victim = ip(FIRST_RANGE + (victim_range << 8) + rnd.randrange(1, 255))
        attacker = ip((198 << 24) + (18 << 16) + rnd.randrange(ATTACKERS))
        pairs.append((victim, attacker))
    written = 0
    with open(out_path, 'w', encoding='utf-8', newline='\n') as out:
        while written < total:
            chunk = []
            for parts, addrs, victim in tpl:
                if not addrs:
                    chunk.append(parts[0])
                    continue
                inside, outside = pairs[rnd.randrange(campaigns)]
                pieces = [parts[0]]
                for i, a in enumerate(addrs):
                    pieces.append(inside if a == victim else outside)
                    pieces.append(parts[i + 1])
                chunk.append(''.join(pieces))
            text = '\n'.join(chunk) + '\n'
            out.write(text)
            written += len(text.encode('utf-8'))
    print('%s: %d bytes' % (out_path, written), file=sys.stderr)


def gen_ranges(db_path, n):
    db = sqlite3.connect(db_path)
    now = '2026-01-01T00:00:00+08:00'
    n_orgs = max(1, n // 50)
    cur = db.cursor()
    base_org = (cur.execute('SELECT COALESCE(MAX(id), 0) FROM orgs').fetchone()[0]) + 1
    base_unit = (cur.execute('SELECT COALESCE(MAX(id), 0) FROM units').fetchone()[0]) + 1
    cur.executemany(
        'INSERT INTO orgs (id, name, kind, uscc, province, created_at, updated_at) '
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
        [(base_org + i, 'bench-org-%d' % i, 'vas', 'BENCH%013d' % (base_org + i), '35', now, now)
         for i in range(n_orgs)])
    units, ranges = [], []
    for i in range(n):
        org = base_org + (i // 50)
        unit = base_unit + (i // 5)
        if i % 5 == 0:
            units.append((unit, org, 'bench-unit-%d' % unit, 'internet', now, now))
        first = FIRST_RANGE + (i << 8)
        ranges.append((unit, org, ip(first) + '/24',
                       '00000000000000000000ffff%08x' % first,
                       '00000000000000000000ffff%08x' % (first | 255)))
    cur.executemany('INSERT INTO units (id, org_id, name, unit_type, created_at, updated_at) '
                    'VALUES (?, ?, ?, ?, ?, ?)', units)
    cur.executemany('INSERT INTO unit_ranges (unit_id, org_id, cidr, first_hex, last_hex) '
                    'VALUES (?, ?, ?, ?, ?)', ranges)
    db.commit()
    db.close()
    print('%s: %d organisations, %d units, %d ranges' % (db_path, n_orgs, len(units), n),
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    e = sub.add_parser('eve')
    e.add_argument('sample')
    e.add_argument('out')
    e.add_argument('--bytes', type=float, default=1.1e9)
    e.add_argument('--campaigns', type=int, default=2000)
    e.add_argument('--seed', type=int, default=1)
    r = sub.add_parser('ranges')
    r.add_argument('db')
    r.add_argument('--ranges', type=int, default=100000)
    a = ap.parse_args()
    if a.cmd == 'eve':
        gen_eve(a.sample, a.out, int(a.bytes), a.campaigns, a.seed)
    else:
        gen_ranges(a.db, a.ranges)


if __name__ == '__main__':
    main()
