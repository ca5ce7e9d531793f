/**
 * CIDR builtins. Addresses are BigInts with a bit width (32 or 128), which
 * keeps IPv4 and IPv6 on one code path. `net.lookup_ip_addr` is absent on
 * purpose: a policy evaluation must not do DNS.
 */
import { isIP } from 'node:net';
import { type BuiltinFn, BuiltinError, RegoSet, builtinError, isObject, str, toSet, typeError } from './values.ts';

interface Cidr {
  addr: bigint;
  bits: 32 | 128;
  prefix: number;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  if (isIP(s) !== 6 || s.includes('%')) return undefined;
  let head = s;
  let tailV4: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseV4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const [l, r] = head.includes('::') ? head.split('::') : [head, undefined];
  const left = l ? l.split(':') : [];
  const right = r !== undefined ? (r ? r.split(':') : []) : [];
  const groups = r === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g, 16));
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | tailV4;
  return v;
}

/** Parses an address (no prefix): IPv4 first, then IPv6. */
function parseIp(s: string): { addr: bigint; bits: 32 | 128 } | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { addr: v4, bits: 32 };
  const v6 = parseV6(s);
  if (v6 !== undefined) return { addr: v6, bits: 128 };
  return undefined;
}

function mask(bits: number, prefix: number): bigint {
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

const cidrCache = new Map<string, Cidr | undefined>();

/** Parses `a.b.c.d/n` or `x::y/n` (cached: policies test the same few ranges on every call). */
function parseCidr(s: string): Cidr | undefined {
  if (cidrCache.has(s)) return cidrCache.get(s);
  const c = parseCidrUncached(s);
  if (cidrCache.size >= 1024) cidrCache.clear();
  cidrCache.set(s, c);
  return c;
}

/** Parses `a.b.c.d/n` or `x::y/n`; the address is masked to the network. */
function parseCidrUncached(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const pre = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d*)$/.test(pre) || Number(pre) > ip.bits) return undefined;
  const prefix = Number(pre);
  return { addr: ip.addr & mask(ip.bits, prefix), bits: ip.bits, prefix };
}

/** A CIDR, or a bare address as a host-sized CIDR. */
function parseCidrOrIp(s: string): Cidr | undefined {
  if (s.includes('/')) return parseCidr(s);
  const ip = parseIp(s);
  return ip && { addr: ip.addr, bits: ip.bits, prefix: ip.bits };
}

function formatIp(addr: bigint, bits: 32 | 128): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((sh) => String((addr >> sh) & 255n)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((addr >> BigInt(i * 16)) & 0xffffn));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIp(addr & 0xffffffffn, 32)}`;
  }
  // RFC 5952: compress the longest run (≥ 2) of zero groups, leftmost on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function formatCidr(c: Cidr): string {
  return `${formatIp(c.addr, c.bits)}/${c.prefix}`;
}

function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.bits === inner.bits && inner.prefix >= outer.prefix && (inner.addr & mask(outer.bits, outer.prefix)) === outer.addr;
}

function intersects(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

function mustCidr(s: unknown, pos: number): Cidr {
  const c = parseCidr(str(s, pos));
  if (!c) throw builtinError(`invalid CIDR address: ${s as string}`);
  return c;
}

/** The items of a `net.cidr_contains_matches` operand, with the key each match reports. */
function matchItems(v: unknown, pos: number): { key: unknown; cidr: string }[] {
  const item = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && typeof x[0] === 'string') return x[0];
    throw new BuiltinError('eval_builtin_error', `operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === 'string') return [{ key: v, cidr: v }];
  // Set members are their own keys; array members are keyed by index.
  if (v instanceof RegoSet) return v.map((x) => ({ key: x, cidr: item(x) }));
  if (Array.isArray(v)) return v.map((x, i) => ({ key: i, cidr: item(x) }));
  if (isObject(v)) return Object.keys(v).map((k) => ({ key: k, cidr: item(v[k]) }));
  throw typeError(pos, 'one of {string, array, set, object}', v);
}

/** Go's net.IP.DefaultMask for a bare IPv4 address (classful A/B/C). */
function defaultPrefix(addr: bigint): number {
  const first = Number(addr >> 24n);
  return first < 0x80 ? 8 : first < 0xc0 ? 16 : 24;
}

function merge(cidrs: Cidr[]): Cidr[] {
  const out: Cidr[] = [];
  for (const bits of [32, 128] as const) {
    let list = cidrs.filter((c) => c.bits === bits).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.prefix - b.prefix));
    let changed = true;
    while (changed) {
      changed = false;
      const next: Cidr[] = [];
      for (const c of list) {
        const last = next[next.length - 1];
        if (last && contains(last, c)) {
          changed = true;
          continue;
        }
        if (last && last.prefix === c.prefix && last.prefix > 0) {
          const parentPrefix = last.prefix - 1;
          const parent = last.addr & mask(bits, parentPrefix);
          if (parent === last.addr && (c.addr & mask(bits, parentPrefix)) === parent && c.addr !== last.addr) {
            next[next.length - 1] = { addr: parent, bits, prefix: parentPrefix };
            changed = true;
            continue;
          }
        }
        next.push(c);
      }
      list = next;
    }
    out.push(...list);
  }
  return out;
}

export function netBuiltins(): Record<string, BuiltinFn> {
  return {
    'net.cidr_contains': (a, b) => {
      const outer = mustCidr(a, 1);
      const inner = parseCidrOrIp(str(b, 2));
      if (!inner) throw builtinError(`invalid CIDR or IP address: ${b as string}`);
      return contains(outer, inner);
    },
    'net.cidr_overlap': (a, b) => {
      const outer = mustCidr(a, 1);
      const inner = parseCidrOrIp(str(b, 2));
      if (!inner) throw builtinError(`invalid IP address: ${b as string}`);
      return contains(outer, inner);
    },
    'net.cidr_intersects': (a, b) => intersects(mustCidr(a, 1), mustCidr(b, 2)),
    'net.cidr_is_valid': (s) => typeof s === 'string' && parseCidr(s) !== undefined,
    'net.cidr_expand': (s) => {
      const c = mustCidr(s, 1);
      const size = 1n << BigInt(c.bits - c.prefix);
      if (size > 65536n) throw builtinError('CIDR too large to expand');
      const out: string[] = [];
      for (let i = 0n; i < size; i++) out.push(formatIp(c.addr + i, c.bits));
      return toSet(out);
    },
    'net.cidr_contains_matches': (a, b) => {
      const outer = matchItems(a, 1);
      const inner = matchItems(b, 2);
      const pairs: unknown[] = [];
      for (const o of outer) {
        const oc = parseCidr(o.cidr);
        if (!oc) throw builtinError(`invalid CIDR address: ${o.cidr}`);
        for (const i of inner) {
          const ic = parseCidrOrIp(i.cidr);
          if (!ic) throw builtinError(`invalid CIDR or IP address: ${i.cidr}`);
          if (contains(oc, ic)) pairs.push([o.key, i.key]);
        }
      }
      return toSet(pairs);
    },
    'net.cidr_merge': (xs) => {
      if (!Array.isArray(xs)) throw typeError(1, 'one of {array, set}', xs);
      const cidrs: Cidr[] = [];
      for (const x of xs) {
        if (typeof x !== 'string') throw new BuiltinError('eval_type_error', 'operand 1 must be array of strings');
        if (x.includes('/')) {
          const c = parseCidr(x);
          if (!c) throw builtinError(`invalid CIDR address: ${x}`);
          cidrs.push(c);
        } else {
          const ip = parseIp(x);
          if (!ip) throw builtinError(`IP invalid: ${x}`);
          if (ip.bits === 128) throw builtinError('IPv6 invalid: needs prefix length');
          const prefix = defaultPrefix(ip.addr);
          cidrs.push({ addr: ip.addr & mask(32, prefix), bits: 32, prefix });
        }
      }
      return toSet(merge(cidrs).map(formatCidr));
    },
  };
}
