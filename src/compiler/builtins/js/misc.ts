/**
 * Builtins that fit no family: graphs, randomness, runtime info, AWS SigV4
 * request signing, and the test-only `test.sleep`. `http.send` and
 * `net.lookup_ip_addr` are refused on purpose: a policy decision must not do
 * network I/O, so they fail (undefined, or an error in strict mode).
 */
import { createHash, createHmac, randomInt } from 'node:crypto';
import { goMarshal } from './json.ts';
import { parseDuration } from './time.ts';
import { type BuiltinContext, type BuiltinFn, type JsonObject, BuiltinError, builtinError, int, isObject, obj, str, toSet, typeError } from './values.ts';

function neighbours(graph: JsonObject, node: unknown): unknown[] {
  const key = typeof node === 'string' ? node : JSON.stringify(node);
  const edges = graph[key];
  if (Array.isArray(edges)) return edges;
  if (isObject(edges)) return Object.values(edges);
  return [];
}

function initialNodes(v: unknown, pos: number): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  throw typeError(pos, 'one of {set, array}', v);
}

function reachable(graph: JsonObject, initial: unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  const stack = [...initial];
  while (stack.length > 0) {
    const n = stack.pop();
    const k = JSON.stringify(n);
    if (seen.has(k)) continue;
    // Like OPA, only nodes that are keys of the graph are reported.
    if (!Object.hasOwn(graph, typeof n === 'string' ? n : k)) continue;
    seen.set(k, n);
    stack.push(...neighbours(graph, n));
  }
  return toSet(seen.values());
}

function reachablePaths(graph: JsonObject, initial: unknown[]): unknown[] {
  const out: unknown[][] = [];
  const walk = (node: unknown, path: unknown[]): void => {
    const key = typeof node === 'string' ? node : JSON.stringify(node);
    if (!Object.hasOwn(graph, key)) {
      if (path.length > 0) out.push(path);
      return;
    }
    const here = [...path, node];
    const next = neighbours(graph, node).filter((n) => !here.some((p) => JSON.stringify(p) === JSON.stringify(n)));
    if (next.length === 0) out.push(here);
    for (const n of next) walk(n, here);
  };
  for (const n of initial) walk(n, []);
  return toSet(out);
}

const IGNORED_HEADERS = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);

/** Host, escaped path and raw query of a URL, as Go's url.URL reports them (no path: ""). */
function splitUrl(u: string): { host: string; path: string; query: string } {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(u);
  if (!m) throw builtinError(`invalid url: ${u}`);
  const host = m[1]!.replace(/^[^@]*@/, '');
  return { host, path: m[2]!, query: m[3] ?? '' };
}

const REQUIRED_CONFIG = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];

function missingList(names: string[]): string {
  return `{${names.map((n) => JSON.stringify(n)).join(', ')}}`;
}

/** AWS Signature Version 4, as `providers.aws.sign_req` applies it. */
function signRequest(reqArg: unknown, cfgArg: unknown, timeArg: unknown): JsonObject {
  const req = obj(reqArg, 1);
  const missingReq = ['method', 'url'].filter((k) => !Object.hasOwn(req, k));
  if (missingReq.length) throw builtinError(`operand 1 missing required request parameters(s): ${missingList(missingReq)}`);
  const badReq = ['method', 'url'].filter((k) => typeof req[k] !== 'string');
  if (badReq.length) throw builtinError(`operand 1 invalid values for required request parameters(s): ${missingList(badReq)}`);
  const cfg = obj(cfgArg, 2);
  const missingCfg = REQUIRED_CONFIG.filter((k) => !Object.hasOwn(cfg, k));
  if (missingCfg.length) throw builtinError(`operand 2 missing required AWS config parameters(s): ${missingList(missingCfg)}`);
  const badCfg = REQUIRED_CONFIG.filter((k) => typeof cfg[k] !== 'string');
  if (badCfg.length) throw builtinError(`operand 2 invalid values for required AWS config parameters(s): ${missingList(badCfg)}`);
  if (Object.hasOwn(cfg, 'disable_payload_signing') && typeof cfg.disable_payload_signing !== 'boolean') {
    throw builtinError("operand 2 invalid value for 'disable_payload_signing' in AWS config");
  }
  if (typeof timeArg !== 'number') throw typeError(3, 'number', timeArg);
  if (!Number.isFinite(timeArg) || timeArg < 0) throw new BuiltinError('eval_type_error', 'operand 3 could not convert time_ns value into a unix timestamp');
  const amzDate = new Date(Math.floor(timeArg / 1e6)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const { host, path, query } = splitUrl(req.url as string);
  let payloadHash: string;
  if (cfg.disable_payload_signing === true) payloadHash = 'UNSIGNED-PAYLOAD';
  else {
    const body = typeof req.raw_body === 'string' ? req.raw_body : Object.hasOwn(req, 'body') ? goMarshal(req.body) : '';
    payloadHash = createHash('sha256').update(body).digest('hex');
  }
  const service = cfg.aws_service as string;
  const awsHeaders: Record<string, string> = { host, 'x-amz-date': amzDate };
  if (service === 's3' || service === 'glacier') awsHeaders['x-amz-content-sha256'] = payloadHash;
  if (typeof cfg.aws_session_token === 'string' && cfg.aws_session_token !== '') awsHeaders['x-amz-security-token'] = cfg.aws_session_token;
  // As in OPA: the request's own headers are signed as given (they win over the
  // generated ones in the canonical request), but the generated ones are returned.
  const toSign: Record<string, string> = { ...awsHeaders };
  const reqHeaders: Record<string, string> = {};
  if (isObject(req.headers)) {
    for (const [k, v] of Object.entries(req.headers)) {
      const value = Array.isArray(v) ? v.map(String).join(',') : String(v);
      reqHeaders[k] = value;
      const lower = k.toLowerCase();
      if (!IGNORED_HEADERS.has(lower)) toSign[lower] = value;
    }
  }
  const names = Object.keys(toSign).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = `${req.method as string}\n${path}\n${query}\n${names.map((k) => `${k}:${toSign[k]!}\n`).join('')}\n${signedHeaders}\n${payloadHash}`;
  const scope = `${day}/${cfg.aws_region as string}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${cfg.aws_secret_access_key as string}`).update(day).digest();
  for (const part of [cfg.aws_region as string, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const headers: Record<string, string> = { ...reqHeaders, ...awsHeaders };
  headers.Authorization = `AWS4-HMAC-SHA256 Credential=${cfg.aws_access_key as string}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { ...req, headers };
}

export function miscBuiltins(ctx: BuiltinContext): Record<string, BuiltinFn> {
  return {
    'graph.reachable': (g, i) => reachable(obj(g, 1), initialNodes(i, 2)),
    'graph.reachable_paths': (g, i) => reachablePaths(obj(g, 1), initialNodes(i, 2)),
    'rand.intn': (k, n) => {
      const key = `rand.intn\u0000${str(k, 1)}\u0000${int(n, 2)}`;
      const memo = ctx.cache().memo;
      let v = memo.get(key);
      if (v === undefined) {
        const bound = Math.abs(n as number);
        v = bound === 0 ? 0 : randomInt(bound);
        memo.set(key, v);
      }
      return v;
    },
    // OPA reports {} when no runtime information is configured; warden configures none.
    'opa.runtime': () => ({}),
    'providers.aws.sign_req': (r, c, t) => signRequest(r, c, t),
    'test.sleep': (d) => {
      const ns = parseDuration(str(d, 1));
      // Synchronous by necessity: opa-wasm calls builtins synchronously.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(ns / 1_000_000n));
      return null;
    },
    trace: (s) => {
      str(s, 1);
      return true;
    },
    'internal.print': () => null,
    'http.send': () => {
      throw new BuiltinError('eval_builtin_error', 'http.send is not available in warden policies (no network I/O during a decision)');
    },
    'net.lookup_ip_addr': () => {
      throw new BuiltinError('eval_builtin_error', 'net.lookup_ip_addr is not available in warden policies (no DNS during a decision)');
    },
  };
}
