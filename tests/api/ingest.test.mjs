// Threat ingest (R8): Suricata EVE lines from a file (CLI) and over HTTP (sensor tokens).
// Every expected number is computed here from the sample itself: the counts by event type, the
// owner of each address by longest-prefix match over the declared ranges, and the threats
// (organisation, unit, signature id, indicator) with their event counts. A kill -9 test checks
// that the events committed after crashes and restarts are exactly the file's alert lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, appendFileSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  startServer, createOrg, userWithClient, uniq, sleep, BIN, assertError, assertList, listAll,
} from './lib.mjs';

const SAMPLE = process.env.FANGHU_EVE_SAMPLE || '/work/shared/data/samples/suricata-verify-eve-sample.json';
const SAMPLE_TEXT = readFileSync(SAMPLE, 'utf8');
const SAMPLE_LINES = SAMPLE_TEXT.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');

// Lines that are not EVE events, appended to a copy of the sample.
const BAD_LINES = [
  'not json at all',
  '{"event_type": "alert", "truncated": ',
  '[1, 2, 3]',
  '{"no_event_type": true}',
  '',
];

// ---------------------------------------------------------------------------------------------
// The model: owners by longest prefix, attribution, threats.
function canon(addr) {
  if (!addr) return '';
  if (net.isIPv4(addr)) return addr;
  return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
}

class Ranges {
  constructor() { this.list = []; }
  add(cidr, org, unit) {
    const [a, p] = cidr.split('/');
    const type = net.isIPv4(a) ? 'ipv4' : 'ipv6';
    const bl = new net.BlockList();
    bl.addSubnet(a, Number(p), type);
    this.list.push({ cidr, org, unit, prefix: Number(p) + (type === 'ipv4' ? 96 : 0), type, bl });
  }
  owner(addr, visible = () => true) {
    if (!addr) return null;
    const type = net.isIPv4(addr) ? 'ipv4' : net.isIPv6(addr) ? 'ipv6' : null;
    if (!type) return null;
    let best = null;
    for (const r of this.list) {
      if (r.type === type && r.bl.check(addr, type) && (!best || r.prefix > best.prefix)) best = r;
    }
    return best && visible(best.org) ? best : null;
  }
}

function expected(lines, ranges, visible) {
  const s = { lines: 0, alerts: 0, anomalies: 0, other: 0, quarantined: 0, unattributed: 0 };
  const threats = new Map();
  const bump = (o, sid, indicator) => {
    const k = `${o.org}|${o.unit}|${sid}|${indicator}`;
    threats.set(k, (threats.get(k) || 0) + 1);
  };
  for (const line of lines) {
    s.lines++;
    let e;
    try { e = JSON.parse(line); } catch { s.quarantined++; continue; }
    if (!e || typeof e !== 'object' || Array.isArray(e) || typeof e.event_type !== 'string') {
      s.quarantined++;
      continue;
    }
    if (e.event_type === 'alert') s.alerts++;
    else if (e.event_type === 'anomaly') s.anomalies++;
    else { s.other++; continue; }
    const os = ranges.owner(e.src_ip, visible), od = ranges.owner(e.dest_ip, visible);
    if (!os && !od) { s.unattributed++; continue; }
    if (e.event_type !== 'alert') continue;
    const sid = e.alert.signature_id;
    if (os && od && os.org === od.org && os.unit === od.unit) {
      bump(os, sid, canon(e.src_ip));
      continue;
    }
    if (os) bump(os, sid, canon(e.dest_ip));
    if (od) bump(od, sid, canon(e.src_ip));
  }
  s.threats = threats.size;
  return { summary: s, threats };
}

// ---------------------------------------------------------------------------------------------
// Fixtures: two organisations, three units; B's /16 contains A's /24 (an overlap).
async function fixtures(srv, admin) {
  const A = await createOrg(admin, {});
  const B = await createOrg(admin, {});
  const ranges = new Ranges();
  const unit = async (org, cidrs) => {
    const r = await admin.post('/api/v1/units', {
      org_id: org.id, name: uniq('网络单元'), unit_type: 'internet', status: 'online', ip_ranges: cidrs,
    });
    assert.equal(r.status, 201, `POST /units: ${r}`);
    for (const c of cidrs) ranges.add(c, org.id, r.json.id);
    return r.json;
  };
  const A1 = await unit(A, ['10.0.0.0/8', '2.2.2.2/32', '2001:db8:1::/48']);
  const A2 = await unit(A, ['192.168.29.0/24']);
  const B1 = await unit(B, ['192.168.0.0/16']);
  const B2 = await unit(B, ['1.1.1.1/32', '8.8.8.0/24']);
  return { A, B, A1, A2, B1, B2, ranges };
}

function cli(srv, args, opts = {}) {
  return srv.cli(['ingest', ...args, ...srv.cliArgs()], opts);
}

function threatMap(items) {
  const m = new Map();
  for (const t of items) m.set(`${t.org_id}|${t.unit_id}|${t.signature_id}|${t.indicator}`, t.event_count);
  return m;
}

function assertThreats(items, exp, what) {
  const got = threatMap(items);
  const missing = [...exp.threats].filter(([k, n]) => got.get(k) !== n).map(([k, n]) => `${k}=${n} (got ${got.get(k)})`);
  const extra = [...got.keys()].filter((k) => !exp.threats.has(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${what}: threats differ`);
}

let tmp;
before(() => { tmp = mkdtempSync(join(tmpdir(), 'fanghu-ingest-')); });
after(() => { rmSync(tmp, { recursive: true, force: true }); });

// ---------------------------------------------------------------------------------------------
test('CLI: the sample (plus bad lines) gives the computed summary; threats go to the right organisations', async () => {
  const srv = await startServer();
  try {
    const admin = await srv.admin();
    const f = await fixtures(srv, admin);
    const file = join(tmp, 'sample-plus-bad.json');
    const lines = [...SAMPLE_LINES, ...BAD_LINES];
    writeFileSync(file, lines.join('\n') + '\n');
    const exp = expected(lines, f.ranges);
    assert.equal(exp.summary.alerts, 60, 'the sample has 60 alerts (README)');
    assert.ok(exp.summary.unattributed > 0 && exp.summary.threats > 5, 'the fixture exercises both paths');

    const r = cli(srv, ['--format', 'eve', file, '--json']);
    assert.equal(r.status, 0, `ingest: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), exp.summary);

    // A second run resumes after the last committed line: nothing new.
    const again = cli(srv, [file, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).lines, 0);

    const all = await listAll(admin, '/api/v1/threats');
    assert.equal(all.total, exp.summary.threats);
    assertThreats(all.items, exp, 'admin');
    for (const t of all.items) {
      assert.ok([f.A.id, f.B.id].includes(t.org_id), `threat of an unknown organisation: ${JSON.stringify(t)}`);
      assert.match(t.first_seen, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+08:00$/);
      assert.ok(t.first_seen <= t.last_seen);
      assert.equal(typeof t.category_name, 'string');
    }
    // The alert of sid 1 from 5.6.7.8 to 1.2.3.4: nobody owns either address.
    assert.equal(all.items.some((t) => t.indicator === '5.6.7.8'), false);
    // 192.168.29.x belongs to A2 (the /24), not to B1 (the /16 around it); both sides in A2:
    // one threat per signature with the source as indicator.
    const a2 = all.items.filter((t) => t.unit_id === f.A2.id);
    assert.ok(a2.length > 0 && a2.every((t) => t.org_id === f.A.id));
    assert.equal(all.items.some((t) => t.unit_id === f.B1.id && t.indicator.startsWith('192.168.29.')), false);

    // The events of a threat, and its raw samples.
    const big = all.items.reduce((a, t) => (t.event_count > a.event_count ? t : a));
    const ev = assertList(await admin.get(`/api/v1/threats/${big.id}/events?limit=500`));
    assert.equal(ev.total, big.event_count);
    assert.equal(ev.items.length, big.event_count);
    for (const e of ev.items) {
      assert.equal(e.event_type, 'alert');
      assert.equal(e.alert.signature_id, big.signature_id);
      assert.ok(e.threat_ids.includes(big.id));
    }
    const samples = assertList(await admin.get(`/api/v1/threats/${big.id}/samples`));
    assert.ok(samples.items.length >= 1 && samples.items.every((x) => x.event.event_type === 'alert'));

    // Scope: an operator of A sees A's threats only; B's are 404.
    const { client: opA } = await userWithClient(srv, admin, { role: 'operator_admin', org_id: f.A.id });
    const mine = await listAll(opA, '/api/v1/threats');
    assert.equal(mine.total, all.items.filter((t) => t.org_id === f.A.id).length);
    const ofB = all.items.find((t) => t.org_id === f.B.id);
    assert.ok(ofB, 'the fixture gives B a threat');
    assertError(await opA.get(`/api/v1/threats/${ofB.id}`), 404, 'not_found');
    assertError(await opA.get(`/api/v1/threats/${ofB.id}/events`), 404, 'not_found');

    // Overlapping declared ranges of different organisations.
    const ov = cli(srv, ['--overlaps', '--json']);
    assert.equal(ov.status, 0, ov.stderr);
    const pairs = JSON.parse(ov.stdout);
    assert.equal(pairs.total, 1);
    assert.equal(pairs.items[0].outer.cidr, '192.168.0.0/16');
    assert.equal(pairs.items[0].inner.cidr, '192.168.29.0/24');
  } finally {
    await srv.close();
  }
});

// ---------------------------------------------------------------------------------------------
function runFollow(srv, file) {
  const p = spawn(BIN, ['ingest', '--follow', '--batch', '37', file, ...srv.cliArgs()], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...srv.env },
  });
  p.out = '';
  p.stdout.on('data', (d) => { p.out += d; });
  p.stderr.on('data', (d) => { p.out += d; });
  p.exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
  return p;
}

test('kill -9 at random points, restart: the committed alerts are the file\'s alert lines, once each', async () => {
  const srv = await startServer();
  try {
    const admin = await srv.admin();
    const f = await fixtures(srv, admin);
    const file = join(tmp, 'growing.json');
    writeFileSync(file, '');
    const real = realpathSync(file);
    const copies = 24;
    let appended = 0;
    const append = () => { appendFileSync(file, SAMPLE_LINES.join('\n') + '\n'); appended++; };
    for (let i = 0; i < 4; i++) append();

    let kills = 0;
    for (let round = 0; round < 8; round++) {
      const p = runFollow(srv, real);
      // Feed the file while it runs, then kill it at a random moment.
      const until = Date.now() + 150 + Math.floor(Math.random() * 600);
      while (Date.now() < until) {
        if (appended < copies && Math.random() < 0.5) append();
        await sleep(20 + Math.floor(Math.random() * 60));
      }
      p.kill('SIGKILL');
      const ex = await p.exited;
      if (process.env.FANGHU_TEST_VERBOSE) console.log(`round ${round}: ${(p.out.match(/resuming at byte \d+/) || ['from the start'])[0]}, file ${appended} copies`);
      if (ex.signal === 'SIGKILL') kills++;
      else assert.fail(`follower exited by itself: ${JSON.stringify(ex)} ${p.out}`);
      assert.doesNotMatch(p.out, /AddressSanitizer|runtime error/);
    }
    while (appended < copies) append();
    assert.ok(kills >= 5, `killed ${kills} times`);
    const r = cli(srv, [real, '--json']);
    assert.equal(r.status, 0, `final ingest: ${r.stderr}`);

    const text = readFileSync(real, 'utf8');
    const wantOffsets = [];
    let off = 0;
    for (const line of text.split('\n')) {
      if (line && JSON.parse(line).event_type === 'alert') wantOffsets.push(off);
      off += Buffer.byteLength(line) + 1;
    }
    const dump = cli(srv, ['--dump', '--source', real], { maxBuffer: 256 << 20 });
    assert.equal(dump.status, 0, dump.stderr);
    const events = dump.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const gotOffsets = events.filter((e) => e.event_type === 'alert').map((e) => e.line_offset).sort((a, b) => a - b);
    assert.equal(gotOffsets.length, wantOffsets.length, 'as many committed alerts as alert lines');
    assert.deepEqual(gotOffsets, wantOffsets, 'the committed alerts are exactly the alert lines');

    // Threat counts agree with the file: nothing counted twice across the restarts.
    const exp = expected(text.split('\n').filter(Boolean), f.ranges);
    const all = await listAll(admin, '/api/v1/threats');
    assertThreats(all.items, exp, 'after kill -9');
  } finally {
    await srv.close();
  }
});

test('follow: a rotated file is read to its end, then the new file from its start', async () => {
  const srv = await startServer();
  try {
    await srv.admin();
    const dir = mkdtempSync(join(tmp, 'rot-'));
    const file = join(realpathSync(dir), 'eve.json');
    const half = Math.floor(SAMPLE_LINES.length / 2);
    writeFileSync(file, SAMPLE_LINES.slice(0, half).join('\n') + '\n');
    const p = runFollow(srv, file);
    await sleep(1500);
    // logrotate's create mode: the old file is renamed (and still gets a last line), a new one
    // appears at the path.
    const { renameSync } = await import('node:fs');
    renameSync(file, file + '.1');
    appendFileSync(file + '.1', SAMPLE_LINES[half] + '\n');
    writeFileSync(file, SAMPLE_LINES.slice(half + 1).join('\n') + '\n');
    await sleep(2500);
    p.kill('SIGTERM');
    const ex = await p.exited;
    assert.equal(ex.code, 0, p.out);
    const dump = cli(srv, ['--dump', '--source', file], { maxBuffer: 64 << 20 });
    const events = dump.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const kept = SAMPLE_LINES.map((l) => JSON.parse(l)).filter((e) => e.event_type === 'alert' || e.event_type === 'anomaly');
    assert.equal(events.length, kept.length, `every alert and anomaly once: ${p.out}`);
  } finally {
    await srv.close();
  }
});

// ---------------------------------------------------------------------------------------------
test('HTTP: POST /api/v1/events with an events:write token (NDJSON, gzip); other callers refused', async () => {
  const srv = await startServer();
  try {
    const admin = await srv.admin();
    const f = await fixtures(srv, admin);
    const sensorTok = await admin.post('/api/v1/tokens', { name: uniq('sensor'), scope: 'events:write' });
    assert.equal(sensorTok.status, 201, `${sensorTok}`);
    const readTok = await admin.post('/api/v1/tokens', { name: uniq('read'), scope: 'read' });
    const sensor = srv.client();
    sensor.bearer = sensorTok.json.token;
    const reader = srv.client();
    reader.bearer = readTok.json.token;

    const lines = [...SAMPLE_LINES, ...BAD_LINES.filter(Boolean)];
    const body = lines.join('\n') + '\n';
    const exp = expected(lines, f.ranges);
    const post = (client, data, headers = {}) => client.req('POST', '/api/v1/events', {
      body: data, contentType: 'application/x-ndjson', headers,
    });

    // Refused: a read token, a logged-in session, nobody. Nothing is written.
    assertError(await post(reader, body), 403, 'forbidden');
    assertError(await post(admin, body), 403, 'forbidden');
    assertError(await post(srv.client(), body), 401, 'unauthenticated');
    assert.equal((await admin.get('/api/v1/threats')).json.total, 0);

    const r = await post(sensor, body);
    assert.equal(r.status, 200, `${r}`);
    assert.deepEqual(r.json, exp.summary);
    const all = await listAll(admin, '/api/v1/threats');
    assertThreats(all.items, exp, 'HTTP');

    // The same lines gzip-compressed: the same summary, every count doubled.
    const z = await post(sensor, gzipSync(body), { 'content-encoding': 'gzip' });
    assert.equal(z.status, 200, `${z}`);
    assert.deepEqual(z.json, exp.summary);
    const twice = threatMap((await listAll(admin, '/api/v1/threats')).items);
    for (const [k, n] of exp.threats) assert.equal(twice.get(k), 2 * n, k);

    // Bad bodies: broken gzip, an inflated size past the bound, an unknown encoding.
    assertError(await post(sensor, Buffer.from('not gzip'), { 'content-encoding': 'gzip' }), 400, 'validation_failed', 'body');
    assertError(await post(sensor, gzipSync(Buffer.alloc(17 << 20, 0x20)), { 'content-encoding': 'gzip' }), 413, 'payload_too_large');
    assertError(await post(sensor, body, { 'content-encoding': 'br' }), 415, 'unsupported_media_type');
    assertError(await sensor.req('POST', '/api/v1/events', { body, contentType: 'image/png' }), 415, 'unsupported_media_type');
    const after = threatMap((await listAll(admin, '/api/v1/threats')).items);
    for (const [k, n] of exp.threats) assert.equal(after.get(k), 2 * n, `${k}: only the accepted posts count`);

    // Concurrent senders (written in groups, one commit per group): each answered with its own
    // summary, every event counted once.
    const together = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      post(sensor, i % 2 ? gzipSync(body) : body, i % 2 ? { 'content-encoding': 'gzip' } : {})));
    for (const t of together) {
      assert.equal(t.status, 200, `${t}`);
      assert.deepEqual(t.json, exp.summary);
    }
    const eight = threatMap((await listAll(admin, '/api/v1/threats')).items);
    for (const [k, n] of exp.threats) assert.equal(eight.get(k), 8 * n, `${k} after concurrent posts`);
    const audit = await admin.get('/api/v1/audit?limit=100');
    assert.equal(audit.json.items.filter((a) => a.action === 'threat.ingest').length, 8, 'one audit record per accepted post');
  } finally {
    await srv.close();
  }
});

test('HTTP: an operator\'s sensor attributes events to its own organisation only', async () => {
  const srv = await startServer();
  try {
    const admin = await srv.admin();
    const f = await fixtures(srv, admin);
    const { client: opA } = await userWithClient(srv, admin, { role: 'operator_admin', org_id: f.A.id });
    const tok = await opA.post('/api/v1/tokens', { name: uniq('sensor'), scope: 'events:write' });
    assert.equal(tok.status, 201, `${tok}`);
    const sensor = srv.client();
    sensor.bearer = tok.json.token;
    const exp = expected(SAMPLE_LINES, f.ranges, (org) => org === f.A.id);
    const r = await sensor.req('POST', '/api/v1/events', { body: SAMPLE_TEXT, contentType: 'application/x-ndjson' });
    assert.equal(r.status, 200, `${r}`);
    assert.deepEqual(r.json, exp.summary);
    const all = await listAll(admin, '/api/v1/threats');
    assert.ok(all.items.length > 0);
    assert.ok(all.items.every((t) => t.org_id === f.A.id), 'no threat outside the sensor\'s scope');
    assertThreats(all.items, exp, 'operator sensor');
  } finally {
    await srv.close();
  }
});
