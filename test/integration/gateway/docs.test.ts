/** The configuration reference, the example configuration and the documented refusal shape match what warden does. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BEGIN, configKeyTable, DOC, END } from '../../../scripts/config-doc.ts';
import { wardenConfigSchema } from '../../../src/config/schema.ts';
import { gatewayConfig, startRecordingUpstream, startTestWarden, tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const doc = readFileSync(DOC, 'utf8');

describe('docs/configuration.md', () => {
  it('lists every key of the schema with its current default (regenerate with npx tsx scripts/config-doc.ts --write)', () => {
    const generated = doc.slice(doc.indexOf(BEGIN) + BEGIN.length, doc.indexOf(END)).trim();
    expect(generated).toBe(configKeyTable());
  });

  it('names every top-level section', () => {
    for (const key of Object.keys(wardenConfigSchema.shape)) expect(doc).toContain(`| \`${key}\` |`);
  });
});

describe('examples/warden.yaml', () => {
  it('is accepted by warden config check', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/warden.mjs', 'config', 'check', 'examples/warden.yaml'], { cwd: ROOT });
    expect(stdout).toContain('examples/warden.yaml: valid (2 upstreams: files, crm)');
  });
});

describe('docs/errors.md: HTTP-level refusals on /mcp', () => {
  it('are a JSON-RPC error body with id null, the WARDEN code in data, the table’s status and WWW-Authenticate', async () => {
    const upstream = await startRecordingUpstream();
    const w = await startTestWarden(gatewayConfig(tempDir(), [{ name: 'up', url: upstream.url }]));
    try {
      const res = await fetch(w.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${new URL(w.url).origin}/.well-known/oauth-protected-resource/mcp"`);
      const body = (await res.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string; data: { code: string; reason: string } } };
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'WARDEN_UNAUTHENTICATED' } } });
      expect(body.error.message).toMatch(/^WARDEN_UNAUTHENTICATED: /);
    } finally {
      await w.close();
      await upstream.close();
    }
  });
});
