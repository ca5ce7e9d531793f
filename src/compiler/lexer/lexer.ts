/**
 * Rego lexer. Produces a flat token array in one linear pass; each token records
 * whether whitespace / a newline preceded it, which the parser needs for Rego's
 * newline-separated bodies and for telling `a[x]` (ref) from `a [x]`.
 */
import { RegoError } from '../ast/errors.ts';
import type { Location } from '../ast/types.ts';

export type TokenKind =
  | 'ident' | 'number' | 'string' | 'rawstring' | 'template' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier/punctuation text, number text, or the decoded string value. */
  text: string;
  /** Template strings: alternating literal chunks and expression sources. */
  parts?: TemplatePart[];
  ws: boolean;
  nl: boolean;
  loc: Location;
  /** Comment lines directly before this token (for `# METADATA`). */
  comments?: { text: string; row: number }[];
}

export type TemplatePart = { lit: string } | { expr: string; row: number; col: number };

const PUNCT2 = new Set([':=', '==', '!=', '<=', '>=']);
const PUNCT1 = new Set(['{', '}', '[', ']', '(', ')', '.', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '|', '&']);

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Tokenise Rego source. `rowBase`/`colBase` offset locations for embedded sources. */
export function lex(src: string, file: string, rowBase = 1, colBase = 1): Token[] {
  const out: Token[] = [];
  let i = 0;
  let row = rowBase;
  let lineStart = 0;
  let firstLine = true;
  const n = src.length;
  let ws = true;
  let nl = true;
  let comments: { text: string; row: number }[] | undefined;
  const loc = (at: number): Location => ({ file, row, col: at - lineStart + (firstLine ? colBase : 1) });
  const fail = (msg: string, at: number): never => {
    throw new RegoError('rego_parse_error', msg, loc(at));
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      i++; row++; lineStart = i; firstLine = false; ws = true; nl = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) { i++; ws = true; continue; }
    if (c === 35) { // '#'
      let j = src.indexOf('\n', i);
      if (j < 0) j = n;
      (comments ??= []).push({ text: src.slice(i + 1, j), row });
      i = j; ws = true;
      continue;
    }
    const start = i;
    const l = loc(start);
    let tok: Token;
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      tok = { kind: 'ident', text: src.slice(start, i), ws, nl, loc: l };
    } else if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)) && !(out.length && !ws && isOperandEnd(out[out.length - 1]!)))) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (src.charCodeAt(i) === 46 && isDigit(src.charCodeAt(i + 1))) { i++; while (i < n && isDigit(src.charCodeAt(i))) i++; }
      const e = src.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        if (src[j] === '+' || src[j] === '-') j++;
        if (isDigit(src.charCodeAt(j))) { i = j; while (i < n && isDigit(src.charCodeAt(i))) i++; }
      }
      if (i < n && isIdentStart(src.charCodeAt(i))) fail('illegal number format', start);
      tok = { kind: 'number', text: src.slice(start, i), ws, nl, loc: l };
    } else if (c === 34) { // '"'
      const [value, end] = readString(src, i, fail);
      i = end;
      tok = { kind: 'string', text: value, ws, nl, loc: l };
    } else if (c === 96) { // '`'
      const j = src.indexOf('`', i + 1);
      if (j < 0) fail('non-terminated raw string', start);
      const text = src.slice(i + 1, j);
      for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) { row++; lineStart = i + 1 + k + 1; firstLine = false; }
      i = j + 1;
      tok = { kind: 'rawstring', text, ws, nl, loc: l };
    } else if (c === 36 && (src[i + 1] === '"' || src[i + 1] === '`')) { // '$"' template
      const res = readTemplate(src, i + 1, fail, () => row, (r, ls) => { row = r; lineStart = ls; firstLine = false; }, () => lineStart);
      i = res.end;
      tok = { kind: 'template', text: '', parts: res.parts, ws, nl, loc: l };
    } else {
      const two = src.slice(i, i + 2);
      if (PUNCT2.has(two)) { i += 2; tok = { kind: 'punct', text: two, ws, nl, loc: l }; }
      else if (PUNCT1.has(src[i]!)) { i += 1; tok = { kind: 'punct', text: src[start]!, ws, nl, loc: l }; }
      else tok = fail(`illegal token ${JSON.stringify(src[i])}`, start);
    }
    if (comments) { tok.comments = comments; comments = undefined; }
    out.push(tok);
    ws = false; nl = false;
  }
  const eof: Token = { kind: 'eof', text: '', ws: true, nl: true, loc: loc(i) };
  if (comments) eof.comments = comments;
  out.push(eof);
  return out;
}

function isOperandEnd(t: Token): boolean {
  return t.kind === 'ident' || t.kind === 'number' || t.kind === 'string' || (t.kind === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}'));
}

function readString(src: string, i: number, fail: (m: string, at: number) => never): [string, number] {
  let j = i + 1;
  let out = '';
  let chunk = j;
  for (;;) {
    if (j >= src.length) fail('non-terminated string', i);
    const c = src.charCodeAt(j);
    if (c === 34) { out += src.slice(chunk, j); return [out, j + 1]; }
    if (c === 10) fail('non-terminated string', i);
    if (c === 92) {
      out += src.slice(chunk, j);
      const [s, next] = readEscape(src, j, fail);
      out += s; j = next; chunk = j;
      continue;
    }
    j++;
  }
}

function readEscape(src: string, j: number, fail: (m: string, at: number) => never): [string, number] {
  const e = src[j + 1];
  switch (e) {
    case '"': return ['"', j + 2];
    case '\\': return ['\\', j + 2];
    case '/': return ['/', j + 2];
    case 'b': return ['\b', j + 2];
    case 'f': return ['\f', j + 2];
    case 'n': return ['\n', j + 2];
    case 'r': return ['\r', j + 2];
    case 't': return ['\t', j + 2];
    case 'u': {
      const hex = src.slice(j + 2, j + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('illegal unicode escape', j);
      let code = parseInt(hex, 16);
      let next = j + 6;
      // Surrogate pair written as two \u escapes.
      if (code >= 0xd800 && code < 0xdc00 && src[next] === '\\' && src[next + 1] === 'u') {
        const lo = parseInt(src.slice(next + 2, next + 6), 16);
        if (lo >= 0xdc00 && lo < 0xe000) { code = 0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00); next += 6; }
      }
      return [String.fromCodePoint(code), next];
    }
    default:
      return fail(`illegal escape sequence \\${e ?? ''}`, j);
  }
}

/** `$"…{expr}…"` or `` $`…{expr}…` ``: literal chunks and expression sources; `\{` escapes a brace. */
function readTemplate(
  src: string, q: number, fail: (m: string, at: number) => never,
  getRow: () => number, setRow: (r: number, lineStart: number) => void, getLineStart: () => number,
): { parts: TemplatePart[]; end: number } {
  const raw = src[q] === '`';
  const close = raw ? '`' : '"';
  const parts: TemplatePart[] = [];
  let lit = '';
  let j = q + 1;
  let row = getRow();
  let lineStart = getLineStart();
  for (;;) {
    if (j >= src.length) fail('non-terminated template string', q - 1);
    const ch = src[j]!;
    if (ch === close) { j++; break; }
    if (ch === '\n') { if (!raw) fail('non-terminated template string', q - 1); row++; lineStart = j + 1; lit += ch; j++; continue; }
    if (!raw && ch === '\\') {
      if (src[j + 1] === '{') { lit += '{'; j += 2; continue; }
      const [s, next] = readEscape(src, j, fail);
      lit += s; j = next; continue;
    }
    if (raw && ch === '\\' && src[j + 1] === '{') { lit += '{'; j += 2; continue; }
    if (ch === '{') {
      // Find the matching '}' respecting nested braces and strings.
      let depth = 1;
      let k = j + 1;
      while (k < src.length && depth > 0) {
        const d = src[k]!;
        if (d === '"') { k = readString(src, k, fail)[1]; continue; }
        if (d === '`') { const e = src.indexOf('`', k + 1); k = e < 0 ? src.length : e + 1; continue; }
        if (d === '$' && (src[k + 1] === '"' || src[k + 1] === '`')) { k = readTemplate(src, k + 1, fail, () => row, () => undefined, () => lineStart).end; continue; }
        if (d === '{') depth++;
        else if (d === '}') depth--;
        k++;
      }
      if (depth > 0) fail('non-terminated template expression', j);
      parts.push({ lit });
      lit = '';
      parts.push({ expr: src.slice(j + 1, k - 1), row, col: j + 1 - lineStart + 1 });
      j = k;
      continue;
    }
    lit += ch; j++;
  }
  parts.push({ lit });
  setRow(row, lineStart);
  return { parts, end: j };
}
