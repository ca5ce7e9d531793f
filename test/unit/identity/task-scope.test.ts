import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import { agentManifestSchema, createAgentRegistry } from '../../../src/identity/agents.ts';
import { Authenticator } from '../../../src/identity/authenticate.ts';
import type { IdentityConfig } from '../../../src/identity/config.ts';
import { identityRoutes } from '../../../src/identity/routes.ts';
import { TaskTokens } from '../../../src/identity/task-token.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { identityStage } from '../../../src/stages/identity/index.ts';
import { taskScopeStage } from '../../../src/stages/task-scope/index.ts';
import { callContext, identityConfig, ISSUER, newKey, outcome, RESOURCE, signToken, tempDir, writeJwks, type TestKey } from './helpers.ts';
import { exchange, serveRoutes } from './serve-routes.ts';

const agents = createAgentRegistry(
  [
    { name: 'orchestrator', identity: { clientId: 'orchestrator' }, owner: 'o@x', tools: ['*'], taskKinds: ['research'] },
    { name: 'sub-agent', identity: { clientId: 'sub-agent' }, owner: 'o@x', tools: ['read_file', 'search'] },
    { name: 'other', identity: { clientId: 'other' }, owner: 'o@x', tools: ['*'] },
    { name: 'svid-worker', identity: { spiffeId: 'spiffe://prod.test/worker' }, owner: 'o@x', tools: ['*'] },
  ].map((m) => agentManifestSchema.parse(m)),
);

let key: TestKey;
let tdKey: TestKey;
let config: IdentityConfig;
let server: Awaited<ReturnType<typeof serveRoutes>>;
let pipeline: ReturnType<typeof createPipeline>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const dir = tempDir();
  key = newKey('idp-1');
  tdKey = newKey('td');
  config = identityConfig(dir, {
    issuers: [{ issuer: ISSUER, jwksFile: await writeJwks(dir, 'idp.json', [key]) }],
    spiffe: { trustDomains: [{ name: 'prod.test', jwksFile: await writeJwks(dir, 'td.json', [tdKey], 'jwt-svid') }] },
  });
  const authenticator = new Authenticator({ config, agents });
  const taskTokens = new TaskTokens(config);
  server = await serveRoutes(identityRoutes({ config, agents, resource: RESOURCE, authenticator, taskTokens }));
  pipeline = createPipeline([identityStage({ config, agents, authenticator }), taskScopeStage({ config, taskTokens })]);
  for (const agent of ['orchestrator', 'sub-agent', 'other']) {
    tokens[agent] = await signToken(key, { iss: ISSUER, sub: 'alice', act: { sub: agent }, client_id: agent });
  }
  tokens['svid-worker'] = await signToken(tdKey, { sub: 'spiffe://prod.test/worker' });
});
afterAll(() => server.close());

const detail = (d: Record<string, unknown>) => JSON.stringify([{ type: 'agent_task', ...d }]);

async function taskFor(agent: string, d: Record<string, unknown>): Promise<string> {
  const { status, body } = await exchange(server.url, { subject_token: tokens[agent]!, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', authorization_details: detail(d) });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.access_token as string;
}

function call(agent: string, task: string | undefined, tool: string, args: unknown = {}): CallContext {
  return callContext(
    { headers: { authorization: `Bearer ${tokens[agent]}`, ...(task ? { 'x-warden-task': task } : {}) } },
    { tool: { name: tool, upstreamName: tool, upstream: 'files' }, arguments: args },
  );
}

async function run(ctx: CallContext): Promise<string> {
  return outcome(() => pipeline.run(ctx));
}

describe('task tokens from /oauth/token (RFC 8693)', () => {
  it('issues a task token limited to the requested tools and enforces it on calls', async () => {
    const task = await taskFor('orchestrator', { task_id: 't-123', purpose: 'summarise reports', tools: [{ name: 'read_file', constraints: { path: { prefix: '/tmp/' } } }, { name: 'search' }] });
    const allowed = call('orchestrator', task, 'read_file', { path: '/tmp/report.txt' });
    expect(await run(allowed)).toBe('ok');
    expect(allowed.task).toMatchObject({ id: 't-123', purpose: 'summarise reports', boundTo: 'orchestrator' });
    expect(allowed.user?.sub).toBe('alice');

    const forbidden = call('orchestrator', task, 'delete_records');
    const err = await pipeline.run(forbidden).catch((e: unknown) => e as WardenError);
    expect(err).toMatchObject({ code: 'WARDEN_TASK_SCOPE', message: 'task t-123 does not allow tool delete_records' });

    const badArg = call('orchestrator', task, 'read_file', { path: '/etc/shadow' });
    const err2 = await pipeline.run(badArg).catch((e: unknown) => e as WardenError);
    expect(err2).toMatchObject({ code: 'WARDEN_TASK_SCOPE', message: 'task t-123: argument path violates constraint prefix /tmp/' });
  });

  it('counts calls against the task budget', async () => {
    const task = await taskFor('orchestrator', { task_id: 't-budget', tools: [{ name: 'search' }], budget: 2 });
    expect(await run(call('orchestrator', task, 'search'))).toBe('ok');
    expect(await run(call('orchestrator', task, 'search'))).toBe('ok');
    expect(await run(call('orchestrator', task, 'search'))).toBe('WARDEN_TASK_BUDGET');
  });

  it('denies a task token replayed by another agent', async () => {
    const task = await taskFor('orchestrator', { task_id: 't-replay', tools: [{ name: 'search' }] });
    const ctx = call('other', task, 'search');
    const err = await pipeline.run(ctx).catch((e: unknown) => e as WardenError);
    expect(err).toMatchObject({ code: 'WARDEN_TASK_INVALID', message: 'task t-replay is bound to agent orchestrator, not other' });
  });

  it('denies an expired task token', async () => {
    const task = await taskFor('orchestrator', { task_id: 't-exp', tools: [{ name: 'search' }], expires_in: 60 });
    const ctx = call('orchestrator', task, 'search');
    (ctx.request as { time: number }).time = Date.now() + 120_000;
    expect(await run(ctx)).toBe('WARDEN_TASK_INVALID');
  });

  it('denies a tampered task token (tools edited without re-signing)', async () => {
    const task = await taskFor('orchestrator', { task_id: 't-tamper', tools: [{ name: 'search' }] });
    const [h, p, s] = task.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { authorization_details: Array<{ tools: unknown[] }> };
    payload.authorization_details[0]!.tools.push({ name: 'delete_records' });
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await run(call('orchestrator', forged, 'delete_records'))).toBe('WARDEN_TASK_INVALID');
  });

  it('refuses tools outside the agent manifest with invalid_target', async () => {
    const { status, body } = await exchange(server.url, { subject_token: tokens['sub-agent']!, authorization_details: detail({ tools: [{ name: 'delete_records' }] }) });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_target', warden_code: 'WARDEN_TASK_WIDENING' });
  });

  it('refuses an unauthenticated subject token with invalid_grant and the token code', async () => {
    const expired = await signToken(key, { iss: ISSUER, client_id: 'orchestrator' }, { iat: Math.floor(Date.now() / 1000) - 100, exp: Math.floor(Date.now() / 1000) - 50 });
    const { status, body } = await exchange(server.url, { subject_token: expired, authorization_details: detail({ tools: [{ name: 'search' }] }) });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', warden_code: 'WARDEN_TOKEN_EXPIRED' });
  });

  it('without a task token, leaves ctx.task unset unless tasks are required', async () => {
    const ctx = call('orchestrator', undefined, 'search');
    expect(await run(ctx)).toBe('ok');
    expect(ctx.task).toBeUndefined();
    const strict = createPipeline([identityStage({ config, agents }), taskScopeStage({ config: { ...config, task: { ...config.task, required: true } } })]);
    expect(await outcome(() => strict.run(call('orchestrator', undefined, 'search')))).toBe('WARDEN_TASK_REQUIRED');
  });
});

describe('sub-agents can only narrow a task', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await taskFor('orchestrator', {
      task_id: 't-parent',
      tools: [{ name: 'read_file', constraints: { path: { prefix: '/data/' } } }, { name: 'search' }],
      budget: 10,
      expires_in: 600,
    });
  });

  const subExchange = (d: Record<string, unknown>) =>
    exchange(server.url, { subject_token: parent, actor_token: tokens['sub-agent']!, authorization_details: detail(d) });

  it('issues a narrower token bound to the sub-agent, usable only by it', async () => {
    const { status, body } = await subExchange({ tools: [{ name: 'read_file', constraints: { path: { prefix: '/data/q3/' } } }], budget: 3 });
    expect(status, JSON.stringify(body)).toBe(200);
    const child = body.access_token as string;
    const ctx = call('sub-agent', child, 'read_file', { path: '/data/q3/sales.csv' });
    expect(await run(ctx)).toBe('ok');
    expect(ctx.task).toMatchObject({ boundTo: 'sub-agent', budget: 3 });
    expect(ctx.task?.id).toMatch(/^t-parent\./);
    expect(await run(call('sub-agent', child, 'read_file', { path: '/data/q4/sales.csv' }))).toBe('WARDEN_TASK_SCOPE');
    expect(await run(call('sub-agent', child, 'search'))).toBe('WARDEN_TASK_SCOPE');
    expect(await run(call('orchestrator', child, 'read_file', { path: '/data/q3/sales.csv' }))).toBe('WARDEN_TASK_INVALID');
  });

  it("spends the parent's budget too, so delegation cannot multiply calls", async () => {
    const root = await taskFor('orchestrator', { task_id: 't-shared', tools: [{ name: 'search' }], budget: 3 });
    const { body } = await exchange(server.url, { subject_token: root, actor_token: tokens['sub-agent']!, authorization_details: detail({ budget: 3 }) });
    const child = body.access_token as string;
    expect(await run(call('orchestrator', root, 'search'))).toBe('ok');
    expect(await run(call('orchestrator', root, 'search'))).toBe('ok');
    expect(await run(call('sub-agent', child, 'search'))).toBe('ok');
    const ctx = call('sub-agent', child, 'search');
    const err = await pipeline.run(ctx).catch((e: unknown) => e as WardenError);
    expect(err).toMatchObject({ code: 'WARDEN_TASK_BUDGET' });
    expect((err as WardenError).message).toContain('parent task t-shared has used its budget of 3 calls');
    expect(await run(call('orchestrator', root, 'search'))).toBe('WARDEN_TASK_BUDGET');
  });

  it.each([
    ['an extra tool', { tools: [{ name: 'read_file' }, { name: 'delete_records' }] }],
    ['a looser constraint', { tools: [{ name: 'read_file', constraints: { path: { prefix: '/' } } }] }],
    ['a bigger budget', { tools: [{ name: 'search' }], budget: 11 }],
    ['a later expiry', { tools: [{ name: 'search' }], expires_in: 3600 }],
  ])('refuses %s with invalid_target / WARDEN_TASK_WIDENING', async (_name, d) => {
    const { status, body } = await subExchange(d);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_target', warden_code: 'WARDEN_TASK_WIDENING' });
    expect(String(body.error_description)).toMatch(/wider/);
  });
});

describe('token endpoint requests', () => {
  const post = (body: string, type: string) => fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': type }, body });

  it('binds a SPIFFE workload\'s task to its SPIFFE ID (cnf) and honours it', async () => {
    const task = await taskFor('svid-worker', { task_id: 't-svid', tools: [{ name: 'search' }] });
    const claims = JSON.parse(Buffer.from(task.split('.')[1]!, 'base64url').toString()) as { cnf?: unknown; azp?: string };
    expect(claims).toMatchObject({ azp: 'svid-worker', cnf: { spiffe_id: 'spiffe://prod.test/worker' } });
    expect(await run(call('svid-worker', task, 'search'))).toBe('ok');
  });

  it('refuses to issue a task token too large to be accepted later', async () => {
    const tools = Array.from({ length: 200 }, (_, i) => ({ name: `tool_${i}`, constraints: { path: { prefix: `/data/${'x'.repeat(40)}/${i}/` } } }));
    const { status, body } = await exchange(server.url, { subject_token: tokens.orchestrator!, authorization_details: detail({ tools }) });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request', warden_code: 'WARDEN_TOKEN_TOO_LARGE' });
  });

  it('accepts JSON bodies with authorization_details as an array', async () => {
    const res = await post(JSON.stringify({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: tokens.orchestrator, authorization_details: [{ type: 'agent_task', tools: [{ name: 'search' }] }] }), 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['another grant type', 'grant_type=client_credentials', 'unsupported_grant_type'],
    ['no subject token', 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange', 'invalid_request'],
    ['no authorization_details', `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=x`, 'invalid_request'],
    ['an unsafe pattern', `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=SUBJECT&authorization_details=${encodeURIComponent(JSON.stringify([{ type: 'agent_task', tools: [{ name: 'search', constraints: { q: { pattern: '(a+)+$' } } }] }]))}`, 'invalid_target'],
  ])('answers %s with an RFC 6749 error', async (_name, body, error) => {
    const res = await post(body.replace('SUBJECT', encodeURIComponent(tokens.orchestrator!)), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error });
  });
});

describe('task tokens from an external authorization server', () => {
  it('accepts agent_task tokens from a trusted issuer and refuses untrusted ones', async () => {
    const dir = tempDir();
    const asKey = newKey('as-1');
    const cfg = identityConfig(dir, {
      issuers: [{ issuer: ISSUER, jwksFile: await writeJwks(dir, 'idp.json', [key]) }],
      task: { trustedIssuers: [{ issuer: 'https://as.test', jwksFile: await writeJwks(dir, 'as.json', [asKey]) }] },
    });
    const p = createPipeline([identityStage({ config: cfg, agents }), taskScopeStage({ config: cfg })]);
    const detailClaims = { authorization_details: [{ type: 'agent_task', task_id: 'ext-1', tools: [{ name: 'search' }] }], azp: 'orchestrator' };
    const external = await signToken(asKey, { iss: 'https://as.test', ...detailClaims }, { typ: 'at+jwt' });
    const ok = call('orchestrator', external, 'search');
    expect(await outcome(() => p.run(ok))).toBe('ok');
    expect(ok.task?.id).toBe('ext-1');
    expect(await outcome(() => p.run(call('orchestrator', external, 'delete_records')))).toBe('WARDEN_TASK_SCOPE');
    const untrusted = await signToken(newKey('as-1'), { iss: 'https://evil.test', ...detailClaims }, { typ: 'at+jwt' });
    expect(await outcome(() => p.run(call('orchestrator', untrusted, 'search')))).toBe('WARDEN_TASK_INVALID');
    const notATask = await signToken(asKey, { iss: 'https://as.test', azp: 'orchestrator' }, { typ: 'at+jwt' });
    expect(await outcome(() => p.run(call('orchestrator', notATask, 'search')))).toBe('WARDEN_TASK_INVALID');
    const wrongTyp = await signToken(asKey, { iss: 'https://as.test', ...detailClaims });
    expect(await outcome(() => p.run(call('orchestrator', wrongTyp, 'search')))).toBe('WARDEN_TASK_INVALID');
  });
});

describe('protected resource metadata and JWKS', () => {
  it('serves RFC 9728 metadata at the path-suffixed and bare well-known URLs', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(server.url + path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ resource: RESOURCE, bearer_methods_supported: ['header'] });
      expect(body.authorization_servers).toEqual([ISSUER, 'https://gateway.test']);
    }
  });

  it('publishes the task issuer key, and only public parts', async () => {
    const body = (await (await fetch(server.url + '/.well-known/jwks.json')).json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys.length).toBe(1);
    expect(body.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(body.keys[0]).not.toHaveProperty('d');
  });
});
