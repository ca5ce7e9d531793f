/**
 * `graphql.*` on top of the `graphql` package. OPA's results are gqlparser's
 * AST marshalled to JSON with null and empty members dropped; `toGqlparser*`
 * rebuild that shape from graphql-js nodes (Value.Kind numbering and all).
 */
import {
  type ConstDirectiveNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLSchema,
  type InputValueDefinitionNode,
  Kind,
  type SelectionNode,
  type TypeNode,
  type ValueNode,
  type VariableDefinitionNode,
  buildASTSchema,
  parse,
  validate,
  validateSchema,
} from 'graphql';
import { printAst } from './graphql-print.ts';
import { type BuiltinFn, type JsonObject, builtinError, isObject, typeError } from './values.ts';

type J = JsonObject;

/** Drops nulls, empty arrays and empty objects, as OPA does with gqlparser's JSON. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(prune).filter((x) => x !== undefined);
    return out.length === 0 ? undefined : out;
  }
  if (isObject(v)) {
    const out: J = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

function typeRef(t: TypeNode): J {
  if (t.kind === Kind.NON_NULL_TYPE) return { ...typeRef(t.type), NonNull: true };
  if (t.kind === Kind.LIST_TYPE) return { NamedType: '', Elem: typeRef(t.type), NonNull: false };
  return { NamedType: t.name.value, NonNull: false };
}

function value(v: ValueNode): J {
  const base = { ExpectedTypeHasDefault: false };
  switch (v.kind) {
    case Kind.VARIABLE:
      return { ...base, Kind: 0, Raw: v.name.value };
    case Kind.INT:
      return { ...base, Kind: 1, Raw: v.value };
    case Kind.FLOAT:
      return { ...base, Kind: 2, Raw: v.value };
    case Kind.STRING:
      return { ...base, Kind: v.block ? 4 : 3, Raw: v.value };
    case Kind.BOOLEAN:
      return { ...base, Kind: 5, Raw: String(v.value) };
    case Kind.NULL:
      return { ...base, Kind: 6, Raw: 'null' };
    case Kind.ENUM:
      return { ...base, Kind: 7, Raw: v.value };
    case Kind.LIST:
      return { ...base, Kind: 8, Raw: '', Children: v.values.map((x) => ({ Name: '', Value: value(x) })) };
    default:
      return { ...base, Kind: 9, Raw: '', Children: v.fields.map((f) => ({ Name: f.name.value, Value: value(f.value) })) };
  }
}

function directives(ds: readonly (DirectiveNode | ConstDirectiveNode)[] | undefined): J[] {
  return (ds ?? []).map((d) => ({ Name: d.name.value, Location: '', Arguments: (d.arguments ?? []).map((a) => ({ Name: a.name.value, Value: value(a.value) })) }));
}

function selections(ss: readonly SelectionNode[] | undefined): J[] {
  return (ss ?? []).map((s) => {
    if (s.kind === Kind.FIELD) {
      return {
        Alias: s.alias?.value ?? s.name.value,
        Name: s.name.value,
        Arguments: (s.arguments ?? []).map((a) => ({ Name: a.name.value, Value: value(a.value) })),
        Directives: directives(s.directives),
        SelectionSet: selections(s.selectionSet?.selections),
      };
    }
    if (s.kind === Kind.FRAGMENT_SPREAD) return { Name: s.name.value, Directives: directives(s.directives) };
    return { TypeCondition: s.typeCondition?.name.value ?? '', Directives: directives(s.directives), SelectionSet: selections(s.selectionSet.selections) };
  });
}

function variableDefs(vs: readonly VariableDefinitionNode[] | undefined): J[] {
  return (vs ?? []).map((v) => ({
    Variable: v.variable.name.value,
    Type: typeRef(v.type),
    DefaultValue: v.defaultValue ? value(v.defaultValue) : null,
    Directives: directives(v.directives),
    Used: false,
  }));
}

/** gqlparser's QueryDocument JSON for a parsed query. */
function queryAst(doc: DocumentNode): unknown {
  const ops: J[] = [];
  const frags: J[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      ops.push({ Operation: d.operation, Name: d.name?.value ?? '', VariableDefinitions: variableDefs(d.variableDefinitions), Directives: directives(d.directives), SelectionSet: selections(d.selectionSet.selections) });
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      frags.push({ Name: d.name.value, VariableDefinition: variableDefs(d.variableDefinitions), TypeCondition: d.typeCondition.name.value, Directives: directives(d.directives), SelectionSet: selections(d.selectionSet.selections) });
    } else throw builtinError(`Unexpected ${d.kind} in a query document`);
  }
  return prune({ Operations: ops, Fragments: frags }) ?? {};
}

function argDefs(as: readonly InputValueDefinitionNode[] | undefined): J[] {
  return (as ?? []).map((a) => ({
    Description: a.description?.value ?? '',
    Name: a.name.value,
    DefaultValue: a.defaultValue ? value(a.defaultValue) : null,
    Type: typeRef(a.type),
    Directives: directives(a.directives),
  }));
}

function fieldDefs(fs: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined): J[] {
  return (fs ?? []).map((f) => ({
    Description: f.description?.value ?? '',
    Name: f.name.value,
    Arguments: f.kind === Kind.FIELD_DEFINITION ? argDefs(f.arguments) : [],
    DefaultValue: f.kind === Kind.INPUT_VALUE_DEFINITION && f.defaultValue ? value(f.defaultValue) : null,
    Type: typeRef(f.type),
    Directives: directives(f.directives),
  }));
}

const DEF_KIND: Partial<Record<string, string>> = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'OBJECT', [Kind.OBJECT_TYPE_EXTENSION]: 'OBJECT',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'INTERFACE', [Kind.INTERFACE_TYPE_EXTENSION]: 'INTERFACE',
  [Kind.UNION_TYPE_DEFINITION]: 'UNION', [Kind.UNION_TYPE_EXTENSION]: 'UNION',
  [Kind.ENUM_TYPE_DEFINITION]: 'ENUM', [Kind.ENUM_TYPE_EXTENSION]: 'ENUM',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'INPUT_OBJECT', [Kind.INPUT_OBJECT_TYPE_EXTENSION]: 'INPUT_OBJECT',
  [Kind.SCALAR_TYPE_DEFINITION]: 'SCALAR', [Kind.SCALAR_TYPE_EXTENSION]: 'SCALAR',
};

function typeDefinition(d: DefinitionNode): J {
  const n = d as DefinitionNode & {
    name: { value: string };
    description?: { value: string };
    directives?: readonly ConstDirectiveNode[];
    interfaces?: readonly { name: { value: string } }[];
    fields?: readonly (FieldDefinitionNode | InputValueDefinitionNode)[];
    types?: readonly { name: { value: string } }[];
    values?: readonly { name: { value: string }; description?: { value: string }; directives?: readonly ConstDirectiveNode[] }[];
  };
  return {
    Kind: DEF_KIND[d.kind],
    Description: n.description?.value ?? '',
    Name: n.name.value,
    Directives: directives(n.directives),
    Interfaces: (n.interfaces ?? []).map((i) => i.name.value),
    Fields: fieldDefs(n.fields),
    Types: (n.types ?? []).map((t) => t.name.value),
    EnumValues: (n.values ?? []).map((v) => ({ Description: v.description?.value ?? '', Name: v.name.value, Directives: directives(v.directives) })),
    BuiltIn: false,
  };
}

/** gqlparser's SchemaDocument JSON for a parsed SDL document. */
function schemaAst(doc: DocumentNode): unknown {
  const out: Record<string, J[]> = { Schema: [], SchemaExtension: [], Directives: [], Definitions: [], Extensions: [] };
  for (const d of doc.definitions) {
    if (d.kind === Kind.SCHEMA_DEFINITION || d.kind === Kind.SCHEMA_EXTENSION) {
      const entry = {
        Description: d.kind === Kind.SCHEMA_DEFINITION ? (d.description?.value ?? '') : '',
        Directives: directives(d.directives),
        OperationTypes: (d.operationTypes ?? []).map((o) => ({ Operation: o.operation, Type: o.type.name.value })),
      };
      out[d.kind === Kind.SCHEMA_DEFINITION ? 'Schema' : 'SchemaExtension']!.push(entry);
    } else if (d.kind === Kind.DIRECTIVE_DEFINITION) {
      out.Directives!.push({ Description: d.description?.value ?? '', Name: d.name.value, Arguments: argDefs(d.arguments), Locations: d.locations.map((l) => l.value), IsRepeatable: d.repeatable });
    } else if (DEF_KIND[d.kind]) {
      out[d.kind.endsWith('Extension') ? 'Extensions' : 'Definitions']!.push(typeDefinition(d));
    } else throw builtinError(`Unexpected ${d.kind} in a schema document`);
  }
  return prune(out) ?? {};
}

function parseDoc(text: string): DocumentNode {
  // gqlparser accepts an empty document; graphql-js does not.
  if (/^(\s|,|#[^\n]*)*$/.test(text)) return { kind: Kind.DOCUMENT, definitions: [] };
  try {
    return parse(text, { allowLegacyFragmentVariables: true });
  } catch (e) {
    const err = e as { message: string; locations?: { line: number; column: number }[] };
    const loc = err.locations?.[0];
    const msg = err.message.replace(/^Syntax Error: /, '');
    throw builtinError(loc ? `${msg} in GraphQL string at location ${loc.line}:${loc.column}` : msg);
  }
}

function textArg(v: unknown, pos: number): string {
  if (typeof v === 'string') return v;
  // A previously parsed AST (gqlparser JSON) is printed back to GraphQL text.
  if (isObject(v)) return printAst(v);
  throw typeError(pos, 'one of {string, object}', v);
}

/**
 * Builds a schema the way gqlparser's LoadSchema accepts it: extensions of
 * types that were never defined become definitions.
 */
function buildSchema(doc: DocumentNode): GraphQLSchema {
  const defined = new Set<string>();
  for (const d of doc.definitions) if ('name' in d && d.name && !d.kind.endsWith('Extension')) defined.add(d.name.value);
  const defs = doc.definitions.map((d): DefinitionNode => {
    if (d.kind.endsWith('Extension') && d.kind !== Kind.SCHEMA_EXTENSION && 'name' in d && d.name && !defined.has(d.name.value)) {
      defined.add(d.name.value);
      return { ...d, kind: d.kind.replace('Extension', 'Definition') } as unknown as DefinitionNode;
    }
    return d;
  });
  const schema = buildASTSchema({ ...doc, definitions: defs } as DocumentNode);
  // gqlparser does not insist on a Query root type; everything else counts.
  const errors = validateSchema(schema).filter((e) => e.message !== 'Query root type must be provided.');
  if (errors.length > 0) throw builtinError(errors[0]!.message);
  // graphql-js caches schema validation here; record the filtered verdict so
  // `validate()` does not reject a schema without Query, as gqlparser would not.
  (schema as unknown as { __validationErrors: readonly unknown[] }).__validationErrors = [];
  return schema;
}

function schemaValid(text: string): boolean {
  try {
    buildSchema(parseDoc(text));
    return true;
  } catch {
    return false;
  }
}

function queryErrors(query: DocumentNode, schemaText: string): string[] {
  return validate(buildSchema(parseDoc(schemaText)), query).map((e) => e.message);
}

export function graphqlBuiltins(): Record<string, BuiltinFn> {
  return {
    'graphql.parse_query': (q) => queryAst(parseDoc(textArg(q, 1))),
    'graphql.parse_schema': (s) => schemaAst(parseDoc(textArg(s, 1))),
    'graphql.schema_is_valid': (s) => schemaValid(textArg(s, 1)),
    'graphql.is_valid': (q, s) => {
      try {
        return queryErrors(parseDoc(textArg(q, 1)), textArg(s, 2)).length === 0;
      } catch {
        return false;
      }
    },
    'graphql.parse': (q, s) => {
      const query = parseDoc(textArg(q, 1));
      const schemaText = textArg(s, 2);
      const errs = queryErrors(query, schemaText);
      if (errs.length > 0) throw builtinError(`${errs[0]!} in GraphQL query string`);
      return [queryAst(query), schemaAst(parseDoc(schemaText))];
    },
    'graphql.parse_and_verify': (q, s) => {
      try {
        const query = parseDoc(textArg(q, 1));
        const schemaText = textArg(s, 2);
        if (queryErrors(query, schemaText).length > 0) return [false, {}, {}];
        return [true, queryAst(query), schemaAst(parseDoc(schemaText))];
      } catch {
        return [false, {}, {}];
      }
    },
  };
}

