/** Object builtins and the document-editing ones (`json.filter`, `json.remove`, `walk`). */
import {
  type BuiltinFn,
  type JsonObject,
  BuiltinError,
  arr,
  compare,
  equal,
  isObject,
  obj,
  toSet,
  typeError,
  typeName,
  RegoSet,
} from './values.ts';

/** Keys given as an array, a set (array) or an object (its keys). */
function keyList(v: unknown, pos: number): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.keys(v);
  throw typeError(pos, 'one of {object, set, array}', v);
}

function keyString(k: unknown): string {
  return typeof k === 'string' ? k : JSON.stringify(k);
}

function unionTwo(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? unionTwo(prev, v) : v;
  }
  return out;
}

/** Whether an array is in canonical set form (how a Rego set arrives here). */
function looksLikeSet(a: unknown[]): boolean {
  for (let i = 1; i < a.length; i++) if (compare(a[i - 1], a[i]) >= 0) return false;
  return true;
}

function arraySubset(sup: unknown[], sub: unknown[]): boolean {
  if (sub.length > sup.length) return false;
  for (let i = 0; i + sub.length <= sup.length; i++) {
    let ok = true;
    for (let j = 0; j < sub.length && ok; j++) ok = equal(sup[i + j], sub[j]);
    if (ok) return true;
  }
  return false;
}

/** OPA's object.subset: objects recurse, sets test membership, arrays test for a contiguous run. */
function isSubset(sup: unknown, sub: unknown): boolean {
  if (isObject(sup) && isObject(sub)) {
    for (const [k, sv] of Object.entries(sub)) {
      if (!Object.hasOwn(sup, k)) return false;
      const pv = sup[k];
      if (isObject(pv) && isObject(sv)) {
        if (!isSubset(pv, sv)) return false;
      } else if (Array.isArray(pv) && Array.isArray(sv)) {
        if (!isSubset(pv, sv)) return false;
      } else if (!equal(pv, sv)) return false;
    }
    return true;
  }
  if (sub instanceof RegoSet) return (Array.isArray(sup) || sup instanceof RegoSet) && sub.every((x) => sup.some((y) => equal(x, y)));
  if (sup instanceof RegoSet) return false;
  if (Array.isArray(sup) && Array.isArray(sub)) {
    // Untagged sets arrive as canonical arrays; a sorted, duplicate-free pair is taken as two sets.
    if (looksLikeSet(sup) && looksLikeSet(sub) && sub.every((x) => sup.some((y) => equal(x, y)))) return true;
    return arraySubset(sup, sub);
  }
  return false;
}

/** Splits a `json.filter`/`json.remove` path: "a/b/c" or ["a", "b", "c"]. */
function parsePaths(v: unknown, pos: number): unknown[][] {
  const out: unknown[][] = [];
  if (!Array.isArray(v)) throw typeError(pos, 'one of {set, array}', v);
  for (const p of v) {
    if (typeof p === 'string') out.push(p.replace(/^\//, '').split('/').filter((s, i, all) => s !== '' || all.length === 1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));
    else if (Array.isArray(p)) out.push(p);
    else throw new BuiltinError('eval_type_error', `operand ${pos} must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
  }
  return out;
}

function segmentKey(container: unknown, seg: unknown): string | number | undefined {
  if (Array.isArray(container)) {
    const i = typeof seg === 'number' ? seg : typeof seg === 'string' && /^\d+$/.test(seg) ? Number(seg) : NaN;
    return Number.isInteger(i) && i >= 0 && i < container.length ? i : undefined;
  }
  if (isObject(container)) {
    const k = keyString(seg);
    return Object.hasOwn(container, k) ? k : undefined;
  }
  return undefined;
}

function filterPaths(doc: unknown, paths: unknown[][]): unknown {
  if (paths.some((p) => p.length === 0)) return doc;
  if (isObject(doc)) {
    const out: JsonObject = {};
    for (const k of Object.keys(doc)) {
      const rest = paths.filter((p) => keyString(p[0]) === k).map((p) => p.slice(1));
      if (rest.length > 0) out[k] = filterPaths(doc[k], rest);
    }
    return out;
  }
  if (Array.isArray(doc)) {
    const out: unknown[] = [];
    doc.forEach((v, i) => {
      const rest = paths.filter((p) => segmentKey(doc, p[0]) === i).map((p) => p.slice(1));
      if (rest.length > 0) out.push(filterPaths(v, rest));
    });
    return out;
  }
  return doc;
}

function removePaths(doc: unknown, paths: unknown[][]): unknown {
  if (paths.some((p) => p.length === 0)) return undefined;
  if (isObject(doc)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(doc)) {
      const rest = paths.filter((p) => keyString(p[0]) === k).map((p) => p.slice(1));
      if (rest.length === 0) out[k] = v;
      else {
        const r = removePaths(v, rest);
        if (r !== undefined) out[k] = r;
      }
    }
    return out;
  }
  if (Array.isArray(doc)) {
    const out: unknown[] = [];
    doc.forEach((v, i) => {
      const rest = paths.filter((p) => segmentKey(doc, p[0]) === i).map((p) => p.slice(1));
      if (rest.length === 0) out.push(v);
      else {
        const r = removePaths(v, rest);
        if (r !== undefined) out.push(r);
      }
    });
    return out;
  }
  return doc;
}

function walk(doc: unknown, path: unknown[], out: unknown[]): void {
  out.push([path, doc]);
  if (Array.isArray(doc)) doc.forEach((v, i) => walk(v, [...path, i], out));
  else if (isObject(doc)) for (const k of Object.keys(doc).sort()) walk(doc[k], [...path, k], out);
}

export function objectBuiltins(): Record<string, BuiltinFn> {
  return {
    'object.get': (o, key, dflt) => {
      obj(o, 1);
      if (Array.isArray(key)) {
        let cur: unknown = o;
        for (const seg of key) {
          const k = segmentKey(cur, seg);
          if (k === undefined) return dflt;
          cur = (cur as Record<string | number, unknown>)[k];
        }
        return cur;
      }
      const k = keyString(key);
      return Object.hasOwn(o as JsonObject, k) ? (o as JsonObject)[k] : dflt;
    },
    'object.keys': (o) => toSet(Object.keys(obj(o, 1))),
    'object.remove': (o, keys) => {
      const src = obj(o, 1);
      const drop = new Set(keyList(keys, 2).map(keyString));
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(src)) if (!drop.has(k)) out[k] = v;
      return out;
    },
    'object.filter': (o, keys) => {
      const src = obj(o, 1);
      const out: JsonObject = {};
      for (const k of keyList(keys, 2).map(keyString)) if (Object.hasOwn(src, k)) out[k] = src[k];
      return out;
    },
    'object.union': (a, b) => unionTwo(obj(a, 1), obj(b, 2)),
    'object.union_n': (xs) => {
      let out: JsonObject = {};
      for (const x of arr(xs, 1)) {
        if (!isObject(x)) throw new BuiltinError('eval_type_error', `operand 1 must be array of objects but got array containing ${typeName(x)}`);
        out = unionTwo(out, x);
      }
      return out;
    },
    'object.subset': (sup, sub) => {
      const okType = (v: unknown) => isObject(v) || Array.isArray(v);
      if (!okType(sup)) throw typeError(1, 'one of {object, set, array}', sup);
      if (!okType(sub)) throw typeError(2, 'one of {object, set, array}', sub);
      return isSubset(sup, sub);
    },
    'json.filter': (o, paths) => filterPaths(obj(o, 1), parsePaths(paths, 2)),
    'json.remove': (o, paths) => removePaths(obj(o, 1), parsePaths(paths, 2)) ?? {},
    walk: (doc) => {
      const out: unknown[] = [];
      walk(doc, [], out);
      return out;
    },
  };
}
