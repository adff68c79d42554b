// Audit log: list (newest first, filters), who may read it, hash-chain verification over the API
// and the CLI, and detection of a record edited behind the server's back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startServer, assertError, assertShape, assertList, createOrg, userWithClient, uniq, uscc, listAll,
} from './lib.mjs';

let srv, admin, org;
before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  org = await createOrg(admin, { name: uniq('审计测试单位') });
});
after(async () => { await srv?.close(); });

test('list: AUDIT records, newest first, contiguous sequence, SM3-sized hashes', async () => {
  const all = await listAll(admin, '/api/v1/audit');
  assert.ok(all.items.length >= 3, 'login, password change and org creation are recorded');
  assert.equal(all.total, all.items.length);
  for (const a of all.items) {
    assertShape('AUDIT', a);
    assert.match(a.hash, /^[0-9a-f]{64}$/, 'hash is 64 hex digits (SM3)');
  }
  const seqs = all.items.map((a) => a.seq);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i - 1] > seqs[i], 'newest first');
  assert.deepEqual([...seqs].sort((x, y) => x - y), Array.from({ length: seqs.length }, (_, i) => i + 1), 'seq runs 1..N with no gap');
  assert.equal(new Set(all.items.map((a) => a.hash)).size, all.items.length, 'hashes differ');
  const actions = new Set(all.items.map((a) => a.action));
  for (const action of ['session.login', 'user.password_change', 'org.create']) assert.ok(actions.has(action), `${action} recorded`);
});

test('a change carries the request id, client address, actor and before/after', async () => {
  const name = uniq('追溯');
  const r = await admin.post('/api/v1/orgs', { name, kind: 'dns', uscc: uscc(), province: '11' });
  assert.equal(r.status, 201);
  const rid = r.headers.get('x-request-id');
  const me = (await admin.get('/api/v1/me')).json.user;
  const top = assertList(await admin.get('/api/v1/audit?limit=5'));
  const rec = top.items.find((a) => a.action === 'org.create' && a.entity_id === r.json.id);
  assert.ok(rec, 'org.create among the newest records');
  assert.equal(rec.request_id, rid, 'audit request_id = X-Request-Id of the request');
  assert.equal(rec.client_addr, '127.0.0.1');
  assert.equal(rec.actor_id, me.id);
  assert.equal(rec.actor_name, 'admin');
  assert.equal(rec.entity, 'org');
  assert.equal(rec.before, null);
  assert.equal(rec.after.name, name);
  assert.equal(rec.after.uscc, r.json.uscc);
});

test('filters: action, entity, actor; pagination', async () => {
  const byAction = assertList(await admin.get('/api/v1/audit?action=org.create&limit=500'));
  assert.ok(byAction.total >= 2);
  assert.ok(byAction.items.every((a) => a.action === 'org.create'));
  const byEntity = assertList(await admin.get('/api/v1/audit?entity=org&limit=500'));
  assert.ok(byEntity.items.length >= 2 && byEntity.items.every((a) => a.entity === 'org'));
  assert.equal(assertList(await admin.get('/api/v1/audit?action=no.such.action')).total, 0);

  // actor: by user id or by user name — either way, only that actor's records.
  const u = await userWithClient(srv, admin, { role: 'operator_admin', org_id: org.id });
  await u.client.post('/api/v1/tokens', { name: 'for-audit', scope: 'read' });
  const byId = assertList(await admin.get(`/api/v1/audit?actor=${encodeURIComponent(u.user.id)}&limit=500`));
  const byName = assertList(await admin.get(`/api/v1/audit?actor=${encodeURIComponent(u.user.username)}&limit=500`));
  const hit = byId.total > 0 ? byId : byName;
  assert.ok(hit.total >= 2, 'the user\'s login and password change are found by actor');
  assert.ok(hit.items.every((a) => a.actor_id === u.user.id), 'actor filter returns only that actor');

  const p1 = assertList(await admin.get('/api/v1/audit?limit=2&offset=0'));
  const p2 = assertList(await admin.get('/api/v1/audit?limit=2&offset=2'));
  assert.equal(p1.items.length, 2);
  assert.ok(p1.items[1].seq > p2.items[0].seq, 'pages continue newest → oldest');
});

test('who may read it: sysadmin and auditor; others 403 forbidden', async () => {
  const auditor = await userWithClient(srv, admin, { role: 'auditor', org_id: org.id });
  assert.equal((await auditor.client.get('/api/v1/audit')).status, 200);
  assert.equal((await auditor.client.get('/api/v1/audit/verify')).status, 200);
  for (const role of ['operator_admin', 'operator_staff']) {
    const u = await userWithClient(srv, admin, { role, org_id: org.id });
    assertError(await u.client.get('/api/v1/audit'), 403, 'forbidden');
    assertError(await u.client.get('/api/v1/audit/verify'), 403, 'forbidden');
  }
  const reg = await createOrg(admin, { kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  const r = await userWithClient(srv, admin, { role: 'regulator', org_id: reg.id });
  assertError(await r.client.get('/api/v1/audit'), 403, 'forbidden');
  assertError(await r.client.get('/api/v1/audit/verify'), 403, 'forbidden');
  assertError(await srv.client().get('/api/v1/audit'), 401, 'unauthenticated');
});

test('verify over the API and with the CLI', async () => {
  const v = await admin.get('/api/v1/audit/verify');
  assert.equal(v.status, 200, `${v}`);
  assert.deepEqual(Object.keys(v.json).sort(), ['checked', 'first_bad_seq', 'ok']);
  assert.equal(v.json.ok, true);
  assert.equal(v.json.first_bad_seq, null);
  const total = (await admin.get('/api/v1/audit?limit=1')).json.total;
  assert.ok(v.json.checked >= total - 1 && v.json.checked <= total + 1, `checked ${v.json.checked} of ${total}`);
  const cli = srv.cli(['audit', 'verify', ...srv.cliArgs()]);
  assert.equal(cli.status, 0, `fanghu audit verify: ${cli.stdout}${cli.stderr}`);
});

test('an audit record edited in the database is detected (API ok=false, CLI non-zero)', async () => {
  const all = await listAll(admin, '/api/v1/audit');
  const victim = all.items.find((a) => a.action === 'org.create' && a.entity_id === org.id);
  assert.ok(victim);
  const sql = `UPDATE audit_log SET after_json = replace(after_json, '审计', '篡改') WHERE seq = ${victim.seq}`;
  let r;
  if (srv.dbUrl) r = spawnSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', srv.dbUrl, '-c', sql], { encoding: 'utf8' });
  else r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(srv.dataDir, 'fanghu.db'), sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tamper step failed (schema changed?): ${r.stderr}`);
  const check = all.items.find((a) => a.seq === victim.seq);
  assert.ok(JSON.stringify(check.after).includes('审计'), 'the victim record contains the text we replace');

  const v = await admin.get('/api/v1/audit/verify');
  assert.equal(v.status, 200);
  assert.equal(v.json.ok, false, `tampering not detected: ${v}`);
  assert.equal(v.json.first_bad_seq, victim.seq);
  const cli = srv.cli(['audit', 'verify', ...srv.cliArgs()]);
  assert.notEqual(cli.status, 0, `CLI verify passed a tampered log: ${cli.stdout}${cli.stderr}`);
});
