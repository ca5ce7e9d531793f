/**
 * Turns the fields the audit stage hands over (CALL_FIELDS order) into a call
 * record body. Runs in the writer thread: everything that walks the arguments
 * (canonical JSON, digest, size check) or formats happens here, off the event
 * loop that serves calls.
 */
import { canonicalJson, digestJson, sha256Hex } from './canonical.ts';
import { CALL_FIELDS, type CallFields } from './record.ts';

const TIME = 0;
const ARGS_DIGEST = CALL_FIELDS.indexOf('argsDigest');
const ARGS = CALL_FIELDS.indexOf('args');
const ARGS_ORIGINAL = CALL_FIELDS.indexOf('argsOriginal');
const PII = CALL_FIELDS.indexOf('pii');

/** The record body of a call, fields in CALL_FIELDS order (undefined ones left out when written). */
export function callBodyFromFields(fields: CallFields, maxArgsBytes: number): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const args = fields[ARGS];
  const canonical = args === undefined ? undefined : canonicalJson(args);
  for (let i = 0; i < CALL_FIELDS.length; i++) {
    const name = CALL_FIELDS[i]!;
    const value = fields[i];
    switch (i) {
      case TIME:
        body.time = typeof value === 'number' ? new Date(value).toISOString() : value;
        break;
      case ARGS_DIGEST: {
        const original = fields[ARGS_ORIGINAL];
        if (typeof value === 'string') body.argsDigest = value;
        else if (original !== undefined) body.argsDigest = digestJson(original);
        else if (canonical !== undefined) body.argsDigest = sha256Hex(canonical);
        break;
      }
      case ARGS: {
        if (canonical === undefined) break;
        // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes only when the limit may be near.
        const bytes = canonical.length * 3 > maxArgsBytes ? Buffer.byteLength(canonical) : canonical.length;
        // Huge arguments would bloat every line; the digest still pins them.
        if (bytes > maxArgsBytes) body.argsOmitted = { bytes };
        else body.args = value;
        break;
      }
      case ARGS_ORIGINAL:
        break;
      case PII:
        body.pii = summarizePii(value);
        break;
      default:
        body[name] = value;
    }
  }
  return body;
}

/**
 * PII finding counts by type, never values. Accepts the shapes a pii stage may
 * leave: {counts: {TYPE: n}}, {TYPE: n}, or {findings: [{type, count?}]}
 * (also under `arguments`/`result`, summed).
 */
const PII_TYPE = /^[A-Z][A-Z0-9_]*$/;

export function summarizePii(pii: unknown): Record<string, number> | undefined {
  if (pii === null || typeof pii !== 'object') return undefined;
  const counts: Record<string, number> = {};
  let any = false;
  const add = (type: unknown, n: unknown): void => {
    if (typeof type !== 'string' || typeof n !== 'number' || !Number.isFinite(n)) return;
    counts[type] = (counts[type] ?? 0) + n;
    any = true;
  };
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 2) return;
    if (Array.isArray(node)) {
      for (const f of node) if (f && typeof f === 'object') add((f as { type?: unknown }).type, (f as { count?: unknown }).count ?? 1);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'number') {
        if (PII_TYPE.test(key)) add(key, value);
      }
      else if (key === 'counts' || key === 'findings' || key === 'arguments' || key === 'result' || key === 'request' || key === 'response') visit(value, depth + 1);
    }
  };
  visit(pii, 0);
  return any ? counts : undefined;
}
