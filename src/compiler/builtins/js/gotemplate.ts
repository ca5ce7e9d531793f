/** A subset of Go's text/template for `strings.render_template`. */
import { builtinError, formatNumber, isObject } from './values.ts';

/** Prints a value as Go's text/template does for Rego values. */
function templateValue(v: unknown): string {
  if (v === undefined) return '<undefined>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(templateValue).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${templateValue(v[k])}`).join(' ')}]`;
  return String(v);
}

type Scope = { dot: unknown; vars: Map<string, unknown> };

/**
 * A subset of Go's text/template, enough for `strings.render_template`:
 * `{{.a.b}}`, `{{$v}}`, `{{if x}}…{{else}}…{{end}}`, `{{range $i, $v := x}}…{{end}}`,
 * `{{range x}}…{{end}}`, with `{{- … -}}` whitespace trimming.
 */
export function renderTemplate(tpl: string, root: Record<string, unknown>): string {
  type Node =
    | { k: 'text'; s: string }
    | { k: 'expr'; e: string }
    | { k: 'if'; e: string; then: Node[]; else: Node[] }
    | { k: 'range'; e: string; iv?: string; vv?: string; body: Node[]; else: Node[] };
  const tokens: ({ t: 'text'; s: string } | { t: 'act'; s: string })[] = [];
  let i = 0;
  while (i < tpl.length) {
    const open = tpl.indexOf('{{', i);
    if (open < 0) {
      tokens.push({ t: 'text', s: tpl.slice(i) });
      break;
    }
    let text = tpl.slice(i, open);
    const close = tpl.indexOf('}}', open + 2);
    if (close < 0) throw builtinError('template: unclosed action');
    let act = tpl.slice(open + 2, close);
    if (act.startsWith('- ')) {
      text = text.replace(/\s+$/, '');
      act = act.slice(2);
    }
    let trimNext = false;
    if (act.endsWith(' -')) {
      act = act.slice(0, -2);
      trimNext = true;
    }
    tokens.push({ t: 'text', s: text }, { t: 'act', s: act.trim() });
    i = close + 2;
    if (trimNext) while (i < tpl.length && /\s/.test(tpl[i]!)) i++;
  }
  let pos = 0;
  const parse = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tok = tokens[pos++]!;
      if (tok.t === 'text') {
        if (tok.s) nodes.push({ k: 'text', s: tok.s });
        continue;
      }
      const a = tok.s;
      if (a.startsWith('/*')) continue;
      if (stopAt.includes(a)) return { nodes, stop: a };
      if (a.startsWith('if ')) {
        const then = parse(['else', 'end']);
        const els = then.stop === 'else' ? parse(['end']).nodes : [];
        nodes.push({ k: 'if', e: a.slice(3).trim(), then: then.nodes, else: els });
      } else if (a.startsWith('range ')) {
        const m = /^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?(.+)$/.exec(a);
        if (!m) throw builtinError(`template: bad range: ${a}`);
        const body = parse(['else', 'end']);
        const els = body.stop === 'else' ? parse(['end']).nodes : [];
        const node: Node = { k: 'range', e: m[3]!.trim(), body: body.nodes, else: els };
        if (m[2]) {
          node.iv = m[1];
          node.vv = m[2];
        } else if (m[1]) node.vv = m[1];
        nodes.push(node);
      } else nodes.push({ k: 'expr', e: a });
    }
    if (stopAt.length > 0) throw builtinError('template: unexpected EOF');
    return { nodes, stop: '' };
  };
  const tree = parse([]).nodes;
  const evalExpr = (e: string, sc: Scope): unknown => {
    const m = /^(\$\w*|\.)?((?:\.[\w]+)*)$/.exec(e);
    if (!m) throw builtinError(`template: unsupported action: ${e}`);
    let v: unknown = m[1] && m[1].startsWith('$') ? (m[1] === '$' ? root : sc.vars.get(m[1])) : sc.dot;
    const path = m[1] === '.' && m[2] === '' ? [] : (m[2] ?? '').split('.').filter(Boolean);
    if (m[1] === undefined && path.length === 0) throw builtinError(`template: unsupported action: ${e}`);
    for (const k of path) v = isObject(v) ? v[k] : undefined;
    return v;
  };
  const truthy = (v: unknown): boolean =>
    !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0));
  const run = (nodes: Node[], sc: Scope): string => {
    let out = '';
    for (const n of nodes) {
      if (n.k === 'text') out += n.s;
      else if (n.k === 'expr') out += templateValue(evalExpr(n.e, sc));
      else if (n.k === 'if') out += run(truthy(evalExpr(n.e, sc)) ? n.then : n.else, sc);
      else {
        const coll = evalExpr(n.e, sc);
        const entries: [unknown, unknown][] = Array.isArray(coll)
          ? coll.map((v, idx) => [idx, v])
          : isObject(coll)
            ? Object.keys(coll).sort().map((k) => [k, coll[k]])
            : [];
        if (entries.length === 0) out += run(n.else, sc);
        for (const [k, v] of entries) {
          const vars = new Map(sc.vars);
          if (n.iv) vars.set(n.iv, k);
          if (n.vv) vars.set(n.vv, v);
          out += run(n.body, { dot: v, vars });
        }
      }
    }
    return out;
  };
  return run(tree, { dot: root, vars: new Map() });
}
