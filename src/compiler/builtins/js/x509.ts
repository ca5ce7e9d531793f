/**
 * `crypto.x509.*`: certificates, chains, CSRs and key pairs, reported in the
 * shape of Go's x509 structs as JSON (the fields policies read: Subject,
 * Issuer, DNSNames, URIStrings, NotBefore…). CSRs are read with a small DER
 * walker because node:crypto has no CSR parser.
 */
import { X509Certificate } from 'node:crypto';
import { pemOrBase64 } from './crypto.ts';
import { pemBlocks } from './keys.ts';
import { type BuiltinFn, type JsonObject, builtinError, exactJson, obj, str } from './values.ts';

interface Tlv {
  tag: number;
  start: number;
  header: number;
  len: number;
}

function readTlv(buf: Buffer, pos: number): Tlv {
  const tag = buf[pos];
  let len = buf[pos + 1];
  if (tag === undefined || len === undefined) throw builtinError('asn1: structure error: truncated');
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw builtinError('asn1: structure error: length too large');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + 2 + i] ?? 0);
    header += n;
  }
  if (pos + header + len > buf.length) throw builtinError('asn1: structure error: data truncated');
  return { tag, start: pos, header, len };
}

function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start + t.header; p < t.start + t.header + t.len; ) {
    const c = readTlv(buf, p);
    out.push(c);
    p = c.start + c.header + c.len;
  }
  return out;
}

function oidString(b: Buffer): string {
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const NAME_FIELDS: Record<string, string> = {
  '2.5.4.6': 'Country',
  '2.5.4.10': 'Organization',
  '2.5.4.11': 'OrganizationalUnit',
  '2.5.4.7': 'Locality',
  '2.5.4.8': 'Province',
  '2.5.4.9': 'StreetAddress',
  '2.5.4.17': 'PostalCode',
};
const SHORT: Record<string, string> = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', L: '2.5.4.7', ST: '2.5.4.8', street: '2.5.4.9', postalCode: '2.5.4.17', CN: '2.5.4.3', serialNumber: '2.5.4.5' };

function emptyName(): JsonObject {
  return { Country: null, Organization: null, OrganizationalUnit: null, Locality: null, Province: null, StreetAddress: null, PostalCode: null, SerialNumber: '', CommonName: '', Names: [], ExtraNames: null };
}

function addAttr(name: JsonObject, oid: string, value: string): void {
  (name.Names as unknown[]).push({ Type: oid.split('.').map(Number), Value: value });
  if (oid === '2.5.4.3') name.CommonName = value;
  else if (oid === '2.5.4.5') name.SerialNumber = value;
  else {
    const f = NAME_FIELDS[oid];
    if (f) name[f] = [...((name[f] as string[] | null) ?? []), value];
  }
}

/** A Go pkix.Name from node's `subject`/`issuer` text (`C=US\nCN=x`). */
function nameFromText(text: string): JsonObject {
  const name = emptyName();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const oid = SHORT[line.slice(0, eq)];
    if (oid) addAttr(name, oid, line.slice(eq + 1));
  }
  return name;
}

function nameFromDer(buf: Buffer, t: Tlv): JsonObject {
  const name = emptyName();
  for (const set of children(buf, t)) {
    for (const atv of children(buf, set)) {
      const [o, v] = children(buf, atv);
      if (!o || !v) continue;
      addAttr(name, oidString(buf.subarray(o.start + o.header, o.start + o.header + o.len)), buf.subarray(v.start + v.header, v.start + v.header + v.len).toString('utf8'));
    }
  }
  return name;
}

/** Splits concatenated DER structures (a base64 DER chain). */
function splitDer(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < buf.length; ) {
    if (buf[p] !== 0x30) throw builtinError('x509: malformed certificate');
    const t = readTlv(buf, p);
    out.push(buf.subarray(p, p + t.header + t.len));
    p += t.header + t.len;
  }
  return out;
}

/** DER blobs of the certificates in `input`: PEM text, base64 PEM, or base64 DER. */
function certificateDers(input: string, pemType: string): Buffer[] {
  if (input.includes('-----BEGIN')) return pemBlocks(input).filter((b) => b.type === pemType).map((b) => b.der);
  const compact = input.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw builtinError('illegal base64 data at input byte 0');
  const raw = Buffer.from(compact, 'base64');
  const text = raw.toString('utf8');
  if (text.includes('-----BEGIN')) return pemBlocks(text).filter((b) => b.type === pemType).map((b) => b.der);
  try {
    return splitDer(raw);
  } catch {
    throw builtinError(pemType === 'CERTIFICATE' ? 'x509: malformed certificate' : 'asn1: structure error');
  }
}

function sanList(san: string | undefined, prefix: string): string[] | null {
  if (!san) return null;
  const out: string[] = [];
  for (const part of san.split(/,\s*/)) {
    if (part.startsWith(prefix)) out.push(part.slice(prefix.length).replace(/^"(.*)"$/, '$1'));
  }
  return out.length ? out : null;
}

function rfc3339(d: string): string {
  return new Date(d).toISOString().replace(/\.000Z$/, 'Z');
}

/** The Go-x509-shaped JSON of one certificate (SerialNumber as a bigint: pass through `exactJson`). */
function certificateJson(der: Buffer): JsonObject {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw builtinError('x509: malformed certificate');
  }
  const san = cert.subjectAltName;
  return {
    Raw: der.toString('base64'),
    Version: 3,
    SerialNumber: BigInt(`0x${cert.serialNumber}`),
    Issuer: nameFromText(cert.issuer),
    Subject: nameFromText(cert.subject),
    NotBefore: rfc3339(cert.validFrom),
    NotAfter: rfc3339(cert.validTo),
    IsCA: cert.ca,
    DNSNames: sanList(san, 'DNS:'),
    EmailAddresses: sanList(san, 'email:'),
    IPAddresses: sanList(san, 'IP Address:'),
    URIs: sanList(san, 'URI:')?.map((u) => ({ Scheme: u.split(':')[0] ?? '', Opaque: '', Host: '', Path: '', RawQuery: '', Fragment: '' })) ?? null,
    URIStrings: sanList(san, 'URI:'),
  };
}

/** Verifies a chain given root first, leaf last; returns the leaf-first list when valid. */
function verifyChain(ders: Buffer[]): boolean {
  if (ders.length < 2) return false;
  const certs = ders.map((d) => new X509Certificate(d));
  const now = Date.now();
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i]!;
    if (Date.parse(c.validFrom) > now || Date.parse(c.validTo) < now) return false;
    const issuer = i === 0 ? c : certs[i - 1]!;
    if (i < certs.length - 1 && !c.ca) return false;
    if (!c.checkIssued(issuer) || !c.verify(issuer.publicKey)) return false;
  }
  return true;
}

function parseAndVerify(s: unknown): unknown {
  let ders: Buffer[];
  try {
    ders = certificateDers(str(s, 1), 'CERTIFICATE');
  } catch {
    return [false, []];
  }
  let ok = false;
  try {
    ok = verifyChain(ders);
  } catch {
    ok = false;
  }
  if (!ok) return [false, []];
  return exactJson([true, [...ders].reverse().map(certificateJson)]);
}

export function x509Builtins(): Record<string, BuiltinFn> {
  return {
    'crypto.x509.parse_certificates': (s) => exactJson(certificateDers(str(s, 1), 'CERTIFICATE').map(certificateJson)),
    'crypto.x509.parse_and_verify_certificates': parseAndVerify,
    'crypto.x509.parse_and_verify_certificates_with_options': (s, o) => {
      obj(o, 2);
      return parseAndVerify(s);
    },
    'crypto.x509.parse_certificate_request': (s) => {
      const ders = certificateDers(str(s, 1), 'CERTIFICATE REQUEST');
      const der = ders[0];
      if (!der) throw builtinError('asn1: structure error: no certificate request');
      try {
        const top = readTlv(der, 0);
        const info = children(der, top)[0];
        if (!info) throw new Error('no info');
        const [version, subject] = children(der, info);
        if (!version || !subject || subject.tag !== 0x30) throw new Error('no subject');
        return { Raw: der.toString('base64'), Version: der[version.start + version.header] ?? 0, Subject: nameFromDer(der, subject) };
      } catch (e) {
        throw builtinError(`asn1: structure error: ${(e as Error).message}`);
      }
    },
    'crypto.x509.parse_keypair': (c, k) => {
      const certs = certificateDers(str(c, 1), 'CERTIFICATE');
      if (certs.length === 0) throw builtinError('tls: failed to find any PEM data in certificate input');
      const keyPem = pemOrBase64(str(k, 2));
      if (!pemBlocks(keyPem).some((b) => b.type.includes('PRIVATE KEY'))) throw builtinError('tls: failed to find any PEM data in key input');
      return { Certificate: certs.map((d) => d.toString('base64')), PrivateKey: null, Leaf: null };
    },
  };
}
