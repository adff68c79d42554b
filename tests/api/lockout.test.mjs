// Account lockout after 5 failed logins (423) and the per-address limit (429 + Retry-After).
// Its own file (own server): the failures it provokes would trip the address limit elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, createOrg, createUser, activate, uniq, TIME_RE } from './lib.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await srv.admin(); });
after(async () => { await srv?.close(); });

test('5 failed logins lock the account for 15 minutes, even against the right password', async () => {
  const org = await createOrg(admin, {});
  const { user, initial_password } = await createUser(admin, { role: 'operator_staff', org_id: org.id });
  const c = await activate(srv, user.username, initial_password);
  const bystander = await createUser(admin, { role: 'operator_staff', org_id: org.id });
  const failedBefore = (await admin.get('/api/v1/audit?action=session.login_failed&limit=1')).json.total;

  for (let i = 1; i <= 4; i++) {
    assertError(await srv.client().login(user.username, `Wrong-Password-${i}`), 401, 'invalid_credentials');
  }
  const fifth = await srv.client().login(user.username, 'Wrong-Password-5');
  assert.ok([401, 423].includes(fifth.status), `5th failure: ${fifth}`);
  assertError(await srv.client().login(user.username, c.password), 423, 'account_locked');
  assertError(await srv.client().login(user.username, 'Wrong-Password-6'), 423, 'account_locked');

  const u = await admin.get(`/api/v1/users/${user.id}`);
  assert.equal(u.status, 200);
  assert.match(u.json.locked_until ?? '', TIME_RE, `locked_until set: ${u}`);
  const mins = (Date.parse(u.json.locked_until) - Date.now()) / 60000;
  assert.ok(mins > 13 && mins <= 15.5, `locked for about 15 minutes, got ${mins.toFixed(1)}`);

  // The lock is per account: another user of the same org logs in fine.
  const other = srv.client();
  assert.equal((await other.login(bystander.user.username, bystander.initial_password)).status, 200);

  const failedAfter = (await admin.get('/api/v1/audit?action=session.login_failed&limit=1')).json.total;
  assert.ok(failedAfter - failedBefore >= 5, `session.login_failed audited (${failedBefore} → ${failedAfter})`);
});

test('a successful login resets the failure count', async () => {
  const org = await createOrg(admin, {});
  const { user, initial_password } = await createUser(admin, { role: 'operator_staff', org_id: org.id });
  const c = await activate(srv, user.username, initial_password);
  for (let i = 0; i < 4; i++) assertError(await srv.client().login(user.username, 'Wrong-Password-x' + i), 401, 'invalid_credentials');
  assert.equal((await srv.client().login(user.username, c.password)).status, 200);
  for (let i = 0; i < 4; i++) assertError(await srv.client().login(user.username, 'Wrong-Password-y' + i), 401, 'invalid_credentials');
  assert.equal((await srv.client().login(user.username, c.password)).status, 200, 'not locked after 4+4 failures split by a success');
});

test('too many failures from one address → 429 too_many_requests with Retry-After', async () => {
  let hit = null;
  for (let i = 0; i < 300 && !hit; i++) {
    const r = await srv.client().login(uniq('nobody'), 'Wrong-Password-' + i);
    if (r.status === 429) hit = r;
    else assertError(r, 401, 'invalid_credentials');
  }
  assert.ok(hit, 'no 429 after 300 failed logins from 127.0.0.1');
  assertError(hit, 429, 'too_many_requests');
  const ra = hit.headers.get('retry-after');
  assert.match(ra ?? '', /^\d+$/, `Retry-After: ${ra}`);
  assert.ok(Number(ra) > 0);
  assertError(await srv.client().login(uniq('nobody'), 'Wrong-Password-again'), 429, 'too_many_requests');
});
