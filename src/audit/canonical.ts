/**
 * Canonical JSON (RFC 8785 style): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings as JSON.stringify writes them. It follows
 * JSON.stringify's rules for odd values (toJSON, undefined members dropped,
 * non-finite numbers as null) so that a record hashes the same before it is
 * written and after its JSON line is parsed back.
 */
import { hash } from 'node:crypto';
import { quoteJson } from '../protocol/json.ts';

/** The canonical JSON text of a value. */
export function canonicalJson(value: unknown): string {
  const out = write(value, 0);
  return out === undefined ? 'null' : out;
}

/** Deeper than this is treated as a cycle (JSON from the wire is never this deep). */
const MAX_DEPTH = 256;

/** Hex SHA-256 of a UTF-8 string or of bytes (one-shot: no Hash object per call). */
export function sha256Hex(text: string | Buffer): string {
  return hash('sha256', text, 'hex');
}

/** Hex SHA-256 of the canonical JSON of a value (the argument digest). */
export function digestJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

function write(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof obj.toJSON === 'function') return write(obj.toJSON(), depth);
  if (depth >= MAX_DEPTH) return '"[Circular]"';
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out += ',';
      out += write(obj[i], depth + 1) ?? 'null';
    }
    out += ']';
  } else {
    const keys = Object.keys(obj).sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const member = write(obj[key], depth + 1);
      if (member === undefined) continue;
      if (!first) out += ',';
      first = false;
      out += quoteJson(key) + ':' + member;
    }
    out += '}';
  }
  return out;
}
