import { describe, expect, it } from 'vitest';
import { call, lenient } from './helpers.ts';

const SCHEMA = `
  type Employee { id: String! salary: Int! }
  schema { query: Query }
  type Query { employeeByID(id: String): Employee }
`;

describe('graphql builtins', () => {
  it('returns gqlparser-shaped query ASTs (empty members dropped, Value kinds numbered)', () => {
    expect(call('graphql.parse_query', '{hero {name}}')).toEqual({
      Operations: [{ Name: '', Operation: 'query', SelectionSet: [{ Alias: 'hero', Name: 'hero', SelectionSet: [{ Alias: 'name', Name: 'name' }] }] }],
    });
    const ast = call('graphql.parse_query', 'query hero($episode: Episode!) { hero(episode: $episode, n: [1, "a"]) { id } }') as {
      Operations: { VariableDefinitions: unknown[]; SelectionSet: { Arguments: unknown[] }[] }[];
    };
    expect(ast.Operations[0]!.VariableDefinitions).toEqual([{ Type: { NamedType: 'Episode', NonNull: true }, Used: false, Variable: 'episode' }]);
    expect(ast.Operations[0]!.SelectionSet[0]!.Arguments).toEqual([
      { Name: 'episode', Value: { ExpectedTypeHasDefault: false, Kind: 0, Raw: 'episode' } },
      {
        Name: 'n',
        Value: {
          ExpectedTypeHasDefault: false,
          Kind: 8,
          Raw: '',
          Children: [
            { Name: '', Value: { ExpectedTypeHasDefault: false, Kind: 1, Raw: '1' } },
            { Name: '', Value: { ExpectedTypeHasDefault: false, Kind: 3, Raw: 'a' } },
          ],
        },
      },
    ]);
  });

  it('returns gqlparser-shaped schema ASTs', () => {
    expect(call('graphql.parse_schema', 'type Hello { world(things: [String]): String }')).toEqual({
      Definitions: [
        {
          BuiltIn: false,
          Description: '',
          Fields: [
            {
              Arguments: [{ Description: '', Name: 'things', Type: { Elem: { NamedType: 'String', NonNull: false }, NamedType: '', NonNull: false } }],
              Description: '',
              Name: 'world',
              Type: { NamedType: 'String', NonNull: false },
            },
          ],
          Kind: 'OBJECT',
          Name: 'Hello',
        },
      ],
    });
    expect(call('graphql.parse_schema', 'extend schema @directive')).toEqual({ SchemaExtension: [{ Description: '', Directives: [{ Location: '', Name: 'directive' }] }] });
  });

  it('validates schemas and queries as gqlparser does (no Query root required, unknown extensions allowed)', () => {
    expect(call('graphql.schema_is_valid', 'type Hello { world: String }')).toBe(true);
    expect(call('graphql.schema_is_valid', 'union Hello = | Wo | Rld |')).toBe(false);
    expect(call('graphql.schema_is_valid', 'type Hello { world: Missing }')).toBe(false);
    expect(call('graphql.is_valid', '{ entity { ... on User { id } } }', 'extend type User { id: ID! } union _Entity = User extend type Query { entity: _Entity }')).toBe(true);
    expect(call('graphql.is_valid', '{ employeeByID(id: "1") { id salary } }', SCHEMA)).toBe(true);
    expect(call('graphql.is_valid', '{ employeeByID(id: "1") { id bonus } }', SCHEMA)).toBe(false);
  });

  it('accepts previously parsed ASTs in place of text', () => {
    const schemaAst = call('graphql.parse_schema', SCHEMA);
    const queryAst = call('graphql.parse_query', '{ employeeByID(id: "1") { id } }');
    expect(call('graphql.schema_is_valid', schemaAst)).toBe(true);
    expect(call('graphql.is_valid', queryAst, schemaAst)).toBe(true);
    const [ok, q] = call('graphql.parse_and_verify', '{ employeeByID(id: "1") { id } }', SCHEMA) as [boolean, unknown];
    expect(ok).toBe(true);
    expect(q).toEqual(queryAst);
    expect(call('graphql.parse_and_verify', '{ nope }', SCHEMA)).toEqual([false, {}, {}]);
  });

  it('reports parse errors with a location, undefined when not strict', () => {
    expect(() => call('graphql.parse_query', '{__typename{...}}')).toThrow(/in GraphQL string at location 1:16/);
    expect(lenient['graphql.parse_query']!('{')).toBeUndefined();
  });
});
