import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import { createOriginCheck } from '../../../src/transport/origin.ts';

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as WardenError).code;
  }
}

describe('DNS-rebinding checks', () => {
  const loopback = createOriginCheck({ bindHost: '127.0.0.1', allowedOrigins: [], allowedHosts: [] });

  it('accepts loopback Host and Origin on a loopback-bound server', () => {
    expect(code(() => loopback(req({ host: '127.0.0.1:8080' })))).toBeUndefined();
    expect(code(() => loopback(req({ host: 'localhost:8080', origin: 'http://localhost:6274' })))).toBeUndefined();
    expect(code(() => loopback(req({ host: '[::1]:8080' })))).toBeUndefined();
  });

  it('rejects foreign Host or Origin headers', () => {
    expect(code(() => loopback(req({ host: 'evil.example.com' })))).toBe('WARDEN_ORIGIN_REJECTED');
    expect(code(() => loopback(req({ host: '127.0.0.1:8080', origin: 'http://evil.example.com' })))).toBe('WARDEN_ORIGIN_REJECTED');
    expect(code(() => loopback(req({ host: '127.0.0.1:8080', origin: 'not a url' })))).toBe('WARDEN_ORIGIN_REJECTED');
    expect(code(() => loopback(req({})))).toBe('WARDEN_ORIGIN_REJECTED');
  });

  it('uses the configured lists when given', () => {
    const check = createOriginCheck({ bindHost: '0.0.0.0', allowedOrigins: ['https://app.example.com'], allowedHosts: ['mcp.example.com'] });
    expect(code(() => check(req({ host: 'mcp.example.com', origin: 'https://app.example.com' })))).toBeUndefined();
    expect(code(() => check(req({ host: 'other.example.com' })))).toBe('WARDEN_ORIGIN_REJECTED');
    expect(code(() => check(req({ host: 'mcp.example.com', origin: 'http://localhost' })))).toBe('WARDEN_ORIGIN_REJECTED');
  });
});
