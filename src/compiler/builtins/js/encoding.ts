/** Encoding builtins: base64, base64url, hex, urlquery. */
import { type BuiltinFn, type JsonObject, BuiltinError, builtinError, obj, str, typeName } from './values.ts';

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function decodeBase64(s: string, url: boolean): string {
  const ok = url ? B64URL.test(s) && (s.includes('=') ? s.length % 4 === 0 : s.length % 4 !== 1) : B64.test(s) && s.length % 4 === 0;
  if (!ok) throw builtinError('illegal base64 data at input byte 0');
  return Buffer.from(s, url ? 'base64url' : 'base64').toString('utf8');
}

/** Go's url.QueryEscape: space → '+', unreserved bytes kept. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

function queryUnescape(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    const bad = /%(?![0-9a-fA-F]{2}).{0,2}/.exec(s);
    throw builtinError(`invalid URL escape ${JSON.stringify(bad?.[0] ?? s)}`);
  }
}

export function encodingBuiltins(): Record<string, BuiltinFn> {
  return {
    'base64.encode': (s) => Buffer.from(str(s, 1), 'utf8').toString('base64'),
    'base64.decode': (s) => decodeBase64(str(s, 1), false),
    'base64.is_valid': (s) => typeof s === 'string' && B64.test(s) && s.length % 4 === 0,
    'base64url.encode': (s) => {
      const raw = Buffer.from(str(s, 1), 'utf8').toString('base64url');
      return raw + '='.repeat((4 - (raw.length % 4)) % 4);
    },
    'base64url.encode_no_pad': (s) => Buffer.from(str(s, 1), 'utf8').toString('base64url'),
    'base64url.decode': (s) => decodeBase64(str(s, 1), true),
    'hex.encode': (s) => Buffer.from(str(s, 1), 'utf8').toString('hex'),
    'hex.decode': (s) => {
      const x = str(s, 1);
      const bad = /[^0-9a-fA-F]/.exec(x);
      if (bad) {
        const cp = bad[0].codePointAt(0)!;
        throw builtinError(`invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(bad[0]).replace(/^"|"$/g, "'")}`);
      }
      if (x.length % 2 !== 0) throw builtinError('encoding/hex: odd length hex string');
      return Buffer.from(x, 'hex').toString('utf8');
    },
    'urlquery.encode': (s) => queryEscape(str(s, 1)),
    'urlquery.decode': (s) => queryUnescape(str(s, 1)),
    'urlquery.encode_object': (o) => {
      const src = obj(o, 1);
      const parts: string[] = [];
      for (const k of Object.keys(src).sort()) {
        const v = src[k];
        const vals = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
        if (!vals || vals.some((x) => typeof x !== 'string')) {
          throw new BuiltinError('eval_type_error', `operand 1 must be object[string: string|array[string]|set[string]] but got ${typeName(v)}`);
        }
        for (const x of vals as string[]) parts.push(`${queryEscape(k)}=${queryEscape(x)}`);
      }
      return parts.join('&');
    },
    'urlquery.decode_object': (s) => {
      const out: JsonObject = {};
      for (const part of str(s, 1).split(/[&]/)) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
        const v = eq < 0 ? '' : queryUnescape(part.slice(eq + 1));
        const list = out[k];
        if (Array.isArray(list)) list.push(v);
        else out[k] = [v];
      }
      return out;
    },
  };
}

