import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call } from './helpers.ts';

/** A certificate bundle string as written in one of OPA's own conformance cases. */
function caseString(file: string, variable: string): string {
  const text = readFileSync(`/work/shared/rego-conformance/cases/${file}`, 'utf8');
  const module = (JSON.parse(text) as { cases: { modules: string[] }[] }).cases[0]!.modules[0]!;
  const m = new RegExp(`${variable} := (?:"((?:[^"\\\\]|\\\\.)*)"|\`([^\`]*)\`)`).exec(module);
  if (!m) throw new Error(`no ${variable} in ${file}`);
  return m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]!;
}

describe('crypto builtins', () => {
  it('hashes and MACs strings as hex', () => {
    expect(call('crypto.md5', 'lorem ipsum')).toBe('80a751fde577028640c419000e33eba6');
    expect(call('crypto.sha256', '')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(call('crypto.hmac.sha256', 'The quick brown fox jumps over the lazy dog', 'key')).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    expect(call('crypto.hmac.equal', 'abc', 'abc')).toBe(true);
    expect(call('crypto.hmac.equal', 'abc', 'abd')).toBe(false);
  });

  it('parses certificates (PEM, base64 PEM, base64 DER chains) in Go x509 shape', () => {
    const chain = call('crypto.x509.parse_certificates', caseString('cryptox509parsecertificates/test-cryptox509parsecertificates-0122.json', 'certs')) as {
      Subject: { CommonName: string };
      DNSNames: string[] | null;
    }[];
    expect(chain.map((c) => c.Subject.CommonName)).toEqual(['openpolicyagent.org', "Let's Encrypt Authority X3", 'DST Root CA X3']);
    const der = call('crypto.x509.parse_certificates', caseString('cryptox509parsecertificates/test-cryptox509parsecertificates-0118.json', 'certs')) as { Subject: { CommonName: string } }[];
    expect(der.map((c) => c.Subject.CommonName)).toEqual(['mail.google.com', 'Thawte SGC CA']);
    expect(() => call('crypto.x509.parse_certificates', 'YmFkc3RyaW5n')).toThrow(/malformed certificate/);
    expect(() => call('crypto.x509.parse_certificates', 'foobar')).toThrow(/illegal base64/);
  });

  it('reads the subject of certificate requests', () => {
    const csr = caseString('cryptox509parsecertificaterequest/' + 'test-cryptox509parsecertificaterequest-0125.json', 'csr');
    expect((call('crypto.x509.parse_certificate_request', csr) as { Subject: { CommonName: string } }).Subject.CommonName).toBe('example.com');
  });

  it('parses private keys into JWK members', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const jwk = call('crypto.x509.parse_rsa_private_key', pem) as Record<string, string>;
    expect(jwk.kty).toBe('RSA');
    expect(jwk.n).toBe((privateKey.export({ format: 'jwk' }) as Record<string, string>).n);
    expect(call('crypto.parse_private_keys', pem)).toHaveLength(1);
    expect(call('crypto.parse_private_keys', 'nope')).toEqual([]);
    expect(call('crypto.parse_private_keys', '')).toBeNull();
  });
});
