// Bad input on every write endpoint: malformed JSON, wrong types, unknown fields, over-long
// strings, bodies over 1 MiB. Each gets a clear error and changes nothing (checked afterwards
// with GETs and the audit count).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startServer, assertError, createOrg, createUser, activate, uniq, uscc, listAll, auditTotal, rawRequest,
  ADMIN_NEW_PASSWORD,
} from './lib.mjs';

let srv, admin, org, user, userClient, token;
let snapshot;

async function takeSnapshot() {
  return {
    orgs: (await listAll(admin, '/api/v1/orgs')).items,
    users: (await listAll(admin, '/api/v1/users')).items.map(({ last_login_at, ...u }) => u),
    tokens: (await listAll(admin, '/api/v1/tokens')).items.map(({ last_used_at, ...t }) => t),
    audit: await auditTotal(admin),
  };
}

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  org = await createOrg(admin, { name: uniq('坏输入单位') });
  const u = await createUser(admin, { role: 'operator_admin', org_id: org.id });
  user = u.user;
  userClient = await activate(srv, user.username, u.initial_password);
  token = (await admin.post('/api/v1/tokens', { name: 'keep', scope: 'read' })).json;
  snapshot = await takeSnapshot();
});
after(async () => { await srv?.close(); });

async function assertUnchanged(what) {
  const now = await takeSnapshot();
  assert.deepEqual(now, snapshot, `${what}: state changed`);
}

// Write endpoints with a valid body for each (used as the base for mutations).
function endpoints() {
  return [
    { method: 'POST', path: '/api/v1/orgs', valid: () => ({ name: uniq('合法'), kind: 'vas', uscc: uscc(), province: '35' }), str: 'name' },
    { method: 'PATCH', path: `/api/v1/orgs/${org.id}`, valid: () => ({ name: uniq('新名') }), str: 'name' },
    { method: 'POST', path: '/api/v1/users', valid: () => ({ username: uniq('ok'), display_name: '合法', role: 'operator_staff', org_id: org.id }), str: 'display_name' },
    { method: 'PATCH', path: `/api/v1/users/${user.id}`, valid: () => ({ display_name: '新名' }), str: 'display_name' },
    { method: 'POST', path: '/api/v1/tokens', valid: () => ({ name: uniq('tok'), scope: 'read' }), str: 'name' },
    { method: 'POST', path: '/api/v1/me/password', valid: () => ({ old_password: ADMIN_NEW_PASSWORD, new_password: 'Never-Applied-Pass-1' }), str: 'new_password' },
  ];
}

test('malformed JSON → 400 bad_json on every write endpoint', async () => {
  const bodies = ['{', '{"name":}', 'not json', '[1,2', '{"name":"x"} trailing', '{"name":"x",}', "{'name':'x'}",
    '{"name":"\\x"}', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])];
  for (const ep of endpoints()) {
    for (const body of bodies) {
      assertError(await admin.req(ep.method, ep.path, { body }), 400, 'bad_json');
    }
    const empty = await admin.req(ep.method, ep.path, { body: '' });
    assert.equal(empty.status, 400, `${ep.method} ${ep.path} empty body: ${empty}`);
    assert.ok(['bad_json', 'validation_failed'].includes(empty.code), `${empty}`);
  }
  assertError(await srv.client().req('POST', '/api/v1/session', { body: '{"username":"admin",' }), 400, 'bad_json');
  await assertUnchanged('malformed JSON');
});

test('JSON that is not an object → 400', async () => {
  for (const ep of endpoints()) {
    for (const body of ['[]', '"text"', '42', 'null', 'true', '[{"name":"x"}]']) {
      const r = await admin.req(ep.method, ep.path, { body });
      assert.equal(r.status, 400, `${ep.method} ${ep.path} ${body}: ${r}`);
      assert.ok(['bad_json', 'validation_failed'].includes(r.code), `${r}`);
    }
  }
  await assertUnchanged('non-object JSON');
});

test('wrong types → 400 validation_failed naming the field', async () => {
  const cases = [
    ['POST', '/api/v1/orgs', (v) => ({ ...v, name: 123 }), 'name'],
    ['POST', '/api/v1/orgs', (v) => ({ ...v, name: null }), 'name'],
    ['POST', '/api/v1/orgs', (v) => ({ ...v, name: { zh: 'x' } }), 'name'],
    ['POST', '/api/v1/orgs', (v) => ({ ...v, province: ['35'] }), 'province'],
    ['POST', '/api/v1/orgs', (v) => ({ ...v, kind: true }), 'kind'],
    ['POST', '/api/v1/orgs', (v) => ({ ...v, parent_id: true }), 'parent_id'],
    ['POST', '/api/v1/orgs', (v) => ({ ...v, jurisdiction: 'all' }), 'jurisdiction'],
    ['PATCH', `/api/v1/orgs/{org}`, () => ({ name: 5 }), 'name'],
    ['PATCH', `/api/v1/orgs/{org}`, () => ({ uscc: 91350100 }), 'uscc'],
    ['POST', '/api/v1/users', (v) => ({ ...v, role: 1 }), 'role'],
    ['POST', '/api/v1/users', (v) => ({ ...v, display_name: ['a'] }), 'display_name'],
    ['POST', '/api/v1/users', (v) => ({ ...v, password: 123456789012 }), 'password'],
    ['PATCH', `/api/v1/users/{user}`, () => ({ disabled: 'true' }), 'disabled'],
    ['PATCH', `/api/v1/users/{user}`, () => ({ disabled: 1 }), 'disabled'],
    ['POST', '/api/v1/tokens', (v) => ({ ...v, scope: ['read'] }), 'scope'],
    ['POST', '/api/v1/tokens', (v) => ({ ...v, expires_at: 1893456000 }), 'expires_at'],
    ['POST', '/api/v1/me/password', (v) => ({ ...v, new_password: 1234567890123 }), 'new_password'],
  ];
  const base = Object.fromEntries(endpoints().map((e) => [e.method + ' ' + e.path, e]));
  for (const [method, tmpl, mutate, field] of cases) {
    const path = tmpl.replace('{org}', org.id).replace('{user}', user.id);
    const ep = base[method + ' ' + path];
    assertError(await admin.req(method, path, { json: mutate(ep.valid()) }), 400, 'validation_failed', field);
  }
  await assertUnchanged('wrong types');
});

test('unknown fields → 400 unknown_field with the field named', async () => {
  for (const ep of endpoints()) {
    for (const field of ['extra', 'id', 'created_at', 'isAdmin']) {
      assertError(await admin.req(ep.method, ep.path, { json: { ...ep.valid(), [field]: 'x' } }), 400, 'unknown_field', field);
    }
  }
  assertError(await srv.client().post('/api/v1/session', { username: 'admin', password: ADMIN_NEW_PASSWORD, otp: '1' }), 400, 'unknown_field', 'otp');
  await assertUnchanged('unknown fields');
});

test('over-long and control-character strings → 400 validation_failed', async () => {
  for (const ep of endpoints()) {
    if (ep.path.endsWith('/password')) continue;
    assertError(await admin.req(ep.method, ep.path, { json: { ...ep.valid(), [ep.str]: '长'.repeat(5000) } }), 400, 'validation_failed', ep.str);
    assertError(await admin.req(ep.method, ep.path, { json: { ...ep.valid(), [ep.str]: 'x'.repeat(100000) } }), 400, 'validation_failed', ep.str);
    const nul = await admin.req(ep.method, ep.path, { json: { ...ep.valid(), [ep.str]: 'a\u0000b' } });
    assert.equal(nul.status, 400, `${ep.method} ${ep.path} NUL in ${ep.str}: ${nul}`);
  }
  assertError(await admin.post('/api/v1/me/password', { old_password: ADMIN_NEW_PASSWORD, new_password: 'Aa1!'.repeat(20000) }),
    400, 'validation_failed', 'new_password');
  assertError(await admin.post('/api/v1/orgs', { name: uniq('长码'), kind: 'vas', uscc: uscc() + 'X'.repeat(1000), province: '35' }),
    400, 'validation_failed', 'uscc');
  await assertUnchanged('over-long strings');
});

test('body over 1 MiB → 413 payload_too_large (Content-Length and chunked)', async () => {
  const huge = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), kind: 'vas', uscc: uscc(), province: '35' });
  const headers = { 'content-type': 'application/json', cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf };
  for (const [method, path] of [['POST', '/api/v1/orgs'], ['PATCH', `/api/v1/orgs/${org.id}`], ['POST', '/api/v1/users'], ['POST', '/api/v1/tokens']]) {
    const r = await rawRequest(srv.base, method, path, { headers: { ...headers, 'content-length': Buffer.byteLength(huge) }, body: huge });
    assertError(r, 413, 'payload_too_large');
  }
  // Chunked: no Content-Length, the server must count.
  const r = await new Promise((resolve, reject) => {
    const u = new URL('/api/v1/orgs', srv.base);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (e) => setTimeout(() => reject(e), 1000));
    const piece = Buffer.from('x'.repeat(64 * 1024));
    req.write('{"name":"');
    for (let i = 0; i < 40; i++) req.write(piece); // 2.5 MiB
    req.end('","kind":"vas","uscc":"' + uscc() + '","province":"35"}');
  });
  assert.equal(r.status, 413, `chunked: ${r.status} ${r.text}`);
  assert.equal(JSON.parse(r.text).error.code, 'payload_too_large');
  // Unauthenticated huge bodies are refused too (no buffering for strangers).
  const anon = await rawRequest(srv.base, 'POST', '/api/v1/session', { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(huge) }, body: huge });
  assert.equal(anon.status, 413, `anonymous huge login body: ${anon}`);
  await assertUnchanged('oversized bodies');
  // The server is still fine.
  assert.equal((await admin.get('/api/v1/me')).status, 200);
});

test('a body just under 1 MiB is read and judged on its content (not 413)', async () => {
  const body = JSON.stringify({ name: 'x'.repeat(1024 * 1024 - 200), kind: 'vas', uscc: uscc(), province: '35' });
  assert.ok(Buffer.byteLength(body) < 1024 * 1024);
  assertError(await admin.req('POST', '/api/v1/orgs', { body }), 400, 'validation_failed', 'name');
  await assertUnchanged('near-limit body');
});

test('content types: charset parameter accepted, non-JSON refused with 415', async () => {
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    assertError(await admin.req('POST', '/api/v1/orgs', { body: JSON.stringify(endpoints()[0].valid()), contentType: ct }), 415, 'unsupported_media_type');
  }
  await assertUnchanged('wrong content types');
  const r = await admin.req('POST', '/api/v1/orgs', { body: JSON.stringify(endpoints()[0].valid()), contentType: 'application/json; charset=utf-8' });
  assert.equal(r.status, 201, `charset=utf-8: ${r}`);
  snapshot = await takeSnapshot();
});

test('a refused write does not poison the session: the same client then succeeds', async () => {
  assertError(await userClient.req('POST', '/api/v1/tokens', { body: '{' }), 400, 'bad_json');
  const r = await userClient.post('/api/v1/tokens', { name: 'after-bad', scope: 'read' });
  assert.equal(r.status, 201, `${r}`);
  void token;
});
