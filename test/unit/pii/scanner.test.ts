import { describe, expect, it } from 'vitest';
import { scanText } from '../../../src/pii/scanner.ts';
import { Hint } from '../../../src/pii/types.ts';

/** `type:value` for each finding, in order. */
function found(text: string, hint = 0): string[] {
  return scanText(text, { hint }).map((s) => `${s.type}:${text.slice(s.start, s.end)}`);
}

const jwt = (header: object, payload: object) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;

describe('scanText: structured identifiers', () => {
  it('finds SSNs and rejects invalid areas, groups and serials', () => {
    expect(found('SSN 460-89-9847 on file')).toEqual(['US_SSN:460-89-9847']);
    expect(found('spaced 460 89 9847')).toEqual(['US_SSN:460 89 9847']);
    for (const bad of ['000-12-3456', '666-12-3456', '901-12-3456', '123-00-4567', '123-45-0000']) expect(found(`ssn: ${bad}`)).toEqual([]);
  });

  it('ddd dd dddd after a phone cue is a phone number, after an SSN cue an SSN', () => {
    expect(found('Phone: 416 60 0394')).toEqual(['PHONE_NUMBER:416 60 0394']);
    expect(found('SSN 416 60 0394')).toEqual(['US_SSN:416 60 0394']);
  });

  it('a bare 9-digit number is an SSN only with context', () => {
    expect(found('ref 460899847')).toEqual([]);
    expect(found('460899847', Hint.SSN)).toEqual(['US_SSN:460899847']);
    expect(found('SSN: 460899847')).toEqual(['US_SSN:460899847']);
  });

  it('finds Luhn-valid cards, plain, spaced, dashed and Amex 4-6-5; rejects bad check digits', () => {
    expect(found('card 4111 1111 1111 1111.')).toEqual(['CREDIT_CARD:4111 1111 1111 1111']);
    expect(found('pay 4111-1111-1111-1111 now')).toEqual(['CREDIT_CARD:4111-1111-1111-1111']);
    expect(found('amex 3782 822463 10005')).toEqual(['CREDIT_CARD:3782 822463 10005']);
    expect(found('x 4111111111111112 y')).toEqual([]);
  });

  it('12-digit Luhn numbers count as cards only next to card words', () => {
    expect(found('account 630427373398')).toEqual([]);
    expect(found('card number 630427373398 is lost')).toEqual(['CREDIT_CARD:630427373398']);
  });

  it('13-digit epoch milliseconds that pass Luhn are not cards', () => {
    // 1700000000007 passes Luhn but no brand starts with 17.
    expect(found('ts=1700000000007')).toEqual([]);
  });

  it('finds IBANs compact, grouped and lower case; rejects a typo', () => {
    expect(found('IBAN GB82 WEST 1234 5698 7654 32 please')).toEqual(['IBAN_CODE:GB82 WEST 1234 5698 7654 32']);
    expect(found('to gb82west12345698765432.')).toEqual(['IBAN_CODE:gb82west12345698765432']);
    expect(found('to GB82WEST12345698765433')).toEqual([]);
  });

  it('finds phone numbers in many formats', () => {
    for (const p of ['(415) 555-0132', '415-555-0132', '415.555.0132', '+1 415 555 0132', '+1-415-555-0132', '+14155550132', '1-415-555-0132', '345-899-3560x4587', '+46 (0)8 928 571 38', '+447700 921 916']) {
      expect(found(`reach ${p} today`)).toEqual([`PHONE_NUMBER:${p}`]);
    }
  });

  it('national formats count only with phone context', () => {
    expect(found('Phone: 60-56-85-91')).toEqual(['PHONE_NUMBER:60-56-85-91']);
    expect(found('Can someone call me on (37) 788-063?')).toEqual(['PHONE_NUMBER:(37) 788-063']);
    expect(found('0490 75 40 81', Hint.PHONE)).toEqual(['PHONE_NUMBER:0490 75 40 81']);
    expect(found('The restaurant is at 17151 2450 Main St')).toEqual([]);
    expect(found('Phone: see below. Date: 2015-12-22 04:34:22')).toEqual([]);
  });

  it('finds e-mail addresses and IPv4/IPv6 addresses', () => {
    expect(found('mail Jo.Smith+tag@mail.example.co.uk, thanks')).toEqual(['EMAIL_ADDRESS:Jo.Smith+tag@mail.example.co.uk']);
    expect(found('from 192.168.1.20:8080 and [2001:db8::1]:443 and ::ffff:10.0.0.1')).toEqual([
      'IP_ADDRESS:192.168.1.20',
      'IP_ADDRESS:2001:db8::1',
      'IP_ADDRESS:::ffff:10.0.0.1',
    ]);
    expect(found('bad 10.167.725.113 and 999.1.1.1')).toEqual([]);
  });

  it('finds AWS keys, GitHub tokens, JWTs and PEM private keys', () => {
    expect(found('AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE')).toEqual(['AWS_ACCESS_KEY:AKIAIOSFODNN7EXAMPLE']);
    const gh = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'F6g7H8';
    expect(found(`https://x-access-token:${gh}@github.com/org/repo.git`)).toEqual([`GITHUB_TOKEN:${gh}`]);
    const token = jwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'u1' });
    expect(found(`Authorization: Bearer ${token}`)).toEqual([`JWT:${token}`]);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(found(`key:\n${pem}\nrest`)).toEqual([`PRIVATE_KEY:${pem}`]);
    expect(found('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----')).toEqual([]);
  });

  it('secrets: env assignments and secret-named keys', () => {
    expect(found('DB_PASSWORD=hunter22')).toEqual(['SECRET:hunter22']);
    expect(found('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', Hint.SECRET)).toEqual(['SECRET:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
    expect(found('hello', Hint.PASSWORD)).toEqual(['SECRET:hello']);
    expect(found('SESSION_ID_SEED=e64c5433-ed05-45eb-aea2-baa63186acdb')).toEqual([]);
  });
});

describe('scanText: decoys stay untouched', () => {
  const decoys = [
    'a4032a3b-c3dc-497f-93c9-bab2d131c137',
    '257cd96a02b218582a6c4770494add51ce1258558af93b0e0affef643702ddc1',
    '4be04fe',
    'v2.3.0-beta.1',
    '10.0.19045.3803',
    '2024.03.1',
    '2024-03-15T10:22:33.123Z',
    '2024-03-15 10:22:33',
    '1709153513',
    'ORD-2024-118834',
    '#4547201',
    'PO-4500012345',
    '322-3715436-1475844',
    'arn:aws:iam::123456789012:role/deploy',
    'BQBNCHB7XXX',
    '1ZXX54C98011851418',
    'lodash@4.17.21',
    '@types/node@20.1.3',
    'std::vector<int>',
  ];
  for (const d of decoys) it(`ignores ${d}`, () => expect(found(`value: ${d} end`)).toEqual([]));
});

describe('scanText: normalisation and limits', () => {
  it('finds full-width digits and reports offsets in the original string', () => {
    const text = 'ssn ４６０-８９-９８４７ ok';
    const spans = scanText(text);
    expect(spans).toHaveLength(1);
    expect(text.slice(spans[0]!.start, spans[0]!.end)).toBe('４６０-８９-９８４７');
  });

  it('zero-width characters do not hide a card number; the span covers them', () => {
    const text = 'card 4111\u200b1111\u200b1111\u200b1111 x';
    const spans = scanText(text);
    expect(spans.map((s) => s.type)).toEqual(['CREDIT_CARD']);
    expect(text.slice(spans[0]!.start, spans[0]!.end)).toBe('4111\u200b1111\u200b1111\u200b1111');
  });

  it('offsets stay right after emoji (UTF-16 code units)', () => {
    const text = '🎉🎉 mail a@b.io';
    const [s] = scanText(text);
    expect(text.slice(s!.start, s!.end)).toBe('a@b.io');
  });

  it('scans only up to maxScanBytes', () => {
    const text = 'x'.repeat(100) + ' a@b.io';
    expect(scanText(text, { maxScanBytes: 50 })).toEqual([]);
    expect(scanText(text, { maxScanBytes: 200 })).toHaveLength(1);
  });

  it('PII-free text returns no findings', () => {
    expect(scanText('The quick brown fox jumps over the lazy dog.')).toEqual([]);
  });
});

describe('scanText: vendor tokens and HTTP credentials', () => {
  it('finds Stripe, Slack, Google API, GitLab and npm tokens', () => {
    for (const t of ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'xoxb-123456789012-abcdefABCDEF', 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI', 'glpat-abcdefghij0123456789', 'npm_abcdefghijabcdefghijabcdefghij012345']) {
      expect(found(`token ${t} here`)).toEqual([`SECRET:${t}`]);
    }
  });

  it('finds Basic credentials but not the word Basic in prose', () => {
    expect(found('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toEqual(['SECRET:dXNlcjpwYXNzd29yZA==']);
    expect(found('Basic information about the product')).toEqual([]);
  });
});
