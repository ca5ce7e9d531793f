import { describe, expect, it } from 'vitest';
import { hintForKey } from '../../../src/pii/context.ts';
import { Hint } from '../../../src/pii/types.ts';
import { scanJson, toPointer } from '../../../src/pii/walk.ts';

describe('structural walk', () => {
  it('reports RFC 6901 pointers, escaping ~ and / in keys', () => {
    const doc = { meta: { 'kubectl.kubernetes.io/last-applied': 'owner a@b.io', '~owner/team': 'c@d.io' } };
    expect(scanJson(doc)).toEqual([
      { path: '/meta/kubectl.kubernetes.io~1last-applied', start: 6, end: 12, type: 'EMAIL_ADDRESS' },
      { path: '/meta/~0owner~1team', start: 0, end: 6, type: 'EMAIL_ADDRESS' },
    ]);
    expect(toPointer(['a/b', 0, 'c~d'])).toBe('/a~1b/0/c~0d');
  });

  it('finds PII inside serialized JSON text with offsets into the serialized string', () => {
    const inner = JSON.stringify({ email: 'x.y@corp.example', phone: '(415) 555-0132' });
    const doc = { content: [{ type: 'text', text: inner }], structuredContent: JSON.parse(inner) as unknown };
    const f = scanJson(doc);
    expect(f.map((x) => `${x.path}:${x.type}`)).toEqual([
      '/content/0/text:EMAIL_ADDRESS',
      '/content/0/text:PHONE_NUMBER',
      '/structuredContent/email:EMAIL_ADDRESS',
      '/structuredContent/phone:PHONE_NUMBER',
    ]);
    expect(inner.slice(f[0]!.start, f[0]!.end)).toBe('x.y@corp.example');
  });

  it('key names enable weaker shapes: ssn, phone, card_number, password', () => {
    expect(hintForKey('ssn')).toBe(Hint.SSN);
    expect(hintForKey('workPhone') & Hint.PHONE).toBeTruthy();
    expect(hintForKey('card_number') & Hint.CARD).toBeTruthy();
    expect(hintForKey('client_secret') & Hint.SECRET).toBeTruthy();
    expect(hintForKey('telemetry')).toBe(0);
    const doc = { ssn: '460899847', notes: '460899847', mobile: '0490 75 40 81', card_number: '630427373398', password: 'pw' };
    expect(scanJson(doc).map((x) => `${x.path}:${x.type}`)).toEqual(['/ssn:US_SSN', '/mobile:PHONE_NUMBER', '/card_number:CREDIT_CARD', '/password:SECRET']);
  });

  it('table rows take the hint of their column', () => {
    const doc = { columns: ['id', 'ssn', 'note'], rows: [['1', '460899847', '460899847']] };
    expect(scanJson(doc)).toEqual([{ path: '/rows/0/1', start: 0, end: 9, type: 'US_SSN' }]);
  });

  it('numbers, booleans and nulls are left alone', () => {
    expect(scanJson({ n: 4111111111111111, b: true, z: null })).toEqual([]);
  });
});

describe('serialized JSON inside strings', () => {
  it('keys and table columns inside serialized text are context, with offsets into the serialized string', () => {
    const text = JSON.stringify({ columns: ['id', 'ssn', 'phone'], rows: [[1, '460899847', '0490 75 40 81'], [2, '123456789', 'n/a']] });
    const spans = scanJson({ content: [{ type: 'text', text }] }).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
    // 123456789 sits under ssn too, but area 123 group 45 serial 6789 is valid: found; a plain prose number would not be.
    expect(spans).toEqual(['US_SSN:460899847', 'PHONE_NUMBER:0490 75 40 81', 'US_SSN:123456789']);
  });

  it('maps offsets through escape sequences and nested serialization', () => {
    const text = JSON.stringify({ note: 'a\nb', cfg: JSON.stringify({ password: 'hunter2' }) });
    const [f] = scanJson({ text });
    expect(f!.type).toBe('SECRET');
    expect(text.slice(f!.start, f!.end)).toBe('hunter2');
  });

  it('the same bare number in prose is left alone', () => {
    expect(scanJson({ text: 'ticket 460899847 closed' })).toEqual([]);
  });
});
