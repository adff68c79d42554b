// Login, logout, the must-change-password gate, password policy, CSRF, session cookie.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, assertError, createOrg, Soft, createUser, activate, strongPassword, uniq, uscc,
  ADMIN_PASSWORD, ADMIN_NEW_PASSWORD,
} from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.close(); });

function sessionSetCookie(r) {
  const sc = r.setCookies.find((c) => c.startsWith('fanghu_session='));
  assert.ok(sc, `no fanghu_session Set-Cookie in ${JSON.stringify(r.setCookies)}`);
  return sc;
}

test('first admin: login works, must change the password, gate holds until it is changed', async () => {
  const c1 = srv.client();
  const r = await c1.login('admin', ADMIN_PASSWORD);
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual(Object.keys(r.json).sort(), ['csrf_token', 'must_change_password', 'user']);
  assert.equal(r.json.must_change_password, true);
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 16, 'csrf token too short');
  assert.equal(r.json.user.username, 'admin'); // its exact shape: shapes.test.mjs
  assert.equal(r.json.user.role, 'sysadmin');
  assert.equal(r.json.user.must_change_password, true);

  // Session cookie attributes.
  const sc = sessionSetCookie(r);
  const attrs = sc.split(';').slice(1).map((a) => a.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), `HttpOnly missing: ${sc}`);
  assert.ok(attrs.includes('samesite=strict'), `SameSite=Strict missing: ${sc}`);
  assert.ok(attrs.includes('path=/'), `Path=/ missing: ${sc}`);
  assert.ok(c1.sessionCookie().length >= 20, 'session id too short');

  // Gate: only GET /me, POST /me/password, DELETE /session.
  const gate = new Soft();
  for (const path of ['/api/v1/orgs', '/api/v1/users', '/api/v1/tokens', '/api/v1/audit', '/api/v1/meta', '/api/v1/audit/verify', '/api/v1/orgs/1', '/api/v1/users/1']) {
    await gate.run(`GET ${path}`, async () => assertError(await c1.get(path), 403, 'password_change_required'));
  }
  await gate.run('POST /orgs', async () => assertError(await c1.post('/api/v1/orgs', { name: 'x', kind: 'vas', uscc: '91350100M000100Y43', province: '35' }),
    403, 'password_change_required'));
  await gate.run('POST /tokens', async () => assertError(await c1.post('/api/v1/tokens', { name: 'x', scope: 'read' }), 403, 'password_change_required'));
  await gate.run('DELETE /me/sessions', async () => assertError(await c1.del('/api/v1/me/sessions'), 403, 'password_change_required'));
  if ((await c1.get('/api/v1/me')).status === 401) {
    // The gate let DELETE /me/sessions through (recorded above); log in again to go on.
    assert.equal((await c1.login('admin', ADMIN_PASSWORD)).status, 200);
  }
  const me = await c1.get('/api/v1/me');
  assert.equal(me.status, 200, `${me}`);
  assert.deepEqual(Object.keys(me.json).sort(), ['csrf_token', 'must_change_password', 'user']);
  assert.equal(me.json.must_change_password, true);
  assert.equal(me.json.csrf_token, c1.csrf, 'GET /me returns the session csrf token');

  // DELETE /session passes the gate.
  const c2 = srv.client();
  assert.equal((await c2.login('admin', ADMIN_PASSWORD)).status, 200);
  const out = await c2.del('/api/v1/session');
  assert.equal(out.status, 204, `${out}`);
  assertError(await c2.get('/api/v1/me'), 401, 'unauthenticated');

  // A third session that the password change must revoke.
  const c3 = srv.client();
  assert.equal((await c3.login('admin', ADMIN_PASSWORD)).status, 200);

  // Password change: policy, wrong old password, then success.
  assertError(await c1.post('/api/v1/me/password', { old_password: ADMIN_PASSWORD, new_password: 'short' }),
    400, 'validation_failed', 'new_password');
  assertError(await c1.post('/api/v1/me/password', { old_password: 'Wrong-Old-Pass-1', new_password: ADMIN_NEW_PASSWORD }),
    400, 'validation_failed', 'old_password');
  // Still gated after the failures.
  assertError(await c1.get('/api/v1/orgs'), 403, 'password_change_required');
  const ok = await c1.post('/api/v1/me/password', { old_password: ADMIN_PASSWORD, new_password: ADMIN_NEW_PASSWORD });
  assert.equal(ok.status, 204, `${ok}`);
  srv._adminReady = true;
  await c1.refreshCsrf();

  const me2 = await c1.get('/api/v1/me');
  assert.equal(me2.json.must_change_password, false);
  assert.equal(me2.json.user.must_change_password, false);
  assert.equal((await c1.get('/api/v1/orgs')).status, 200);
  // Other sessions of the user are revoked; this one stays.
  assertError(await c3.get('/api/v1/me'), 401, 'unauthenticated');
  gate.done('gate checks');
  // Old password no longer works, new one does (and no gate).
  assertError(await srv.client().login('admin', ADMIN_PASSWORD), 401, 'invalid_credentials');
  const c4 = srv.client();
  const r4 = await c4.login('admin', ADMIN_NEW_PASSWORD);
  assert.equal(r4.status, 200);
  assert.equal(r4.json.must_change_password, false);
});

test('login errors: unknown user and wrong password look the same; bad bodies are 400', async () => {
  const a = await srv.client().login('admin', 'Not-The-Password-1');
  const b = await srv.client().login(uniq('ghost'), 'Not-The-Password-1');
  assertError(a, 401, 'invalid_credentials');
  assertError(b, 401, 'invalid_credentials');
  assert.equal(a.json.error.message, b.json.error.message, 'same message for unknown user and wrong password');
  assert.equal(a.setCookies.filter((c) => /^fanghu_session=[^;]+/.test(c) && !/max-age=0/i.test(c)).length, 0, 'no session on failure');
  const c = srv.client();
  assertError(await c.post('/api/v1/session', { username: 'admin' }), 400, 'validation_failed', 'password');
  assertError(await c.post('/api/v1/session', { username: 'admin', password: ADMIN_NEW_PASSWORD, remember: true }),
    400, 'unknown_field', 'remember');
  assertError(await c.req('POST', '/api/v1/session', { body: '{"username":' }), 400, 'bad_json');
  assertError(await c.post('/api/v1/session', { username: 42, password: ADMIN_NEW_PASSWORD }), 400, 'validation_failed', 'username');
});

test('unauthenticated requests → 401; forged session cookie → 401', async () => {
  for (const path of ['/api/v1/me', '/api/v1/orgs', '/api/v1/users', '/api/v1/tokens', '/api/v1/audit']) {
    assertError(await srv.client().get(path), 401, 'unauthenticated');
  }
  const c = srv.client();
  c.cookies.set('fanghu_session', 'A'.repeat(43));
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await srv.client().post('/api/v1/orgs', { name: 'x' }), 401, 'unauthenticated');
  assertError(await srv.client().del('/api/v1/session'), 401, 'unauthenticated');
});

test('GET /me after login: user, csrf token, last_login_at set', async () => {
  const admin = await srv.admin();
  const r = await admin.get('/api/v1/me');
  assert.equal(r.status, 200);
  assert.equal(r.json.user.username, 'admin');
  assert.notEqual(r.json.user.last_login_at, null);
  assert.equal(r.json.csrf_token, admin.csrf);
});

test('CSRF: writes with a session need the session\'s X-CSRF-Token', async () => {
  const admin = await srv.admin();
  const other = await srv.admin();
  assert.notEqual(admin.csrf, other.csrf, 'each session has its own csrf token');
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  const body = () => ({ name: uniq('CSRF单位'), kind: 'vas', uscc: uscc(), province: '35' });
  assertError(await admin.post('/api/v1/orgs', body(), { csrf: false }), 403, 'csrf_failed');
  assertError(await admin.post('/api/v1/orgs', body(), { headers: { 'x-csrf-token': 'wrong' } }), 403, 'csrf_failed');
  assertError(await admin.post('/api/v1/orgs', body(), { headers: { 'x-csrf-token': '' } }), 403, 'csrf_failed');
  assertError(await admin.post('/api/v1/orgs', body(), { headers: { 'x-csrf-token': other.csrf } }), 403, 'csrf_failed');
  assertError(await admin.post('/api/v1/orgs', body(), { headers: { 'x-csrf-token': admin.csrf + 'x' } }), 403, 'csrf_failed');
  // Token in the query string or a cookie does not count.
  assertError(await admin.post('/api/v1/orgs?csrf_token=' + admin.csrf, body(), { csrf: false }), 403, 'csrf_failed');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before, 'no org created without CSRF');

  // Other verbs.
  const org = await createOrg(admin, {});
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { name: 'changed' }, { csrf: false }), 403, 'csrf_failed');
  assert.equal((await admin.get(`/api/v1/orgs/${org.id}`)).json.name, org.name);
  const tok = await admin.post('/api/v1/tokens', { name: 'csrf-test', scope: 'read' });
  assert.equal(tok.status, 201, `${tok}`);
  assertError(await admin.del(`/api/v1/tokens/${tok.json.id}`, { csrf: false }), 403, 'csrf_failed');
  assertError(await admin.post('/api/v1/me/password', { old_password: ADMIN_NEW_PASSWORD, new_password: strongPassword() }, { csrf: false }), 403, 'csrf_failed');
  assertError(await admin.del('/api/v1/me/sessions', { csrf: false }), 403, 'csrf_failed');
  // The session survived all of that.
  assert.equal((await admin.get('/api/v1/me')).status, 200);
  assert.equal((await admin.get('/api/v1/tokens')).json.items.some((t) => t.id === tok.json.id), true);
  // And the right token works.
  assert.equal((await admin.post('/api/v1/orgs', body())).status, 201);
  // Login itself needs no CSRF token (there is no session yet).
  assert.equal((await srv.client().login('admin', ADMIN_NEW_PASSWORD)).status, 200);
});

test('CSRF: logout (DELETE /session) also needs the token; the session survives a refused logout', async () => {
  const c = await srv.admin();
  assertError(await c.del('/api/v1/session', { csrf: false }), 403, 'csrf_failed');
  assertError(await c.del('/api/v1/session', { headers: { 'x-csrf-token': 'wrong' } }), 403, 'csrf_failed');
  assert.equal((await c.get('/api/v1/me')).status, 200, 'session still alive');
});

test('logout: DELETE /session → 204, clears the cookie, the old cookie is dead', async () => {
  const c = await srv.admin();
  const stolen = c.clone();
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 204, `${r}`);
  assert.equal(r.text, '');
  const sc = sessionSetCookie(r);
  const value = sc.split(';')[0].slice('fanghu_session='.length);
  const maxAge = /;\s*max-age=(-?\d+)/i.exec(sc);
  const expires = /;\s*expires=([^;]+)/i.exec(sc);
  assert.ok(value === '' || (maxAge && Number(maxAge[1]) <= 0) || (expires && Date.parse(expires[1]) < Date.now()),
    `cookie not cleared: ${sc}`);
  assertError(await stolen.get('/api/v1/me'), 401, 'unauthenticated');
});

test('logout everywhere: DELETE /me/sessions ends every session of the user only', async () => {
  const admin = await srv.admin();
  const org = await createOrg(admin, {});
  const { user, initial_password } = await createUser(admin, { role: 'operator_admin', org_id: org.id });
  const a = await activate(srv, user.username, initial_password);
  const b = srv.client();
  assert.equal((await b.login(user.username, a.password)).status, 200);
  const r = await a.del('/api/v1/me/sessions');
  assert.equal(r.status, 204, `${r}`);
  assertError(await a.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await b.get('/api/v1/me'), 401, 'unauthenticated');
  assert.equal((await admin.get('/api/v1/me')).status, 200, 'other users keep their sessions');
});

test('password change revokes the user\'s other sessions', async () => {
  const admin = await srv.admin();
  const org = await createOrg(admin, {});
  const { user, initial_password } = await createUser(admin, { role: 'operator_staff', org_id: org.id });
  const a = await activate(srv, user.username, initial_password);
  const b = srv.client();
  assert.equal((await b.login(user.username, a.password)).status, 200);
  const next = strongPassword();
  assert.equal((await a.post('/api/v1/me/password', { old_password: a.password, new_password: next })).status, 204);
  assertError(await b.get('/api/v1/me'), 401, 'unauthenticated');
  assert.equal((await a.get('/api/v1/me')).status, 200, 'the session that changed it stays');
  assertError(await srv.client().login(user.username, a.password), 401, 'invalid_credentials');
  assert.equal((await srv.client().login(user.username, next)).status, 200);
});

test('password policy: length >= 12, three character classes, not the username', async () => {
  const admin = await srv.admin();
  const org = await createOrg(admin, {});
  const username = 'policy_user_' + Math.floor(Math.random() * 1e6); // lowercase + digit + '_': three classes
  const { user, initial_password } = await createUser(admin, { username, role: 'operator_staff', org_id: org.id });
  const c = srv.client();
  assert.equal((await c.login(username, initial_password)).status, 200);
  const bad = [
    'Ab1!Ab1!Ab1', // 11 characters, four classes
    'abcdefghijklmnop', // one class
    'abcdefgh12345678', // two classes
    'ABCDEFGH!!!!!!!!', // two classes
    '123456789012!!!!', // two classes
    username, // the username
  ];
  for (const pw of bad) {
    assertError(await c.post('/api/v1/me/password', { old_password: initial_password, new_password: pw }),
      400, 'validation_failed', 'new_password');
  }
  assertError(await c.post('/api/v1/me/password', { old_password: initial_password }), 400, 'validation_failed', 'new_password');
  assert.equal((await c.get('/api/v1/me')).json.must_change_password, true, 'still must change');
  // Exactly 12 characters with three classes is enough.
  const good = 'abcdefgh12!!';
  assert.equal((await c.post('/api/v1/me/password', { old_password: initial_password, new_password: good })).status, 204);
  assert.equal((await srv.client().login(username, good)).status, 200);

  // The same policy on an explicit password at creation (field "password").
  for (const pw of ['short1A!', 'alllowercaseletters', 'NOLOWER12345678']) {
    assertError(await admin.post('/api/v1/users', { username: uniq('pp'), display_name: '策略', role: 'operator_staff', org_id: org.id, password: pw }),
      400, 'validation_failed', 'password');
  }
  const uname = 'samename_' + Math.floor(Math.random() * 1e6) + '_x';
  assertError(await admin.post('/api/v1/users', { username: uname, display_name: '策略', role: 'operator_staff', org_id: org.id, password: uname }),
    400, 'validation_failed', 'password');
  assert.equal((await admin.get(`/api/v1/users?q=${uname}`)).json.items.length, 0);
  void user;
});

test('initial admin password from the environment is not printed; admin user is unique', async () => {
  assert.equal(srv.log.includes(ADMIN_PASSWORD), false, 'the admin password must not appear in the log');
  const admin = await srv.admin();
  const r = await admin.get('/api/v1/users?q=admin');
  assert.equal(r.json.items.filter((u) => u.username === 'admin').length, 1);
});
