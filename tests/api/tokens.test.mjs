// API tokens: create (secret shown once), Bearer auth by scope, list, revoke.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertShape, assertList, createOrg, userWithClient, uniq, uscc, auditTotal } from './lib.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await srv.admin(); });
after(async () => { await srv?.close(); });

test('create a read token: 201 TOKEN + token "fh_…", shown once', async () => {
  const r = await admin.post('/api/v1/tokens', { name: '只读报表', scope: 'read' });
  assert.equal(r.status, 201, `${r}`);
  assertShape('TOKEN', r.json, { token: (v) => typeof v === 'string' });
  assert.match(r.json.token, /^fh_[A-Za-z0-9_-]{20,}$/);
  assert.equal(r.json.name, '只读报表');
  assert.equal(r.json.scope, 'read');
  assert.equal(r.json.expires_at, null);
  assert.equal(r.json.last_used_at, null);
  const me = (await admin.get('/api/v1/me')).json.user;
  assert.equal(r.json.user_id, me.id);

  const list = assertList(await admin.get('/api/v1/tokens'));
  const t = list.items.find((x) => x.id === r.json.id);
  assert.ok(t, 'token listed');
  assertShape('TOKEN', t);
  assert.equal(JSON.stringify(list).includes(r.json.token), false, 'secret never listed again');
  assert.equal(JSON.stringify(list).includes(r.json.token.slice(3)), false, 'secret never listed again');
  const a = await admin.get('/api/v1/audit?limit=100');
  assert.equal(a.text.includes(r.json.token.slice(3)), false, 'secret not in the audit log');
});

test('Bearer read token: GET works, writes are 403 forbidden, no CSRF involved', async () => {
  const r = await admin.post('/api/v1/tokens', { name: uniq('read'), scope: 'read' });
  const c = srv.client();
  c.bearer = r.json.token;
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200, `${me}`);
  assert.equal(me.json.user.username, 'admin');
  assert.equal((await c.get('/api/v1/orgs')).status, 200);
  assert.equal((await c.get('/api/v1/users')).status, 200);
  assert.equal(c.cookies.size, 0, 'Bearer requests get no session cookie');

  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  const audits = await auditTotal(admin);
  assertError(await c.post('/api/v1/orgs', { name: uniq('令牌'), kind: 'vas', uscc: uscc(), province: '35' }), 403, 'forbidden');
  const org = await createOrg(admin, {});
  const audits2 = await auditTotal(admin);
  assertError(await c.patch(`/api/v1/orgs/${org.id}`, { name: 'x' }), 403, 'forbidden');
  assertError(await c.post('/api/v1/tokens', { name: 'escalate', scope: 'read' }), 403, 'forbidden');
  assertError(await c.del(`/api/v1/tokens/${r.json.id}`), 403, 'forbidden');
  assertError(await c.post('/api/v1/users', { username: uniq('t'), display_name: 'x', role: 'sysadmin', org_id: org.id }), 403, 'forbidden');
  assertError(await c.del('/api/v1/session'), 403, 'forbidden');
  assertError(await c.post('/api/v1/me/password', { old_password: 'x', new_password: 'Another-Pass-123' }), 403, 'forbidden');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before + 1);
  assert.equal((await admin.get(`/api/v1/orgs/${org.id}`)).json.name, org.name);
  assert.equal(await auditTotal(admin), audits2);
  assert.ok(audits2 > audits);

  // Use shows up as last_used_at.
  const t = (await admin.get('/api/v1/tokens?limit=500')).json.items.find((x) => x.id === r.json.id);
  assert.match(t.last_used_at ?? '', /\+08:00$/, `last_used_at after use: ${JSON.stringify(t)}`);
});

test('events:write token may not read', async () => {
  const r = await admin.post('/api/v1/tokens', { name: uniq('sensor'), scope: 'events:write' });
  assert.equal(r.status, 201, `${r}`);
  assert.equal(r.json.scope, 'events:write');
  const c = srv.client();
  c.bearer = r.json.token;
  assertError(await c.get('/api/v1/orgs'), 403, 'forbidden');
  assertError(await c.get('/api/v1/users'), 403, 'forbidden');
  assertError(await c.post('/api/v1/orgs', { name: 'x', kind: 'vas', uscc: uscc(), province: '35' }), 403, 'forbidden');
});

test('revoked token → 401; DELETE twice → 404', async () => {
  const r = await admin.post('/api/v1/tokens', { name: uniq('revoke'), scope: 'read' });
  const c = srv.client();
  c.bearer = r.json.token;
  assert.equal((await c.get('/api/v1/orgs')).status, 200);
  const d = await admin.del(`/api/v1/tokens/${r.json.id}`);
  assert.equal(d.status, 204, `${d}`);
  assert.equal(d.text, '');
  assertError(await c.get('/api/v1/orgs'), 401, 'unauthenticated');
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  assert.equal((await admin.get('/api/v1/tokens?limit=500')).json.items.some((x) => x.id === r.json.id), false, 'revoked token not listed');
  assertError(await admin.del(`/api/v1/tokens/${r.json.id}`), 404, 'not_found');
  assertError(await admin.del('/api/v1/tokens/999999999'), 404, 'not_found');
  assertError(await admin.del('/api/v1/tokens/abc'), 404, 'not_found');
});

test('malformed bearer credentials → 401 unauthenticated', async () => {
  const good = (await admin.post('/api/v1/tokens', { name: uniq('g'), scope: 'read' })).json.token;
  for (const h of ['Bearer fh_notatoken', 'Bearer ', 'Bearer', `Bearer ${good}x`, `Bearer ${good.slice(0, -1)}`, 'Basic YWRtaW46YWRtaW4=', `bearer  ${good}  junk`]) {
    const r = await srv.client().get('/api/v1/orgs', { headers: { authorization: h } });
    assertError(r, 401, 'unauthenticated');
  }
});

test('expiry: a token with expires_at in the past is refused or stops working', async () => {
  const future = new Date(Date.now() + 86400e3 + 8 * 3600e3).toISOString().replace(/\.\d+Z$/, '+08:00');
  const f = await admin.post('/api/v1/tokens', { name: uniq('future'), scope: 'read', expires_at: future });
  assert.equal(f.status, 201, `${f}`);
  assert.match(f.json.expires_at, /\+08:00$/);
  assert.equal(Date.parse(f.json.expires_at), Date.parse(future));
  const c = srv.client();
  c.bearer = f.json.token;
  assert.equal((await c.get('/api/v1/orgs')).status, 200);

  const past = await admin.post('/api/v1/tokens', { name: uniq('past'), scope: 'read', expires_at: '2020-01-01T00:00:00+08:00' });
  if (past.status === 201) {
    const p = srv.client();
    p.bearer = past.json.token;
    assertError(await p.get('/api/v1/orgs'), 401, 'unauthenticated');
  } else {
    assertError(past, 400, 'validation_failed', 'expires_at');
  }
  assertError(await admin.post('/api/v1/tokens', { name: uniq('bad'), scope: 'read', expires_at: 'tomorrow' }), 400, 'validation_failed', 'expires_at');
});

test('token validation: scope, name, unknown fields', async () => {
  const before = (await admin.get('/api/v1/tokens?limit=500')).json.total;
  assertError(await admin.post('/api/v1/tokens', { name: 'x', scope: 'admin' }), 400, 'validation_failed', 'scope');
  assertError(await admin.post('/api/v1/tokens', { name: 'x' }), 400, 'validation_failed', 'scope');
  assertError(await admin.post('/api/v1/tokens', { scope: 'read' }), 400, 'validation_failed', 'name');
  assertError(await admin.post('/api/v1/tokens', { name: '', scope: 'read' }), 400, 'validation_failed', 'name');
  assertError(await admin.post('/api/v1/tokens', { name: 'n'.repeat(5000), scope: 'read' }), 400, 'validation_failed', 'name');
  assertError(await admin.post('/api/v1/tokens', { name: 'x', scope: 'read', user_id: '1' }), 400, 'unknown_field', 'user_id');
  assert.equal((await admin.get('/api/v1/tokens?limit=500')).json.total, before);
});

test('tokens are private: a user lists and deletes only its own; sysadmin sees all', async () => {
  const org = await createOrg(admin, {});
  const a = await userWithClient(srv, admin, { role: 'operator_admin', org_id: org.id });
  const b = await userWithClient(srv, admin, { role: 'operator_admin', org_id: org.id });
  const ta = await a.client.post('/api/v1/tokens', { name: 'a-token', scope: 'read' });
  const tb = await b.client.post('/api/v1/tokens', { name: 'b-token', scope: 'read' });
  assert.equal(ta.status, 201);
  assert.equal(tb.status, 201);
  const la = assertList(await a.client.get('/api/v1/tokens'));
  assert.deepEqual(la.items.map((t) => t.id), [ta.json.id]);
  assert.equal(la.total, 1);
  assert.ok(la.items.every((t) => t.user_id === a.user.id));
  // The same organisation is not enough: b's token is not a's.
  assertError(await a.client.del(`/api/v1/tokens/${tb.json.id}`), 404, 'not_found');
  const bc = srv.client();
  bc.bearer = tb.json.token;
  assert.equal((await bc.get('/api/v1/me')).status, 200, 'b\'s token survived');
  const all = assertList(await admin.get('/api/v1/tokens?limit=500'));
  assert.ok(all.items.some((t) => t.id === ta.json.id) && all.items.some((t) => t.id === tb.json.id), 'sysadmin sees all');
  // sysadmin can revoke anyone's.
  assert.equal((await admin.del(`/api/v1/tokens/${tb.json.id}`)).status, 204);
  assertError(await bc.get('/api/v1/me'), 401, 'unauthenticated');
  // A token acts as its user, with that user's scope.
  const ac = srv.client();
  ac.bearer = ta.json.token;
  const orgs = assertList(await ac.get('/api/v1/orgs?limit=500'));
  assert.deepEqual(orgs.items.map((o) => o.id), [org.id]);
});
