#!/usr/bin/env python3
"""HTTP senders for bench/ingest/run.sh: SENDERS threads post EVE lines to /api/v1/events,
BATCH lines a request, gzip-compressed (prepared before the clock starts), over keep-alive
connections, for SECONDS. Prints one JSON object with the requests, the lines the server
acknowledged (after its commit), the rate and the errors.

  send.py HOST PORT TOKEN FILE [--senders 8] [--batch 1000] [--seconds 20]
"""
import argparse
import gzip
import http.client
import json
import threading
import time


def batches(path, n_batches, batch):
    out = []
    with open(path, 'rb') as f:
        for _ in range(n_batches):
            lines = [f.readline() for _ in range(batch)]
            lines = [l for l in lines if l]
            if not lines:
                break
            out.append((len(lines), gzip.compress(b''.join(lines), 6)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('host')
    ap.add_argument('port', type=int)
    ap.add_argument('token')
    ap.add_argument('file')
    ap.add_argument('--senders', type=int, default=8)
    ap.add_argument('--batch', type=int, default=1000)
    ap.add_argument('--seconds', type=float, default=20)
    a = ap.parse_args()
    prepared = batches(a.file, a.senders * 6, a.batch)
    headers = {'Authorization': 'Bearer ' + a.token, 'Content-Type': 'application/x-ndjson',
               'Content-Encoding': 'gzip'}
    lock = threading.Lock()
    totals = {'requests': 0, 'lines': 0, 'errors': 0, 'first_error': ''}
    start = threading.Event()
    deadline = [0.0]

    def sender(k):
        conn = http.client.HTTPConnection(a.host, a.port, timeout=120)
        i = k
        start.wait()
        while time.monotonic() < deadline[0]:
            n, body = prepared[i % len(prepared)]
            i += a.senders
            try:
                conn.request('POST', '/api/v1/events', body=body, headers=headers)
                r = conn.getresponse()
                text = r.read()
                ok = r.status == 200
                acked = json.loads(text)['lines'] if ok else 0
            except (OSError, http.client.HTTPException, ValueError) as e:
                ok, acked, text = False, 0, str(e).encode()
                conn.close()
                conn = http.client.HTTPConnection(a.host, a.port, timeout=120)
            with lock:
                totals['requests'] += 1
                totals['lines'] += acked
                if not ok:
                    totals['errors'] += 1
                    totals['first_error'] = totals['first_error'] or text[:300].decode('utf-8', 'replace')
        conn.close()

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(a.senders)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    deadline[0] = t0 + a.seconds
    start.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    print(json.dumps({
        'senders': a.senders, 'batch_lines': a.batch,
        'gzip_bytes_per_request': sum(len(b) for _, b in prepared) // max(1, len(prepared)),
        'requests': totals['requests'], 'lines': totals['lines'], 'seconds': round(elapsed, 3),
        'lines_per_s': round(totals['lines'] / elapsed), 'errors': totals['errors'],
        'first_error': totals['first_error'],
    }))


if __name__ == '__main__':
    main()
