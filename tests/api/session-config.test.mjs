// Session idle timeout (config session_idle_minutes, 30 by default; 2 here — the server refreshes
// a session's last use at most once a minute, so 1 minute would be below its resolution) and the Secure
// cookie attribute behind TLS (secure_cookies).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, sleep, ADMIN_PASSWORD } from './lib.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.close(); });

test('a session idle longer than session_idle_minutes is gone; activity keeps one alive', async () => {
  const srv = await startServer({ args: ['--session-idle-minutes', '2'] });
  servers.push(srv);
  const active = srv.client();
  const idle = srv.client();
  assert.equal((await active.login('admin', ADMIN_PASSWORD)).status, 200);
  assert.equal((await idle.login('admin', ADMIN_PASSWORD)).status, 200);
  await sleep(62000);
  assert.equal((await active.get('/api/v1/me')).status, 200, 'used after 62 s');
  await sleep(64000);
  // active: idle 64 s; idle: 126 s > 2 min.
  assert.equal((await active.get('/api/v1/me')).status, 200, 'activity within the window keeps the session');
  assertError(await idle.get('/api/v1/me'), 401, 'unauthenticated');
});

test('secure_cookies marks the session cookie Secure', async () => {
  const srv = await startServer({ args: ['--secure-cookies', 'true'] });
  servers.push(srv);
  const r = await srv.client().login('admin', ADMIN_PASSWORD);
  assert.equal(r.status, 200);
  const sc = r.setCookies.find((c) => c.startsWith('fanghu_session='));
  assert.ok(sc, 'session cookie set');
  const attrs = sc.split(';').slice(1).map((a) => a.trim().toLowerCase());
  assert.ok(attrs.includes('secure'), `Secure missing: ${sc}`);
  assert.ok(attrs.includes('httponly') && attrs.includes('samesite=strict'), sc);
});
