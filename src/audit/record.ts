/**
 * The audit record: what one line of an agent's audit file holds, and how it
 * is chained. Each record carries `seq` (per agent), `prev` (the hash of the
 * record before it) and `hash`. In format v2 the hash is SHA-256 over the
 * line's own UTF-8 bytes up to the `,"hash":` member (which always comes last),
 * so nothing is canonicalised: the bytes written are the bytes hashed. (v1
 * records, still verified, hashed the canonical JSON of the record without
 * `hash`.) Every `checkpointEvery` records, at rotation and at close, a
 * checkpoint record signs (Ed25519) the chain position it follows.
 */
import type { StageOutcome } from '../pipeline/decision.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';

/** Record format version written now (v1: canonical-JSON hash; v2: hash of the line's bytes). */
export const AUDIT_RECORD_VERSION = 2;

/** `prev` of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

export type CallOutcome = 'ok' | 'denied' | 'upstream_error' | 'error';

/** One audited call. */
export interface CallRecord {
  v: number;
  kind: 'call';
  seq: number;
  prev: string;
  /** ISO time the call arrived. */
  time: string;
  /** Decision id (also in the caller's error data). */
  id: string;
  agent: string;
  user?: string;
  task?: string;
  upstream?: string;
  tool?: string;
  method: string;
  /** SHA-256 of the canonical JSON of the arguments (see argsDigestOf). */
  argsDigest?: string;
  /** Which arguments argsDigest covers: the caller's originals, or those after the pii stage (same when pii changed nothing). */
  argsDigestOf?: 'original' | 'after-pii';
  /** The arguments after PII scrubbing (absent when larger than maxArgsBytes; see argsOmitted). */
  args?: unknown;
  argsOmitted?: { bytes: number };
  decision: 'allow' | 'deny';
  code?: string;
  reason?: string;
  stages: StageOutcome[];
  policy?: string;
  limits?: unknown;
  /** PII finding counts by type (never values). */
  pii?: Record<string, number>;
  latencyMs: number;
  outcome: CallOutcome;
  hash: string;
}

/** A signed checkpoint: `sig` signs checkpointMessage(agent, seq, prev). */
export interface CheckpointRecord {
  v: number;
  kind: 'checkpoint';
  seq: number;
  prev: string;
  time: string;
  agent: string;
  /** Why it was written: every N records, before rotation, or at close. */
  reason: 'interval' | 'rotate' | 'close';
  /** Fingerprint of the public key (first 16 hex of SHA-256 of its SPKI DER). */
  key: string;
  /** Base64 Ed25519 signature. */
  sig: string;
  hash: string;
}

export type AuditRecord = CallRecord | CheckpointRecord;

/** The hash a v1 record must carry: SHA-256 over its canonical JSON without `hash`. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

/** `,"hash":"` + 64 hex + `"}`: the fixed-size tail of every v2 line. */
const HASH_TAIL = 9 + 64 + 2;
const HASH_MEMBER = ',"hash":"';

/**
 * Seals a JSON object line (as pino writes it: `{...}` plus an optional newline): appends the
 * `hash` member, SHA-256 over the line's bytes before it. Returns the sealed line (with a newline).
 */
export function sealLine(line: string): { line: string; hash: string } {
  const end = line.endsWith('}\n') ? line.length - 2 : line.length - 1;
  const body = line.slice(0, end);
  const hash = sha256Hex(body);
  return { line: body + HASH_MEMBER + hash + '"}\n', hash };
}

/** The hash a v2 line claims and the one its bytes give; undefined when the line has no trailing hash member. */
export function lineHashes(line: string): { claimed: string; actual: string } | undefined {
  if (line.length < HASH_TAIL + 1 || !line.endsWith('"}')) return undefined;
  const at = line.length - HASH_TAIL;
  if (line.slice(at, at + HASH_MEMBER.length) !== HASH_MEMBER) return undefined;
  return { claimed: line.slice(at + HASH_MEMBER.length, line.length - 2), actual: sha256Hex(line.slice(0, at)) };
}

/** The bytes a checkpoint signs: it binds the agent, its own position and the hash it follows. */
export function checkpointMessage(agent: string, seq: number, prev: string): Buffer {
  // The signed message's format did not change with the record format: it stays v1.
  return Buffer.from(`warden-audit/v1\n${agent}\n${seq}\n${prev}`, 'utf8');
}
