import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, WardenError, asWardenError } from '../../../src/errors.ts';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `(WARDEN_[A-Z_]+)` \| (\d+) \| (-?\d+) \|/gm)].map((m) => [m[1]!, { http: Number(m[2]), rpc: Number(m[3]) }]),
);

describe('error catalogue', () => {
  it('documents every code with its HTTP status and JSON-RPC code', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(documented.get(code), `${code} missing from docs/errors.md`).toEqual({ http: spec.http, rpc: spec.rpc });
    }
  });

  it('documents no code that does not exist', () => {
    for (const code of documented.keys()) expect(Object.keys(ERROR_CODES)).toContain(code);
  });

  it('renders a spec-shaped JSON-RPC error carrying code, reason and decision id', () => {
    const err = new WardenError('WARDEN_RATE_LIMITED', 'agent demo over 10/1s', { retryAfterMs: 250 });
    expect(err.toJsonRpcError('d1')).toEqual({
      code: -32004,
      message: 'WARDEN_RATE_LIMITED: agent demo over 10/1s',
      data: { code: 'WARDEN_RATE_LIMITED', reason: 'agent demo over 10/1s', decisionId: 'd1', retryAfterMs: 250 },
    });
  });

  it('wraps unknown errors as WARDEN_INTERNAL', () => {
    expect(asWardenError(new TypeError('boom')).code).toBe('WARDEN_INTERNAL');
  });
});
