/** JSON and YAML builtins: marshalling as Go does, JSON Patch, JSON Schema. */
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';
import {
  type BuiltinFn,
  type JsonObject,
  BuiltinError,
  arr,
  builtinError,
  clone,
  compareStrings,
  equal,
  formatNumber,
  isObject,
  obj,
  plainValue,
  str,
  typeName,
} from './values.ts';

/** Go's encoding/json string escaping (HTML-safe: <, >, & become \u003c…). */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's json.Marshal / MarshalIndent of a Rego value (object keys sorted). */
export function goMarshal(v: unknown, indent = '', prefix = '', depth = 0): string {
  const nl = indent || prefix ? `\n${prefix}${indent.repeat(depth + 1)}` : '';
  const end = indent || prefix ? `\n${prefix}${indent.repeat(depth)}` : '';
  const sep = indent || prefix ? ': ' : ':';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${v.map((x) => nl + goMarshal(x, indent, prefix, depth + 1)).join(',')}${end}]`;
  }
  const o = v as JsonObject;
  const keys = Object.keys(o).sort(compareStrings);
  if (keys.length === 0) return '{}';
  return `{${keys.map((k) => `${nl}${goString(k)}${sep}${goMarshal(o[k], indent, prefix, depth + 1)}`).join(',')}${end}}`;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw builtinError((e as Error).message);
  }
}

/** A JSON pointer (`/a/b`) as segments; undefined when malformed. */
function pointer(p: unknown): string[] | undefined {
  if (Array.isArray(p)) return p.map(String);
  if (typeof p !== 'string') return undefined;
  if (p === '') return [];
  if (!p.startsWith('/')) return undefined;
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, path: string[]): { parent: unknown; key: string } | undefined {
  let cur = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(k) || Number(k) >= cur.length) return undefined;
      cur = cur[Number(k)];
    } else if (isObject(cur) && Object.hasOwn(cur, k)) cur = cur[k];
    else return undefined;
  }
  return { parent: cur, key: path[path.length - 1]! };
}

function getAt(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const k of path) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(k) || Number(k) >= cur.length) return undefined;
      cur = cur[Number(k)];
    } else if (isObject(cur) && Object.hasOwn(cur, k)) cur = cur[k];
    else return undefined;
  }
  return cur;
}

/** Applies one RFC 6902 operation; returns the new document or undefined when it fails. */
function applyOp(doc: unknown, op: JsonObject): { doc: unknown } | undefined {
  const path = pointer(op.path);
  if (!path) return undefined;
  const add = (d: unknown, p: string[], value: unknown): { doc: unknown } | undefined => {
    if (p.length === 0) return { doc: value };
    const at = parentOf(d, p);
    if (!at) return undefined;
    const { parent, key } = at;
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
      if (i < 0 || i > parent.length) return undefined;
      parent.splice(i, 0, value);
    } else if (isObject(parent)) parent[key] = value;
    else return undefined;
    return { doc: d };
  };
  const remove = (d: unknown, p: string[]): { doc: unknown; value: unknown } | undefined => {
    if (p.length === 0) return undefined;
    const at = parentOf(d, p);
    if (!at) return undefined;
    const { parent, key } = at;
    if (Array.isArray(parent)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= parent.length) return undefined;
      const [value] = parent.splice(Number(key), 1);
      return { doc: d, value };
    }
    if (isObject(parent) && Object.hasOwn(parent, key)) {
      const value = parent[key];
      delete parent[key];
      return { doc: d, value };
    }
    return undefined;
  };
  switch (op.op) {
    case 'add':
      if (!Object.hasOwn(op, 'value')) return undefined;
      return add(doc, path, clone(op.value));
    case 'remove':
      return remove(doc, path);
    case 'replace': {
      if (!Object.hasOwn(op, 'value')) return undefined;
      if (path.length === 0) return { doc: clone(op.value) };
      const r = remove(doc, path);
      return r && add(r.doc, path, clone(op.value));
    }
    case 'move': {
      const from = pointer(op.from);
      if (!from) return undefined;
      const r = remove(doc, from);
      return r && add(r.doc, path, r.value);
    }
    case 'copy': {
      const from = pointer(op.from);
      if (!from) return undefined;
      const v = getAt(doc, from);
      return v === undefined ? undefined : add(doc, path, clone(v));
    }
    case 'test': {
      const v = getAt(doc, path);
      return v !== undefined && equal(v, op.value) ? { doc } : undefined;
    }
    default:
      return undefined;
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
const schemaCache = new Map<string, ReturnType<Ajv['compile']>>();
const VALID_TYPES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

/** Checks the schema's `type` keywords the way gojsonschema reports them. */
function checkSchemaTypes(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(checkSchemaTypes);
  if (!isObject(schema)) return;
  const t = schema.type;
  for (const x of Array.isArray(t) ? t : t === undefined ? [] : [t]) {
    if (typeof x !== 'string' || !VALID_TYPES.includes(x)) {
      throw builtinError(`has a primitive type that is NOT VALID -- given: /${String(x)}/ Expected valid values are:[${VALID_TYPES.join(' ')}]`);
    }
  }
  for (const [k, v] of Object.entries(schema)) if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') checkSchemaTypes(v);
}

function compileSchema(schema: unknown): ReturnType<Ajv['compile']> {
  const s = typeof schema === 'string' ? parseJson(schema) : schema;
  if (!isObject(s) && typeof s !== 'boolean') throw builtinError('schema must be an object or a boolean');
  const key = JSON.stringify(s);
  let v = schemaCache.get(key);
  if (v) return v;
  checkSchemaTypes(s);
  try {
    v = ajv.compile(s as JsonObject);
  } catch (e) {
    throw builtinError((e as Error).message);
  }
  if (schemaCache.size > 256) schemaCache.clear();
  schemaCache.set(key, v);
  return v;
}

/** gojsonschema's error record shape from an Ajv error. */
function schemaError(e: ErrorObject): JsonObject {
  const segs = e.instancePath.split('/').slice(1);
  let field = segs.length === 0 ? '(root)' : segs.join('.');
  let type = e.keyword;
  let desc = e.message ?? e.keyword;
  if (e.keyword === 'type') {
    type = 'invalid_type';
    desc = `Invalid type. Expected: ${String(e.params.type)}, given: ${typeName(undefined)}`;
  } else if (e.keyword === 'required') {
    const prop = String(e.params.missingProperty);
    desc = `${prop} is required`;
  } else if (e.keyword === 'additionalProperties') {
    type = 'additional_property_not_allowed';
    desc = `Additional property ${String(e.params.additionalProperty)} is not allowed`;
  } else if (e.keyword === 'enum') desc = `${field} must be one of the following: ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  else if (e.keyword === 'minimum') {
    type = 'number_gte';
    desc = `Must be greater than or equal to ${String(e.params.limit)}`;
  } else if (e.keyword === 'maximum') {
    type = 'number_lte';
    desc = `Must be less than or equal to ${String(e.params.limit)}`;
  }
  if (field === '') field = '(root)';
  return { desc, error: `${field}: ${desc}`, field, type };
}

function gatherTypes(doc: unknown, path: string): string {
  const v = getAt(doc, path.split('/').slice(1));
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function jsonBuiltins(): Record<string, BuiltinFn> {
  return {
    'json.marshal': (v) => goMarshal(v),
    'json.marshal_with_options': (v, opts) => {
      const o = obj(opts, 2);
      let pretty: boolean | undefined;
      let indent = '\t';
      let prefix = '';
      for (const [k, x] of Object.entries(o)) {
        if (k === 'pretty') {
          if (typeof x !== 'boolean') throw builtinError('"pretty" must be a boolean');
          pretty = x;
        } else if (k === 'indent') {
          if (typeof x !== 'string') throw builtinError('"indent" must be a string');
          indent = x;
        } else if (k === 'prefix') {
          if (typeof x !== 'string') throw builtinError('"prefix" must be a string');
          prefix = x;
        } else throw builtinError(`object contained unknown key ${JSON.stringify(k)}`);
      }
      const on = pretty ?? (Object.hasOwn(o, 'indent') || Object.hasOwn(o, 'prefix'));
      if (!on) return goMarshal(v);
      return prefix + goMarshal(v, indent, prefix);
    },
    'json.unmarshal': (s) => parseJson(str(s, 1)),
    'json.is_valid': (s) => {
      if (typeof s !== 'string') return false;
      try {
        JSON.parse(s);
        return true;
      } catch {
        return false;
      }
    },
    'json.patch': (doc, patches) => {
      let cur: unknown = clone(doc);
      for (const p of arr(patches, 2)) {
        if (!isObject(p)) throw new BuiltinError('eval_type_error', `operand 2 must be array of objects but got array containing ${typeName(p)}`);
        const r = applyOp(cur, p);
        if (!r) return undefined;
        cur = r.doc;
      }
      return cur;
    },
    'json.verify_schema': (schema) => {
      if (typeof schema !== 'string' && !isObject(schema) && typeof schema !== 'boolean') throw new BuiltinError('eval_type_error', `operand 1 must be one of {object, string, boolean} but got ${typeName(schema)}`);
      try {
        compileSchema(schema);
        return [true, null];
      } catch (e) {
        return [false, `jsonschema: ${(e as Error).message}`];
      }
    },
    'json.match_schema': (document, schema) => {
      const doc = typeof document === 'string' ? parseJson(document) : document;
      const validate = compileSchema(schema);
      if (validate(doc)) return [true, []];
      const errs = (validate.errors ?? []).map((e) => {
        const rec = schemaError(e);
        if (e.keyword === 'type') {
          const given = gatherTypes(doc, e.instancePath);
          rec.desc = `Invalid type. Expected: ${String(e.params.type)}, given: ${given}`;
          rec.error = `${String(rec.field)}: ${String(rec.desc)}`;
        }
        return rec;
      });
      return [false, errs];
    },
    // Go's yaml.v2 style: sorted keys, sequences flush with their key, single quotes.
    'yaml.marshal': (v) => YAML.stringify(plainValue(v), { sortMapEntries: true, indentSeq: false, singleQuote: true }),
    'yaml.unmarshal': (s) => {
      try {
        return YAML.parse(str(s, 1)) ?? null;
      } catch (e) {
        throw builtinError(`yaml: ${(e as Error).message}`);
      }
    },
    'yaml.is_valid': (s) => {
      if (typeof s !== 'string') return false;
      try {
        YAML.parse(s);
        return true;
      } catch {
        return false;
      }
    },
  };
}
