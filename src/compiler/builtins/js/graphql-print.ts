/** gqlparser-shaped AST JSON (as `graphql.parse_*` return it) printed back to GraphQL text. */
import { type JsonObject, isObject } from './values.ts';

type J = JsonObject;

const list = (v: unknown): J[] => (Array.isArray(v) ? v.filter(isObject) : []);
const strOf = (v: unknown): string => (typeof v === 'string' ? v : '');

function printType(t: unknown): string {
  if (!isObject(t)) return '';
  const inner = t.Elem ? `[${printType(t.Elem)}]` : strOf(t.NamedType);
  return t.NonNull ? `${inner}!` : inner;
}

function printValue(v: unknown): string {
  if (!isObject(v)) return 'null';
  const raw = strOf(v.Raw);
  switch (v.Kind) {
    case 0: return `$${raw}`;
    case 3: case 4: return JSON.stringify(raw);
    case 8: return `[${list(v.Children).map((c) => printValue(c.Value)).join(', ')}]`;
    case 9: return `{${list(v.Children).map((c) => `${strOf(c.Name)}: ${printValue(c.Value)}`).join(', ')}}`;
    default: return raw;
  }
}

function printArgs(as: unknown): string {
  const xs = list(as);
  return xs.length ? `(${xs.map((a) => `${strOf(a.Name)}: ${printValue(a.Value)}`).join(', ')})` : '';
}

function printDirectives(ds: unknown): string {
  return list(ds).map((d) => ` @${strOf(d.Name)}${printArgs(d.Arguments)}`).join('');
}

function printDesc(d: unknown): string {
  return typeof d === 'string' && d !== '' ? `${JSON.stringify(d)} ` : '';
}

function printArgDefs(as: unknown): string {
  const xs = list(as);
  if (!xs.length) return '';
  return `(${xs.map((a) => `${printDesc(a.Description)}${strOf(a.Name)}: ${printType(a.Type)}${a.DefaultValue ? ` = ${printValue(a.DefaultValue)}` : ''}${printDirectives(a.Directives)}`).join(', ')})`;
}

function printSelections(ss: unknown): string {
  const xs = list(ss);
  if (!xs.length) return '';
  return ` { ${xs
    .map((s) => {
      if (typeof s.TypeCondition === 'string' || (s.SelectionSet && !s.Name)) return `... on ${strOf(s.TypeCondition)}${printDirectives(s.Directives)}${printSelections(s.SelectionSet)}`;
      if (!('Alias' in s)) return `...${strOf(s.Name)}${printDirectives(s.Directives)}`;
      const alias = strOf(s.Alias) !== strOf(s.Name) ? `${strOf(s.Alias)}: ` : '';
      return `${alias}${strOf(s.Name)}${printArgs(s.Arguments)}${printDirectives(s.Directives)}${printSelections(s.SelectionSet)}`;
    })
    .join(' ')} }`;
}

function printVarDefs(vs: unknown): string {
  const xs = list(vs);
  return xs.length ? `(${xs.map((v) => `$${strOf(v.Variable)}: ${printType(v.Type)}${v.DefaultValue ? ` = ${printValue(v.DefaultValue)}` : ''}`).join(', ')})` : '';
}

function printTypeDef(d: J, extend: boolean): string {
  const head = `${extend ? 'extend ' : printDesc(d.Description)}`;
  const name = strOf(d.Name);
  const ifaces = list(d.Interfaces).length || (Array.isArray(d.Interfaces) && d.Interfaces.length) ? ` implements ${(d.Interfaces as string[]).join(' & ')}` : '';
  const fields = list(d.Fields);
  const body = (inner: string[]) => (inner.length ? ` { ${inner.join(' ')} }` : '');
  const fieldText = fields.map((f) => `${printDesc(f.Description)}${strOf(f.Name)}${printArgDefs(f.Arguments)}: ${printType(f.Type)}${f.DefaultValue ? ` = ${printValue(f.DefaultValue)}` : ''}${printDirectives(f.Directives)}`);
  switch (d.Kind) {
    case 'OBJECT': return `${head}type ${name}${ifaces}${printDirectives(d.Directives)}${body(fieldText)}`;
    case 'INTERFACE': return `${head}interface ${name}${ifaces}${printDirectives(d.Directives)}${body(fieldText)}`;
    case 'INPUT_OBJECT': return `${head}input ${name}${printDirectives(d.Directives)}${body(fieldText)}`;
    case 'UNION': return `${head}union ${name}${printDirectives(d.Directives)}${Array.isArray(d.Types) && d.Types.length ? ` = ${(d.Types as string[]).join(' | ')}` : ''}`;
    case 'ENUM': return `${head}enum ${name}${printDirectives(d.Directives)}${body(list(d.EnumValues).map((v) => `${printDesc(v.Description)}${strOf(v.Name)}${printDirectives(v.Directives)}`))}`;
    default: return `${head}scalar ${name}${printDirectives(d.Directives)}`;
  }
}

/** GraphQL text from gqlparser JSON (a QueryDocument or a SchemaDocument). */
export function printAst(doc: J): string {
  const out: string[] = [];
  for (const op of list(doc.Operations)) out.push(`${strOf(op.Operation) || 'query'} ${strOf(op.Name)}${printVarDefs(op.VariableDefinitions)}${printDirectives(op.Directives)}${printSelections(op.SelectionSet)}`);
  for (const f of list(doc.Fragments)) out.push(`fragment ${strOf(f.Name)} on ${strOf(f.TypeCondition)}${printDirectives(f.Directives)}${printSelections(f.SelectionSet)}`);
  for (const sd of list(doc.Schema)) out.push(`${printDesc(sd.Description)}schema${printDirectives(sd.Directives)} { ${list(sd.OperationTypes).map((o) => `${strOf(o.Operation)}: ${strOf(o.Type)}`).join(' ')} }`);
  for (const sd of list(doc.SchemaExtension)) {
    const ops = list(sd.OperationTypes);
    out.push(`extend schema${printDirectives(sd.Directives)}${ops.length ? ` { ${ops.map((o) => `${strOf(o.Operation)}: ${strOf(o.Type)}`).join(' ')} }` : ''}`);
  }
  for (const dd of list(doc.Directives)) out.push(`${printDesc(dd.Description)}directive @${strOf(dd.Name)}${printArgDefs(dd.Arguments)}${dd.IsRepeatable ? ' repeatable' : ''} on ${(Array.isArray(dd.Locations) ? (dd.Locations as string[]) : []).join(' | ')}`);
  for (const d of list(doc.Definitions)) out.push(printTypeDef(d, false));
  for (const d of list(doc.Extensions)) out.push(printTypeDef(d, true));
  return out.join('\n');
}
