/** `uuid.parse` (RFC 4122 fields, as OPA reports them) and `uuid.rfc4122` (memoised v4). */
import { randomUUID } from 'node:crypto';
import { type BuiltinContext, type BuiltinFn, exactJson, str } from './values.ts';

/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET = 122192928000000000n;

function bytesOf(s: string): Buffer | undefined {
  let x = s;
  if (x.length === 36 + 9 && x.toLowerCase().startsWith('urn:uuid:')) x = x.slice(9);
  else if (x.length === 38 && x.startsWith('{') && x.endsWith('}')) x = x.slice(1, -1);
  if (x.length === 36) {
    if (x[8] !== '-' || x[13] !== '-' || x[18] !== '-' || x[23] !== '-') return undefined;
    x = x.replace(/-/g, '');
  }
  if (!/^[0-9a-fA-F]{32}$/.test(x)) return undefined;
  return Buffer.from(x, 'hex');
}

function parseUuid(s: string): unknown {
  const b = bytesOf(s);
  if (!b) return undefined;
  const version = b[6]! >> 4;
  const v = b[8]!;
  const variant = (v & 0xc0) === 0x80 ? 'RFC4122' : (v & 0xe0) === 0xc0 ? 'Microsoft' : (v & 0xe0) === 0xe0 ? 'Future' : 'Reserved';
  const out: Record<string, unknown> = { variant, version };
  if (version === 1 || version === 2) {
    const timeLow = BigInt(b.readUInt32BE(0));
    const timeMid = BigInt(b.readUInt16BE(4));
    const timeHi = BigInt(b.readUInt16BE(6) & 0x0fff);
    const t = (timeHi << 48n) | (timeMid << 32n) | timeLow;
    out.time = (t - GREGORIAN_OFFSET) * 100n;
    out.clocksequence = ((b[8]! & 0x3f) << 8) | b[9]!;
    out.nodeid = [...b.subarray(10, 16)].map((x) => x.toString(16).padStart(2, '0')).join('-');
    const first = b[10]!;
    out.macvariables = `${first & 2 ? 'local' : 'global'}:${first & 1 ? 'multicast' : 'unicast'}`;
    if (version === 2) {
      const domains = ['Person', 'Group', 'Org'];
      out.domain = domains[b[9]!] ?? `Domain${b[9]!}`;
      out.id = b.readUInt32BE(0);
    }
  }
  return exactJson(out);
}

export function uuidBuiltins(ctx: BuiltinContext): Record<string, BuiltinFn> {
  return {
    'uuid.parse': (s) => parseUuid(str(s, 1)),
    'uuid.rfc4122': (k) => {
      const key = `uuid.rfc4122\u0000${str(k, 1)}`;
      const memo = ctx.cache().memo;
      let v = memo.get(key);
      if (v === undefined) {
        v = randomUUID();
        memo.set(key, v);
      }
      return v;
    },
  };
}
