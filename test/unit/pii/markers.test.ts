import { describe, expect, it } from 'vitest';
import { scrubJson } from '../../../src/pii/scrub.ts';
import { TokenVault } from '../../../src/pii/vault.ts';

describe("warden's own replacement markers", () => {
  it('are not scrubbed again when an upstream echoes a token back', () => {
    const vault = new TokenVault('a-test-token-key-of-some-length', 100);
    const opts = { maxScanBytes: 1 << 20, actionOf: () => 'tokenize' as const, actionContext: { vault, taskId: 't-1' } };
    const first = scrubJson({ note: 'write to jane.doe@example.com please' }, opts);
    const token = (first.value as { note: string }).note.match(/\[TOKEN:EMAIL_ADDRESS:[A-Za-z0-9_-]{22}\]/)?.[0];
    expect(token).toBeDefined();
    // The upstream answers with the token it was given: the result must keep it intact.
    const second = scrubJson({ text: `sent to ${token}` }, opts);
    expect(second.value).toEqual({ text: `sent to ${token}` });
    expect(vault.detokenize(token!)?.value).toBe('jane.doe@example.com');
  });

  it('do not hide real PII next to them', () => {
    const opts = { maxScanBytes: 1 << 20, actionOf: () => 'redact' as const, actionContext: { taskId: 't-1' } };
    const out = scrubJson({ text: '[REDACTED:EMAIL_ADDRESS] and bob@example.org' }, opts);
    expect(out.value).toEqual({ text: '[REDACTED:EMAIL_ADDRESS] and [REDACTED:EMAIL_ADDRESS]' });
  });
});
