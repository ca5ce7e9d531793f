/**
 * SPIFFE identities: SPIFFE ID parsing and X.509-SVID verification.
 * (JWT-SVIDs are verified as JWTs against the trust domain's bundle; see authenticate.ts.)
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WardenError } from '../errors.ts';

export interface SpiffeId {
  id: string;
  trustDomain: string;
  path: string;
}

const SPIFFE_ID = /^spiffe:\/\/([a-z0-9._-]+)(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;

/** Parses a SPIFFE ID (spiffe://trust-domain/path); undefined when malformed. */
export function parseSpiffeId(value: string): SpiffeId | undefined {
  if (value.length > 2048) return undefined;
  const m = SPIFFE_ID.exec(value);
  if (!m) return undefined;
  const path = m[2] ?? '';
  if (path.includes('//') || path.endsWith('/') || /\/\.\.?(\/|$)/.test(path)) return undefined;
  return { id: value, trustDomain: m[1]!, path };
}

/** Reads a PEM bundle (one or more certificates) into X509Certificate objects. */
export function loadCaBundle(file: string): X509Certificate[] {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot read CA bundle ${file}: ${(err as Error).message}`);
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new WardenError('WARDEN_CONFIG_INVALID', `CA bundle ${file} holds no certificates`);
  return blocks.map((b) => new X509Certificate(b));
}

/** URI entries of a certificate's subjectAltName. */
export function uriSans(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  const out: string[] = [];
  // Node quotes values holding separators as JSON strings: URI:"spiffe://…, x".
  const re = /(?:^|, )URI:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (let m = re.exec(san); m; m = re.exec(san)) {
    const raw = m[1]!;
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/**
 * Verifies an X.509-SVID leaf (DER): exactly one URI SAN holding a SPIFFE ID from a
 * trusted trust domain, not a CA, within its validity dates, and issued and signed by
 * a certificate in that trust domain's bundle. No hostname checks (SPIFFE has none).
 */
export function verifyX509Svid(der: Uint8Array, bundles: ReadonlyMap<string, readonly X509Certificate[]>, nowMs = Date.now()): SpiffeId {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', 'client certificate cannot be parsed');
  }
  const uris = uriSans(cert);
  if (uris.length !== 1) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `an X.509-SVID must carry exactly one URI SAN, this one has ${uris.length}`);
  const id = parseSpiffeId(uris[0]!);
  if (!id) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `URI SAN ${uris[0]} is not a valid SPIFFE ID`);
  const bundle = bundles.get(id.trustDomain);
  if (!bundle) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `trust domain ${id.trustDomain} is not trusted`);
  if (cert.ca) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', 'a CA certificate cannot be an X.509-SVID');
  if (nowMs < Date.parse(cert.validFrom) || nowMs > Date.parse(cert.validTo)) {
    throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `certificate for ${id.id} is outside its validity period (${cert.validFrom} – ${cert.validTo})`);
  }
  const signedByBundle = bundle.some((ca) => {
    try {
      return cert.checkIssued(ca) && cert.verify(ca.publicKey) && nowMs <= Date.parse(ca.validTo) && nowMs >= Date.parse(ca.validFrom);
    } catch {
      return false;
    }
  });
  if (!signedByBundle) throw new WardenError('WARDEN_SPIFFE_UNTRUSTED', `certificate for ${id.id} is not signed by trust domain ${id.trustDomain}'s CA bundle`);
  return id;
}
