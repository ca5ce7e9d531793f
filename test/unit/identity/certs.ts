/** Test certificates made with the openssl CLI (node:crypto cannot issue X.509 certificates). */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA (EC P-256) named `name` in `dir`: `<name>.key`, `<name>.pem`. */
export function makeCa(dir: string, name: string): { keyFile: string; certFile: string } {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  openssl(
    ['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  return { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.pem`) };
}

/** A leaf signed by `ca` with the given URI SANs; returns PEM/DER paths and the DER bytes. */
export function makeLeaf(dir: string, name: string, ca: { keyFile: string; certFile: string }, uris: string[], opts: { isCa?: boolean } = {}) {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  const ext = [
    `basicConstraints=critical,CA:${opts.isCa ? 'TRUE' : 'FALSE'}`,
    `keyUsage=critical,digitalSignature${opts.isCa ? ',keyCertSign' : ''}`,
    'extendedKeyUsage=clientAuth,serverAuth',
    ...(uris.length ? [`subjectAltName=${uris.map((u) => `URI:${u}`).join(',')}`] : []),
  ].join('\n');
  writeFileSync(join(dir, `${name}.ext`), ext + '\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`], dir);
  openssl(['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`], dir);
  return { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.pem`), der: new Uint8Array(readFileSync(join(dir, `${name}.der`))) };
}
