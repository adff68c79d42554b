// Health, security headers, request ids, routing errors and /meta.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, rawRequest, ADMIN_NEW_PASSWORD } from './lib.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await srv.admin(); });
after(async () => { await srv?.close(); });

const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

function assertSecurityHeaders(r, what) {
  const csp = r.headers.get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy missing`);
  const dirs = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => { const [k, ...v] = d.split(/\s+/); return [k.toLowerCase(), v]; }));
  for (const [k, v] of Object.entries(CSP_DIRECTIVES)) {
    assert.deepEqual(dirs[k], v, `${what}: CSP ${k} in "${csp}"`);
  }
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal((r.headers.get('x-frame-options') || '').toUpperCase(), 'DENY', `${what}: X-Frame-Options`);
  const rid = r.headers.get('x-request-id');
  assert.ok(rid && rid.length >= 8, `${what}: X-Request-Id missing or short: ${rid}`);
  return rid;
}

test('GET /api/v1/health answers without login', async () => {
  const r = await srv.client().get('/api/v1/health');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(r.json, { status: 'ok', version: '0.1.0', db: srv.engine });
});

test('security headers and X-Request-Id on every kind of response', async () => {
  const anon = srv.client();
  const cases = [
    ['health 200', await anon.get('/api/v1/health')],
    ['unauthenticated 401', await anon.get('/api/v1/orgs')],
    ['bad login 401', await anon.post('/api/v1/session', { username: 'nobody', password: 'x' })],
    ['unknown api path 404', await anon.get('/api/v1/no-such-thing')],
    ['authenticated 200', await admin.get('/api/v1/orgs')],
    ['not found 404', await admin.get('/api/v1/orgs/999999999')],
    ['bad json 400', await admin.req('POST', '/api/v1/orgs', { body: '{' })],
    ['csrf 403', await admin.post('/api/v1/orgs', {}, { csrf: false })],
    ['logout 204 (other session)', await (async () => {
      const c = srv.client();
      await c.login('admin', ADMIN_NEW_PASSWORD);
      return c.del('/api/v1/session');
    })()],
    ['static or SPA path', await anon.get('/')],
  ];
  const ids = new Set();
  for (const [what, r] of cases) {
    const rid = assertSecurityHeaders(r, `${what} (${r.status})`);
    ids.add(rid);
  }
  assert.equal(ids.size, cases.length, 'X-Request-Id differs per request');
});

test('unknown API path → 404 not_found JSON', async () => {
  assertError(await admin.get('/api/v1/no-such-thing'), 404, 'not_found');
  assertError(await admin.get('/api/v2/orgs'), 404, 'not_found');
});

test('wrong method on a known path → 405 method_not_allowed', async () => {
  assertError(await admin.req('PUT', '/api/v1/health', { json: {} }), 405, 'method_not_allowed');
  assertError(await admin.req('DELETE', '/api/v1/orgs'), 405, 'method_not_allowed');
  assertError(await admin.req('POST', '/api/v1/audit', { json: {} }), 405, 'method_not_allowed');
});

test('a request with a body that is not JSON → 415 unsupported_media_type', async () => {
  const r = await admin.req('POST', '/api/v1/orgs', { body: 'name=x', contentType: 'application/x-www-form-urlencoded' });
  assertError(r, 415, 'unsupported_media_type');
});

test('GET /api/v1/meta needs login and lists the contract codes', async () => {
  assertError(await srv.client().get('/api/v1/meta'), 401, 'unauthenticated');
  const r = await admin.get('/api/v1/meta');
  assert.equal(r.status, 200, `${r}`);
  const codeName = (list) => list.map(({ code, name }) => ({ code, name })); // exact keys: shapes.test.mjs
  assert.deepEqual(codeName(r.json.roles), [
    { code: 'sysadmin', name: '系统管理员' },
    { code: 'operator_admin', name: '运行单位管理员' },
    { code: 'operator_staff', name: '运行单位网络安全人员' },
    { code: 'regulator', name: '监管人员' },
    { code: 'national_regulator', name: '部级监管人员' },
    { code: 'auditor', name: '审计员' },
  ]);
  assert.deepEqual(codeName(r.json.org_kinds), [
    { code: 'telecom_group', name: '基础电信企业集团公司' },
    { code: 'telecom_provincial', name: '基础电信企业省级公司' },
    { code: 'telecom_specialized', name: '基础电信企业专业公司' },
    { code: 'vas', name: '增值电信企业' },
    { code: 'dns', name: '域名服务机构' },
    { code: 'iiot_connected', name: '联网工业企业' },
    { code: 'iiot_platform', name: '工业互联网平台企业' },
    { code: 'iiot_identifier', name: '标识解析企业' },
    { code: 'platform', name: '互联网平台企业' },
    { code: 'regulator_ministry', name: '部网络安全管理局' },
    { code: 'regulator_ca', name: '省通信管理局' },
    { code: 'regulator_miit', name: '省工业和信息化主管部门' },
    { code: 'regulator_city', name: '地市主管部门' },
  ]);
  const prov = new Map(r.json.provinces.map((p) => [p.code, p.name]));
  for (const p of r.json.provinces) assert.match(p.code, /^\d\d$/);
  // GB/T 2260: 31 provincial-level divisions of the mainland plus "00" national.
  for (const code of ['00', '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
    '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65']) {
    assert.ok(prov.has(code), `province ${code} missing`);
  }
  assert.match(prov.get('11'), /^北京/);
  assert.match(prov.get('35'), /^福建/);
  assert.match(prov.get('65'), /^新疆/);
});

test('HTTP/1.1 keep-alive: the server does not close after each API response', async () => {
  // MEASURED.md: queuing the response on the first access-handler call makes libmicrohttpd
  // answer Connection: close, which divides throughput by five.
  const r = await rawRequest(srv.base, 'GET', '/api/v1/health', { headers: { connection: 'keep-alive' } });
  assert.equal(r.status, 200);
  assert.notEqual((r.headers.get('connection') || '').toLowerCase(), 'close', 'Connection: close on a keep-alive request');
});
