import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../../../src/compiler/index.ts';
import { createPolicyEngine, type PolicyEngine } from '../../../src/policy/engine.ts';
import type { PolicyInput } from '../../../src/policy/input.ts';

const input: PolicyInput = {
  version: 1,
  agent: { id: 'demo', kind: 'anonymous', manifest: { name: 'demo', tools: ['*'], upstreams: ['*'] } },
  request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: '2026-01-01T00:00:00.000Z' },
  token: { age_s: 10, scopes: [] },
  history: { window_s: 3600, started_at: 0, total: 0, tools: {}, tasks: {} },
  tool: { name: 'echo', upstream: 'demo', upstream_name: 'echo', annotations: {} },
  arguments: { text: 'hi' },
};

function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-policy-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const engines: PolicyEngine[] = [];
afterAll(() => engines.forEach((e) => e.close()));

async function engineFor(config: { dir?: string; bundle?: string; hotReload?: boolean; entrypoint?: string }) {
  const e = await createPolicyEngine({ config: { dir: config.dir ?? 'rego', entrypoint: config.entrypoint ?? 'warden/decision', hotReload: config.hotReload ?? false, ...(config.bundle ? { bundle: config.bundle } : {}) } });
  engines.push(e);
  return e;
}

describe('policy engine with the default policy (rego/)', () => {
  it('allows a plain tool call and attaches the redaction obligation', async () => {
    const e = await engineFor({});
    expect(e.decide(input)).toEqual({ allow: true, reason: 'allowed', obligations: { redact: ['EMAIL_ADDRESS', 'PHONE_NUMBER'], require_approval: false } });
    expect(e.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('denies a destructive tool outside a task, with the policy reason', async () => {
    const e = await engineFor({});
    const d = e.decide({ ...input, tool: { name: 'delete_records', upstream: 'demo', upstream_name: 'delete_records', annotations: { destructiveHint: true } } });
    expect(d.allow).toBe(false);
    expect(d.reason).toBe('tool delete_records is destructive and needs a task token that names it');
  });

  it('enforces the manifest tool list with glob patterns', async () => {
    const e = await engineFor({});
    const reader = { id: 'reader', kind: 'oidc', manifest: { name: 'reader', tools: ['get_*'], upstreams: ['*'] } };
    expect(e.decide({ ...input, agent: reader }).reason).toBe('agent reader may not use tool echo');
    expect(e.decide({ ...input, agent: reader, tool: { name: 'get_customer', upstream: 'demo', upstream_name: 'get_customer', annotations: {} } }).allow).toBe(true);
  });
});

describe('the input the policy can read', () => {
  it('leaves out what the default policy never reads (tool arguments)', async () => {
    const e = await engineFor({});
    expect(e.inputReads).not.toBe('all');
    expect(e.inputReads).not.toHaveProperty('arguments');
    expect(e.inputReads).toHaveProperty('agent.manifest.tools', true);
  });

  it('passes arguments to a policy that reads them, and everything to one that reads input whole', async () => {
    const reader = await engineFor({ dir: policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": input.arguments.text == "hi", "reason": "args"}\n' }) });
    expect(reader.inputReads).toEqual({ arguments: { text: true } });
    expect(reader.decide(input).allow).toBe(true);
    expect(reader.decide({ ...input, arguments: { text: 'no' } }).allow).toBe(false);
    const whole = await engineFor({ dir: policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": count(input) == 7, "reason": "whole"}\n' }) });
    expect(whole.inputReads).toBe('all');
    expect(whole.decide(input).allow).toBe(true);
  });
});

describe('policy engine failure modes (fail closed)', () => {
  it('denies with WARDEN_POLICY_ERROR when the decision is undefined', async () => {
    const dir = policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": true} if input.never_set\n' });
    const e = await engineFor({ dir });
    expect(() => e.decide(input)).toThrow(expect.objectContaining({ code: 'WARDEN_POLICY_ERROR' }));
  });

  it('denies with WARDEN_POLICY_ERROR when allow is not a boolean', async () => {
    const dir = policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": "yes"}\n' });
    const e = await engineFor({ dir });
    expect(() => e.decide(input)).toThrow(/boolean "allow"/);
  });

  it('denies with WARDEN_POLICY_ERROR when evaluation fails at run time (conflict)', async () => {
    const dir = policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": true} if input.version == 1\n\ndecision := {"allow": false} if input.version == 1\n' });
    const e = await engineFor({ dir });
    expect(() => e.decide(input)).toThrow(expect.objectContaining({ code: 'WARDEN_POLICY_ERROR' }));
  });

  it('refuses to start on a policy without the decision entrypoint', async () => {
    const dir = policyDir({ 'p.rego': 'package other\n\nx := 1\n' });
    await expect(engineFor({ dir })).rejects.toThrow(/warden\/decision/);
  });

  it('keeps the last good policy when a reload fails, and swaps in a good one', async () => {
    const dir = policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": true, "reason": "v1"}\n' });
    const e = await engineFor({ dir });
    const v1 = e.version;
    writeFileSync(join(dir, 'p.rego'), 'package warden\n\ndecision := {"allow": true, "reason": \n');
    await expect(e.reload()).rejects.toThrow();
    expect(e.decide(input).reason).toBe('v1');
    expect(e.version).toBe(v1);
    writeFileSync(join(dir, 'p.rego'), 'package warden\n\ndecision := {"allow": false, "reason": "v2"}\n');
    await e.reload();
    expect(e.decide(input)).toMatchObject({ allow: false, reason: 'v2' });
    expect(e.version).not.toBe(v1);
  });

  it('hot-reloads on file change without a restart', async () => {
    const dir = policyDir({ 'p.rego': 'package warden\n\ndecision := {"allow": true, "reason": "before"}\n' });
    const e = await engineFor({ dir, hotReload: true });
    writeFileSync(join(dir, 'p.rego'), 'package warden\n\ndecision := {"allow": true, "reason": "after"}\n');
    await expect.poll(() => e.decide(input).reason, { timeout: 10_000, interval: 100 }).toBe('after');
  });
});

describe('prebuilt bundles', () => {
  it('loads an OPA bundle (.tar.gz) with its data.json', async () => {
    const modules = [{ file: 'p.rego', source: 'package warden\n\ndecision := {"allow": input.tool.name in data.allowed, "reason": "bundle"}\n' }];
    const bundle = await compileBundle({ modules, entrypoints: ['warden/decision'], data: { allowed: ['echo'] } });
    const dir = mkdtempSync(join(tmpdir(), 'warden-bundle-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'bundle.tar.gz');
    writeFileSync(file, bundle);
    const e = await engineFor({ bundle: file });
    expect(e.decide(input)).toMatchObject({ allow: true, reason: 'bundle' });
    expect(e.decide({ ...input, tool: { name: 'rm', upstream: 'demo', upstream_name: 'rm', annotations: {} } }).allow).toBe(false);
  });
});
