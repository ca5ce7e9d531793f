/**
 * The Ed25519 key that signs checkpoints. Taken from `signingKeyFile`, or
 * generated once per audit directory (`audit-key.pem`, mode 0600). The public
 * key is always published as `<dir>/audit-key.pub.pem` for `warden audit verify`;
 * when the signing key changes, the old public key stays as `audit-key.<fp>.pub.pem`.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';

export const PUBLIC_KEY_FILE = 'audit-key.pub.pem';
export const GENERATED_KEY_FILE = 'audit-key.pem';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex of SHA-256 of the SPKI DER. */
  fingerprint: string;
}

/** Fingerprint of a public key, as checkpoints name it. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Loads the configured key or the directory's generated one (creating it), and publishes its public key. */
export async function loadSigningKey(dir: string, signingKeyFile?: string): Promise<SigningKey> {
  await mkdir(dir, { recursive: true });
  let privateKey: KeyObject;
  const file = signingKeyFile ?? join(dir, GENERATED_KEY_FILE);
  try {
    privateKey = createPrivateKey(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || signingKeyFile) {
      throw new WardenError('WARDEN_CONFIG_INVALID', `audit.signingKeyFile: cannot load an Ed25519 private key from ${file}: ${(err as Error).message}`);
    }
    privateKey = generateKeyPairSync('ed25519').privateKey;
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      // Another writer created it first: use theirs.
      if (e.code !== 'EEXIST') throw e;
      privateKey = createPrivateKey(await readFile(file));
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new WardenError('WARDEN_CONFIG_INVALID', `audit.signingKeyFile: ${file} is a ${privateKey.asymmetricKeyType} key; checkpoints need Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  const fingerprint = keyFingerprint(publicKey);
  await publishPublicKey(dir, publicKey);
  return { privateKey, publicKey, fingerprint };
}

async function publishPublicKey(dir: string, publicKey: KeyObject): Promise<void> {
  const path = join(dir, PUBLIC_KEY_FILE);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing === pem) return;
  if (existing !== undefined) {
    // Keep the old key so checkpoints it signed still verify.
    const old = createPublicKey(existing);
    await rename(path, join(dir, `audit-key.${keyFingerprint(old)}.pub.pem`));
  }
  await writeFile(path, pem);
}

/** Every public key published in a directory (plus extra PEM files), by fingerprint. */
export async function loadPublicKeys(dir: string | undefined, extraFiles: string[] = []): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  const files = [...extraFiles];
  if (dir) {
    try {
      for (const name of await readdir(dir)) if (name.endsWith('.pub.pem')) files.push(join(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
  }
  for (const file of files) {
    const key = createPublicKey(await readFile(file));
    keys.set(keyFingerprint(key), key);
  }
  return keys;
}

/** Base64 Ed25519 signature of a message. */
export function signMessage(key: SigningKey, message: Buffer): string {
  return sign(null, message, key.privateKey).toString('base64');
}

/** Whether a base64 Ed25519 signature is valid for a message. */
export function verifyMessage(publicKey: KeyObject, message: Buffer, signature: string): boolean {
  try {
    return verify(null, message, publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
