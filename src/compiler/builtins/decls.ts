/**
 * The catalogue of Rego builtin declarations, in OPA's own type-declaration JSON
 * shape (the `decl` objects of `plan.static.builtin_funcs` and `capabilities.json`).
 *
 * The parser/type checker reads `builtinDecls`, `infixOperators` and
 * `operatorAliases`; the Wasm emitter asks `isNativeInWasm(name)` to decide
 * whether a call goes to the runtime or to an imported (JavaScript) builtin.
 * Entries were gathered from the conformance plans (exact OPA declarations,
 * descriptions included) and completed by hand for builtins no plan calls.
 */

/** An OPA type, as it appears in a builtin declaration. */
export type RegoType =
  | { type: 'any'; of?: RegoType[]; name?: string; description?: string }
  | { type: 'string' | 'number' | 'boolean' | 'null'; name?: string; description?: string }
  | { type: 'array'; static?: RegoType[]; dynamic?: RegoType; name?: string; description?: string }
  | { type: 'set'; of: RegoType; name?: string; description?: string }
  | {
      type: 'object';
      static?: { key: unknown; value: RegoType }[];
      dynamic?: { key: RegoType; value: RegoType };
      name?: string;
      description?: string;
    }
  | BuiltinDecl;

/** A builtin function's declaration: `{type: "function", args, result, variadic?}`. */
export interface BuiltinDecl {
  type: 'function';
  args?: RegoType[];
  result?: RegoType;
  variadic?: RegoType;
  name?: string;
  description?: string;
}

/** Every Rego builtin warden knows, keyed by its full name (`io.jwt.decode`, `plus`, …). */
export const builtinDecls: Record<string, BuiltinDecl> = {
  "abs": {"args":[{"description":"the number to take the absolute value of","name":"x","type":"number"}],"result":{"description":"the absolute value of `x`","name":"y","type":"number"},"type":"function"},
  "all": {"args":[{"of":[{"of":{"type":"any"},"type":"set"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"}],"result":{"type":"boolean"},"type":"function"},
  "and": {"args":[{"description":"the first set","name":"x","of":{"type":"any"},"type":"set"},{"description":"the second set","name":"y","of":{"type":"any"},"type":"set"}],"result":{"description":"the intersection of `x` and `y`","name":"z","of":{"type":"any"},"type":"set"},"type":"function"},
  "any": {"args":[{"of":[{"of":{"type":"any"},"type":"set"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"}],"result":{"type":"boolean"},"type":"function"},
  "array.concat": {"args":[{"description":"the first array","dynamic":{"type":"any"},"name":"x","type":"array"},{"description":"the second array","dynamic":{"type":"any"},"name":"y","type":"array"}],"result":{"description":"the concatenation of `x` and `y`","dynamic":{"type":"any"},"name":"z","type":"array"},"type":"function"},
  "array.reverse": {"args":[{"description":"the array to be reversed","dynamic":{"type":"any"},"name":"arr","type":"array"}],"result":{"description":"an array containing the elements of `arr` in reverse order","dynamic":{"type":"any"},"name":"rev","type":"array"},"type":"function"},
  "array.slice": {"args":[{"description":"the array to be sliced","dynamic":{"type":"any"},"name":"arr","type":"array"},{"description":"the start index of the returned slice; if less than zero, it's clamped to 0","name":"start","type":"number"},{"description":"the stop index of the returned slice; if larger than `count(arr)`, it's clamped to `count(arr)`","name":"stop","type":"number"}],"result":{"description":"the subslice of `array`, from `start` to `end`, including `arr[start]`, but excluding `arr[end]`","dynamic":{"type":"any"},"name":"slice","type":"array"},"type":"function"},
  "assign": {"args":[{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"},
  "base64.decode": {"args":[{"description":"string to decode","name":"x","type":"string"}],"result":{"description":"base64 deserialization of `x`","name":"y","type":"string"},"type":"function"},
  "base64.encode": {"args":[{"description":"string to encode","name":"x","type":"string"}],"result":{"description":"base64 serialization of `x`","name":"y","type":"string"},"type":"function"},
  "base64.is_valid": {"args":[{"description":"string to check","name":"x","type":"string"}],"result":{"description":"`true` if `x` is valid base64 encoded value, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "base64url.decode": {"args":[{"description":"string to decode","name":"x","type":"string"}],"result":{"description":"base64url deserialization of `x`","name":"y","type":"string"},"type":"function"},
  "base64url.encode": {"args":[{"type":"string"}],"result":{"type":"string"},"type":"function"},
  "base64url.encode_no_pad": {"args":[{"description":"string to encode","name":"x","type":"string"}],"result":{"description":"base64url serialization of `x`","name":"y","type":"string"},"type":"function"},
  "bits.and": {"args":[{"description":"the first integer","name":"x","type":"number"},{"description":"the second integer","name":"y","type":"number"}],"result":{"description":"the bitwise AND of `x` and `y`","name":"z","type":"number"},"type":"function"},
  "bits.lsh": {"args":[{"description":"the integer to shift","name":"x","type":"number"},{"description":"the number of bits to shift","name":"s","type":"number"}],"result":{"description":"the result of shifting `x` `s` bits to the left","name":"z","type":"number"},"type":"function"},
  "bits.negate": {"args":[{"description":"the integer to negate","name":"x","type":"number"}],"result":{"description":"the bitwise negation of `x`","name":"z","type":"number"},"type":"function"},
  "bits.or": {"args":[{"description":"the first integer","name":"x","type":"number"},{"description":"the second integer","name":"y","type":"number"}],"result":{"description":"the bitwise OR of `x` and `y`","name":"z","type":"number"},"type":"function"},
  "bits.rsh": {"args":[{"description":"the integer to shift","name":"x","type":"number"},{"description":"the number of bits to shift","name":"s","type":"number"}],"result":{"description":"the result of shifting `x` `s` bits to the right","name":"z","type":"number"},"type":"function"},
  "bits.xor": {"args":[{"description":"the first integer","name":"x","type":"number"},{"description":"the second integer","name":"y","type":"number"}],"result":{"description":"the bitwise XOR of `x` and `y`","name":"z","type":"number"},"type":"function"},
  "cast_array": {"type":"function","args":[{"type":"any"}],"result":{"type":"array","dynamic":{"type":"any"}}},
  "cast_boolean": {"type":"function","args":[{"type":"any"}],"result":{"type":"boolean"}},
  "cast_null": {"type":"function","args":[{"type":"any"}],"result":{"type":"null"}},
  "cast_object": {"type":"function","args":[{"type":"any"}],"result":{"type":"object","dynamic":{"key":{"type":"any"},"value":{"type":"any"}}}},
  "cast_set": {"type":"function","args":[{"type":"any"}],"result":{"type":"set","of":{"type":"any"}}},
  "cast_string": {"type":"function","args":[{"type":"any"}],"result":{"type":"string"}},
  "ceil": {"args":[{"description":"the number to round","name":"x","type":"number"}],"result":{"description":"the result of rounding `x` _up_","name":"y","type":"number"},"type":"function"},
  "concat": {"args":[{"description":"string to use as a delimiter","name":"delimiter","type":"string"},{"description":"strings to join","name":"collection","of":[{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"description":"the joined string","name":"output","type":"string"},"type":"function"},
  "contains": {"args":[{"description":"string to search in","name":"haystack","type":"string"},{"description":"substring to look for","name":"needle","type":"string"}],"result":{"description":"result of the containment check","name":"result","type":"boolean"},"type":"function"},
  "count": {"args":[{"description":"the set/array/object/string to be counted","name":"collection","of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"the count of elements, key/val pairs, or characters, respectively.","name":"n","type":"number"},"type":"function"},
  "crypto.hmac.equal": {"args":[{"description":"mac1 to compare","name":"mac1","type":"string"},{"description":"mac2 to compare","name":"mac2","type":"string"}],"result":{"description":"`true` if the MACs are equals, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "crypto.hmac.md5": {"args":[{"description":"input string","name":"x","type":"string"},{"description":"key to use","name":"key","type":"string"}],"result":{"description":"MD5-HMAC of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.hmac.sha1": {"args":[{"description":"input string","name":"x","type":"string"},{"description":"key to use","name":"key","type":"string"}],"result":{"description":"SHA1-HMAC of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.hmac.sha256": {"args":[{"description":"input string","name":"x","type":"string"},{"description":"key to use","name":"key","type":"string"}],"result":{"description":"SHA256-HMAC of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.hmac.sha512": {"args":[{"description":"input string","name":"x","type":"string"},{"description":"key to use","name":"key","type":"string"}],"result":{"description":"SHA512-HMAC of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.md5": {"args":[{"description":"input string","name":"x","type":"string"}],"result":{"description":"MD5-hash of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.parse_private_keys": {"args":[{"description":"PEM encoded data containing one or more private keys as concatenated blocks. Optionally Base64 encoded.","name":"keys","type":"string"}],"result":{"description":"parsed private keys represented as objects","dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"name":"output","type":"array"},"type":"function"},
  "crypto.sha1": {"args":[{"description":"input string","name":"x","type":"string"}],"result":{"description":"SHA1-hash of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.sha256": {"args":[{"description":"input string","name":"x","type":"string"}],"result":{"description":"SHA256-hash of `x`","name":"y","type":"string"},"type":"function"},
  "crypto.x509.parse_and_verify_certificates": {"args":[{"description":"base64 encoded DER or PEM data containing two or more certificates where the first is a root CA, the last is a leaf certificate, and all others are intermediate CAs","name":"certs","type":"string"}],"result":{"description":"array of `[valid, certs]`: if the input certificate chain could be verified then `valid` is `true` and `certs` is an array of X.509 certificates represented as objects; if the input certificate chain could not be verified then `valid` is `false` and `certs` is `[]`","name":"output","static":[{"type":"boolean"},{"dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"type":"array"}],"type":"array"},"type":"function"},
  "crypto.x509.parse_and_verify_certificates_with_options": {"type":"function","args":[{"name":"certs","type":"string"},{"name":"options","type":"object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}}}],"result":{"name":"output","type":"array","static":[{"type":"boolean"},{"type":"array","dynamic":{"type":"object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}}}}]}},
  "crypto.x509.parse_certificate_request": {"args":[{"description":"base64 string containing either a PEM encoded or DER CSR or a string containing a PEM CSR","name":"csr","type":"string"}],"result":{"description":"X.509 CSR represented as an object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "crypto.x509.parse_certificates": {"args":[{"description":"base64 encoded DER or PEM data containing one or more certificates or a PEM string of one or more certificates","name":"certs","type":"string"}],"result":{"description":"parsed X.509 certificates represented as objects","dynamic":{"dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"type":"object"},"name":"output","type":"array"},"type":"function"},
  "crypto.x509.parse_keypair": {"args":[{"description":"string containing PEM or base64 encoded DER certificates","name":"cert","type":"string"},{"description":"string containing PEM or base64 encoded DER keys","name":"pem","type":"string"}],"result":{"description":"if key pair is valid, returns the tls.certificate(https://pkg.go.dev/crypto/tls#Certificate) as an object. If the key pair is invalid, nil and an error are returned.","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "crypto.x509.parse_rsa_private_key": {"args":[{"description":"base64 string containing a PEM encoded RSA private key","name":"pem","type":"string"}],"result":{"description":"JWK as an object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "div": {"args":[{"description":"the dividend","name":"x","type":"number"},{"description":"the divisor","name":"y","type":"number"}],"result":{"description":"the result of `x` divided by `y`","name":"z","type":"number"},"type":"function"},
  "endswith": {"args":[{"type":"string"},{"type":"string"}],"result":{"type":"boolean"},"type":"function"},
  "eq": {"args":[{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"},
  "equal": {"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"description":"true if `x` is equal to `y`; false otherwise","name":"result","type":"boolean"},"type":"function"},
  "floor": {"args":[{"description":"the number to round","name":"x","type":"number"}],"result":{"description":"the result of rounding `x` _down_","name":"y","type":"number"},"type":"function"},
  "format_int": {"args":[{"description":"number to format","name":"number","type":"number"},{"description":"base of number representation to use","name":"base","type":"number"}],"result":{"description":"formatted number","name":"output","type":"string"},"type":"function"},
  "glob.match": {"args":[{"description":"glob pattern","name":"pattern","type":"string"},{"description":"glob pattern delimiters, e.g. `[\".\", \":\"]`, defaults to `[\".\"]` if unset. If `delimiters` is `null`, glob match without delimiter.","name":"delimiters","of":[{"type":"null"},{"dynamic":{"type":"string"},"type":"array"}],"type":"any"},{"description":"string to match against `pattern`","name":"match","type":"string"}],"result":{"description":"true if `match` can be found in `pattern` which is separated by `delimiters`","name":"result","type":"boolean"},"type":"function"},
  "glob.quote_meta": {"args":[{"description":"glob pattern","name":"pattern","type":"string"}],"result":{"description":"the escaped string of `pattern`","name":"output","type":"string"},"type":"function"},
  "graph.reachable": {"args":[{"description":"object containing a set or array of neighboring vertices","dynamic":{"key":{"type":"any"},"value":{"of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}},"name":"graph","type":"object"},{"description":"set or array of root vertices","name":"initial","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"set of vertices reachable from the `initial` vertices in the directed `graph`","name":"output","of":{"type":"any"},"type":"set"},"type":"function"},
  "graph.reachable_paths": {"args":[{"description":"object containing a set or array of root vertices","dynamic":{"key":{"type":"any"},"value":{"of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}},"name":"graph","type":"object"},{"description":"initial paths","name":"initial","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"paths reachable from the `initial` vertices in the directed `graph`","name":"output","of":{"dynamic":{"type":"any"},"type":"array"},"type":"set"},"type":"function"},
  "graphql.is_valid": {"args":[{"description":"the GraphQL query","name":"query","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"description":"the GraphQL schema","name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"description":"`true` if the query is valid under the given schema. `false` otherwise.","name":"output","type":"boolean"},"type":"function"},
  "graphql.parse": {"args":[{"description":"the GraphQL query","name":"query","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"description":"the GraphQL schema","name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"description":"`output` is of the form `[query_ast, schema_ast]`. If the GraphQL query is valid given the provided schema, then `query_ast` and `schema_ast` are objects describing the ASTs for the query and schema.","name":"output","static":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"array"},"type":"function"},
  "graphql.parse_and_verify": {"args":[{"description":"the GraphQL query","name":"query","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"description":"the GraphQL schema","name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"description":" `output` is of the form `[valid, query_ast, schema_ast]`. If the query is valid given the provided schema, then `valid` is `true`, and `query_ast` and `schema_ast` are objects describing the ASTs for the GraphQL query and schema. Otherwise, `valid` is `false` and `query_ast` and `schema_ast` are `{}`.","name":"output","static":[{"type":"boolean"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"array"},"type":"function"},
  "graphql.parse_query": {"args":[{"description":"GraphQL query string","name":"query","type":"string"}],"result":{"description":"AST object for the GraphQL query.","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "graphql.parse_schema": {"args":[{"description":"GraphQL schema string","name":"schema","type":"string"}],"result":{"description":"AST object for the GraphQL schema.","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "graphql.schema_is_valid": {"args":[{"description":"the schema to verify","name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"description":"`true` if the schema is a valid GraphQL schema. `false` otherwise.","name":"output","type":"boolean"},"type":"function"},
  "gt": {"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"description":"true if `x` is greater than `y`; false otherwise","name":"result","type":"boolean"},"type":"function"},
  "gte": {"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"description":"true if `x` is greater or equal to `y`; false otherwise","name":"result","type":"boolean"},"type":"function"},
  "hex.decode": {"args":[{"description":"a hex-encoded string","name":"x","type":"string"}],"result":{"description":"deserialized from `x`","name":"y","type":"string"},"type":"function"},
  "hex.encode": {"args":[{"description":"string to encode","name":"x","type":"string"}],"result":{"description":"serialization of `x` using hex-encoding","name":"y","type":"string"},"type":"function"},
  "http.send": {"args":[{"description":"the HTTP request object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"request","type":"object"}],"result":{"description":"the HTTP response object","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"response","type":"object"},"type":"function"},
  "indexof": {"args":[{"description":"string to search in","name":"haystack","type":"string"},{"description":"substring to look for","name":"needle","type":"string"}],"result":{"description":"index of first occurrence, `-1` if not found","name":"output","type":"number"},"type":"function"},
  "indexof_n": {"args":[{"description":"string to search in","name":"haystack","type":"string"},{"description":"substring to look for","name":"needle","type":"string"}],"result":{"description":"all indices at which `needle` occurs in `haystack`, may be empty","dynamic":{"type":"number"},"name":"output","type":"array"},"type":"function"},
  "internal.member_2": {"args":[{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"},
  "internal.member_3": {"args":[{"type":"any"},{"type":"any"},{"type":"any"}],"result":{"type":"boolean"},"type":"function"},
  "internal.print": {"type":"function","args":[{"type":"array","dynamic":{"type":"set","of":{"type":"any"}}}]},
  "internal.template_string": {"args":[{"dynamic":{"type":"any"},"type":"array"}],"result":{"type":"string"},"type":"function"},
  "intersection": {"args":[{"description":"set of sets to intersect","name":"xs","of":{"of":{"type":"any"},"type":"set"},"type":"set"}],"result":{"description":"the intersection of all `xs` sets","name":"y","of":{"type":"any"},"type":"set"},"type":"function"},
  "io.jwt.decode": {"args":[{"description":"JWT token to decode","name":"jwt","type":"string"}],"result":{"description":"`[header, payload, sig]`, where `header` and `payload` are objects; `sig` is the hexadecimal representation of the signature on the token.","name":"output","static":[{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"type":"string"}],"type":"array"},"type":"function"},
  "io.jwt.decode_verify": {"args":[{"description":"JWT token whose signature is to be verified and whose claims are to be checked","name":"jwt","type":"string"},{"description":"claim verification constraints","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"constraints","type":"object"}],"result":{"description":"`[valid, header, payload]`:  if the input token is verified and meets the requirements of `constraints` then `valid` is `true`; `header` and `payload` are objects containing the JOSE header and the JWT claim set; otherwise, `valid` is `false`, `header` and `payload` are `{}`","name":"output","static":[{"type":"boolean"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"array"},"type":"function"},
  "io.jwt.encode_sign": {"args":[{"description":"JWS Protected Header","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"headers","type":"object"},{"description":"JWS Payload","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"payload","type":"object"},{"description":"JSON Web Key (RFC7517)","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"key","type":"object"}],"result":{"description":"signed JWT","name":"output","type":"string"},"type":"function"},
  "io.jwt.encode_sign_raw": {"args":[{"description":"JWS Protected Header","name":"headers","type":"string"},{"description":"JWS Payload","name":"payload","type":"string"},{"description":"JSON Web Key (RFC7517)","name":"key","type":"string"}],"result":{"description":"signed JWT","name":"output","type":"string"},"type":"function"},
  "io.jwt.verify_eddsa": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_es256": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_es384": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_es512": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_hs256": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"plain text secret used to verify the signature","name":"secret","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_hs384": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"plain text secret used to verify the signature","name":"secret","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_hs512": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"plain text secret used to verify the signature","name":"secret","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_ps256": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_ps384": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_ps512": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_rs256": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_rs384": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "io.jwt.verify_rs512": {"args":[{"description":"JWT token whose signature is to be verified","name":"jwt","type":"string"},{"description":"PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature","name":"certificate","type":"string"}],"result":{"description":"`true` if the signature is valid, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "is_array": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is an array, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "is_boolean": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is an boolean, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "is_null": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is null, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "is_number": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is a number, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "is_object": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is an object, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "is_set": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is a set, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "is_string": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"`true` if `x` is a string, `false` otherwise.","name":"result","type":"boolean"},"type":"function"},
  "json.filter": {"args":[{"description":"object to filter","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"description":"JSON string paths","name":"paths","of":[{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"remaining data from `object` with only keys specified in `paths`","name":"filtered","type":"any"},"type":"function"},
  "json.is_valid": {"args":[{"description":"a JSON string","name":"x","type":"string"}],"result":{"description":"`true` if `x` is valid JSON, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "json.marshal": {"args":[{"description":"the term to serialize","name":"x","type":"any"}],"result":{"description":"the JSON string representation of `x`","name":"y","type":"string"},"type":"function"},
  "json.marshal_with_options": {"args":[{"description":"the term to serialize","name":"x","type":"any"},{"description":"encoding options","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"opts","static":[{"key":"indent","value":{"type":"string"}},{"key":"prefix","value":{"type":"string"}},{"key":"pretty","value":{"type":"boolean"}}],"type":"object"}],"result":{"description":"the JSON string representation of `x`, with configured prefix/indent string(s) as appropriate","name":"y","type":"string"},"type":"function"},
  "json.match_schema": {"args":[{"description":"document to verify by schema","name":"document","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"},{"description":"schema to verify document by","name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"description":"`output` is of the form `[match, errors]`. If the document is valid given the schema, then `match` is `true`, and `errors` is an empty array. Otherwise, `match` is `false` and `errors` is an array of objects describing the error(s).","name":"output","static":[{"type":"boolean"},{"dynamic":{"static":[{"key":"desc","value":{"type":"string"}},{"key":"error","value":{"type":"string"}},{"key":"field","value":{"type":"string"}},{"key":"type","value":{"type":"string"}}],"type":"object"},"type":"array"}],"type":"array"},"type":"function"},
  "json.patch": {"args":[{"description":"the object, array or set to patch","name":"target","type":"any"},{"description":"the JSON patches to apply","dynamic":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"static":[{"key":"op","value":{"type":"string"}},{"key":"path","value":{"type":"any"}}],"type":"object"},"name":"patches","type":"array"}],"result":{"description":"result obtained after consecutively applying all patch operations in `patches`","name":"output","type":"any"},"type":"function"},
  "json.remove": {"args":[{"description":"object to remove paths from","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"description":"JSON string paths","name":"paths","of":[{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"result of removing all keys specified in `paths`","name":"output","type":"any"},"type":"function"},
  "json.unmarshal": {"args":[{"description":"a JSON string","name":"x","type":"string"}],"result":{"description":"the term deserialized from `x`","name":"y","type":"any"},"type":"function"},
  "json.verify_schema": {"args":[{"description":"the schema to verify","name":"schema","of":[{"type":"string"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"}],"type":"any"}],"result":{"description":"`output` is of the form `[valid, error]`. If the schema is valid, then `valid` is `true`, and `error` is `null`. Otherwise, `valid` is `false` and `error` is a string describing the error.","name":"output","static":[{"type":"boolean"},{"of":[{"type":"null"},{"type":"string"}],"type":"any"}],"type":"array"},"type":"function"},
  "lower": {"args":[{"type":"string"}],"result":{"type":"string"},"type":"function"},
  "lt": {"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"description":"true if `x` is less than `y`; false otherwise","name":"result","type":"boolean"},"type":"function"},
  "lte": {"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"description":"true if `x` is less than or equal to `y`; false otherwise","name":"result","type":"boolean"},"type":"function"},
  "max": {"args":[{"description":"the set or array to be searched","name":"collection","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"the maximum of all elements","name":"n","type":"any"},"type":"function"},
  "min": {"args":[{"description":"the set or array to be searched","name":"collection","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"the minimum of all elements","name":"n","type":"any"},"type":"function"},
  "minus": {"args":[{"name":"x","of":[{"type":"number"},{"of":{"type":"any"},"type":"set"}],"type":"any"},{"name":"y","of":[{"type":"number"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"the difference of `x` and `y`","name":"z","of":[{"type":"number"},{"of":{"type":"any"},"type":"set"}],"type":"any"},"type":"function"},
  "mul": {"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"description":"the product of `x` and `y`","name":"z","type":"number"},"type":"function"},
  "neq": {"args":[{"name":"x","type":"any"},{"name":"y","type":"any"}],"result":{"description":"true if `x` is not equal to `y`; false otherwise","name":"result","type":"boolean"},"type":"function"},
  "net.cidr_contains": {"args":[{"description":"CIDR to check against","name":"cidr","type":"string"},{"description":"CIDR or IP to check","name":"cidr_or_ip","type":"string"}],"result":{"description":"`true` if `cidr_or_ip` is contained within `cidr`","name":"result","type":"boolean"},"type":"function"},
  "net.cidr_contains_matches": {"args":[{"description":"CIDRs to check against","name":"cidrs","of":[{"type":"string"},{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"string"},"value":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"}},"type":"object"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"},{"description":"CIDRs or IPs to check","name":"cidrs_or_ips","of":[{"type":"string"},{"dynamic":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"string"},"value":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"}},"type":"object"},{"of":{"of":[{"type":"string"},{"dynamic":{"type":"any"},"type":"array"}],"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"tuples identifying matches where `cidrs_or_ips` are contained within `cidrs`","name":"output","of":{"static":[{"type":"any"},{"type":"any"}],"type":"array"},"type":"set"},"type":"function"},
  "net.cidr_expand": {"args":[{"description":"CIDR to expand","name":"cidr","type":"string"}],"result":{"description":"set of IP addresses the CIDR `cidr` expands to","name":"hosts","of":{"type":"string"},"type":"set"},"type":"function"},
  "net.cidr_intersects": {"args":[{"description":"first CIDR","name":"cidr1","type":"string"},{"description":"second CIDR","name":"cidr2","type":"string"}],"result":{"description":"`true` if `cidr1` intersects with `cidr2`","name":"result","type":"boolean"},"type":"function"},
  "net.cidr_is_valid": {"args":[{"description":"CIDR to validate","name":"cidr","type":"string"}],"result":{"description":"`true` if `cidr` is a valid CIDR","name":"result","type":"boolean"},"type":"function"},
  "net.cidr_merge": {"args":[{"description":"CIDRs or IP addresses","name":"addrs","of":[{"dynamic":{"of":[{"type":"string"}],"type":"any"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"description":"smallest possible set of CIDRs obtained after merging the provided list of IP addresses and subnets in `addrs`","name":"output","of":{"type":"string"},"type":"set"},"type":"function"},
  "net.cidr_overlap": {"type":"function","args":[{"name":"cidr","type":"string"},{"name":"ip","type":"string"}],"result":{"name":"result","type":"boolean"}},
  "net.lookup_ip_addr": {"args":[{"description":"domain name to resolve","name":"name","type":"string"}],"result":{"description":"IP addresses (v4 and v6) that `name` resolves to","name":"addrs","of":{"type":"string"},"type":"set"},"type":"function"},
  "numbers.range": {"args":[{"description":"the start of the range","name":"a","type":"number"},{"description":"the end of the range (inclusive)","name":"b","type":"number"}],"result":{"description":"the range between `a` and `b`","dynamic":{"type":"number"},"name":"range","type":"array"},"type":"function"},
  "numbers.range_step": {"args":[{"description":"the start of the range","name":"a","type":"number"},{"description":"the end of the range (inclusive)","name":"b","type":"number"},{"description":"the step between numbers in the range","name":"step","type":"number"}],"result":{"description":"the range between `a` and `b` in `step` increments","dynamic":{"type":"number"},"name":"range","type":"array"},"type":"function"},
  "object.filter": {"args":[{"description":"object to filter keys","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"description":"keys to keep in `object`","name":"keys","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"remaining data from `object` with only keys specified in `keys`","name":"filtered","type":"any"},"type":"function"},
  "object.get": {"args":[{"description":"object to get `key` from","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"description":"key to lookup in `object`","name":"key","type":"any"},{"description":"default to use when lookup fails","name":"default","type":"any"}],"result":{"description":"`object[key]` if present, otherwise `default`","name":"value","type":"any"},"type":"function"},
  "object.keys": {"args":[{"description":"object to get keys from","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"}],"result":{"description":"set of `object`'s keys","name":"value","of":{"type":"any"},"type":"set"},"type":"function"},
  "object.remove": {"args":[{"description":"object to remove keys from","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"object","type":"object"},{"description":"keys to remove from x","name":"keys","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"result of removing the specified `keys` from `object`","name":"output","type":"any"},"type":"function"},
  "object.subset": {"args":[{"description":"object to test if sub is a subset of","name":"super","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"},{"description":"object to test if super is a superset of","name":"sub","of":[{"dynamic":{"type":"any"},"type":"array"},{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"`true` if `sub` is a subset of `super`","name":"result","type":"any"},"type":"function"},
  "object.union": {"args":[{"description":"left-hand object","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"a","type":"object"},{"description":"right-hand object","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"b","type":"object"}],"result":{"description":"a new object which is the result of an asymmetric recursive union of two objects where conflicts are resolved by choosing the key from the right-hand object `b`","name":"output","type":"any"},"type":"function"},
  "object.union_n": {"args":[{"description":"list of objects to merge","dynamic":{"dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"type":"object"},"name":"objects","type":"array"}],"result":{"description":"asymmetric recursive union of all objects in `objects`, merged from left to right, where conflicts are resolved by choosing the key from the right-hand object","name":"output","type":"any"},"type":"function"},
  "opa.runtime": {"result":{"description":"includes a `config` key if OPA was started with a configuration file; an `env` key containing the environment variables that the OPA process was started with; includes `version` and `commit` keys containing the version and build commit of OPA.","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "or": {"args":[{"name":"x","of":{"type":"any"},"type":"set"},{"name":"y","of":{"type":"any"},"type":"set"}],"result":{"description":"the union of `x` and `y`","name":"z","of":{"type":"any"},"type":"set"},"type":"function"},
  "plus": {"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"description":"the sum of `x` and `y`","name":"z","type":"number"},"type":"function"},
  "print": {"type":"function","variadic":{"type":"any"}},
  "product": {"args":[{"description":"the set or array of numbers to multiply","name":"collection","of":[{"dynamic":{"type":"number"},"type":"array"},{"of":{"type":"number"},"type":"set"}],"type":"any"}],"result":{"description":"the product of all elements","name":"n","type":"number"},"type":"function"},
  "providers.aws.sign_req": {"args":[{"description":"HTTP request object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"request","type":"object"},{"description":"AWS configuration object","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"aws_config","type":"object"},{"description":"nanoseconds since the epoch","name":"time_ns","type":"number"}],"result":{"description":"HTTP request object with `Authorization` header","dynamic":{"key":{"type":"any"},"value":{"type":"any"}},"name":"signed_request","type":"object"},"type":"function"},
  "rand.intn": {"args":[{"description":"seed string for the random number","name":"str","type":"string"},{"description":"upper bound of the random number (exclusive)","name":"n","type":"number"}],"result":{"description":"random integer in the range `[0, abs(n))`","name":"y","type":"number"},"type":"function"},
  "re_match": {"args":[{"type":"string"},{"type":"string"}],"result":{"type":"boolean"},"type":"function"},
  "regex.find_all_string_submatch_n": {"args":[{"description":"regular expression","name":"pattern","type":"string"},{"description":"string to match","name":"value","type":"string"},{"description":"number of matches to return; `-1` means all matches","name":"number","type":"number"}],"result":{"description":"array of all matches","dynamic":{"dynamic":{"type":"string"},"type":"array"},"name":"output","type":"array"},"type":"function"},
  "regex.find_n": {"args":[{"description":"regular expression","name":"pattern","type":"string"},{"description":"string to match","name":"value","type":"string"},{"description":"number of matches to return, if `-1`, returns all matches","name":"number","type":"number"}],"result":{"description":"collected matches","dynamic":{"type":"string"},"name":"output","type":"array"},"type":"function"},
  "regex.globs_match": {"args":[{"description":"first glob-style regular expression","name":"glob1","type":"string"},{"description":"second glob-style regular expression","name":"glob2","type":"string"}],"result":{"description":"true if the intersection of `glob1` and `glob2` matches a non-empty set of non-empty strings","name":"result","type":"boolean"},"type":"function"},
  "regex.is_valid": {"args":[{"description":"regular expression","name":"pattern","type":"string"}],"result":{"description":"true if `pattern` is a valid regular expression","name":"result","type":"boolean"},"type":"function"},
  "regex.match": {"args":[{"description":"regular expression","name":"pattern","type":"string"},{"description":"value to match against `pattern`","name":"value","type":"string"}],"result":{"description":"true if `value` matches `pattern`","name":"result","type":"boolean"},"type":"function"},
  "regex.replace": {"args":[{"description":"string being processed","name":"s","type":"string"},{"description":"regex pattern to be applied","name":"pattern","type":"string"},{"description":"regex value","name":"value","type":"string"}],"result":{"description":"string with replaced substrings","name":"output","type":"string"},"type":"function"},
  "regex.split": {"args":[{"description":"regular expression","name":"pattern","type":"string"},{"description":"string to match","name":"value","type":"string"}],"result":{"description":"the parts obtained by splitting `value`","dynamic":{"type":"string"},"name":"output","type":"array"},"type":"function"},
  "regex.template_match": {"args":[{"description":"template expression containing `0..n` regular expressions","name":"template","type":"string"},{"description":"string to match","name":"value","type":"string"},{"description":"start delimiter of the regular expression in `template`","name":"delimiter_start","type":"string"},{"description":"end delimiter of the regular expression in `template`","name":"delimiter_end","type":"string"}],"result":{"description":"true if `value` matches the `template`","name":"result","type":"boolean"},"type":"function"},
  "rego.metadata.chain": {"type":"function","args":[],"result":{"name":"chain","type":"array","dynamic":{"type":"any"}}},
  "rego.metadata.rule": {"type":"function","args":[],"result":{"name":"output","type":"any"}},
  "rego.parse_module": {"args":[{"description":"file name to attach to AST nodes' locations","name":"filename","type":"string"},{"description":"Rego module","name":"rego","type":"string"}],"result":{"description":"AST object for the Rego module","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"output","type":"object"},"type":"function"},
  "rem": {"args":[{"name":"x","type":"number"},{"name":"y","type":"number"}],"result":{"description":"the remainder","name":"z","type":"number"},"type":"function"},
  "replace": {"args":[{"description":"string being processed","name":"x","type":"string"},{"description":"substring to replace","name":"old","type":"string"},{"description":"string to replace `old` with","name":"new","type":"string"}],"result":{"description":"string with replaced substrings","name":"y","type":"string"},"type":"function"},
  "round": {"args":[{"description":"the number to round","name":"x","type":"number"}],"result":{"description":"the result of rounding `x`","name":"y","type":"number"},"type":"function"},
  "semver.compare": {"args":[{"description":"first version string","name":"a","type":"string"},{"description":"second version string","name":"b","type":"string"}],"result":{"description":"`-1` if `a < b`; `1` if `a > b`; `0` if `a == b`","name":"result","type":"number"},"type":"function"},
  "semver.is_valid": {"args":[{"description":"input to validate","name":"vsn","type":"any"}],"result":{"description":"`true` if `vsn` is a valid SemVer; `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "set_diff": {"args":[{"of":{"type":"any"},"type":"set"},{"of":{"type":"any"},"type":"set"}],"result":{"of":{"type":"any"},"type":"set"},"type":"function"},
  "sort": {"args":[{"description":"the array or set to be sorted","name":"collection","of":[{"dynamic":{"type":"any"},"type":"array"},{"of":{"type":"any"},"type":"set"}],"type":"any"}],"result":{"description":"the sorted array","dynamic":{"type":"any"},"name":"n","type":"array"},"type":"function"},
  "split": {"args":[{"description":"string that is split","name":"x","type":"string"},{"description":"delimiter used for splitting","name":"delimiter","type":"string"}],"result":{"description":"split parts","dynamic":{"type":"string"},"name":"ys","type":"array"},"type":"function"},
  "sprintf": {"args":[{"description":"string with formatting verbs","name":"format","type":"string"},{"description":"arguments to format into formatting verbs","dynamic":{"type":"any"},"name":"values","type":"array"}],"result":{"description":"`format` formatted by the values in `values`","name":"output","type":"string"},"type":"function"},
  "startswith": {"args":[{"description":"search string","name":"search","type":"string"},{"description":"base string","name":"base","type":"string"}],"result":{"description":"result of the prefix check","name":"result","type":"boolean"},"type":"function"},
  "strings.any_prefix_match": {"args":[{"description":"search string(s)","name":"search","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"},{"description":"base string(s)","name":"base","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"description":"result of the prefix check","name":"result","type":"boolean"},"type":"function"},
  "strings.any_suffix_match": {"args":[{"description":"search string(s)","name":"search","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"},{"description":"base string(s)","name":"base","of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}],"result":{"description":"result of the suffix check","name":"result","type":"boolean"},"type":"function"},
  "strings.count": {"args":[{"description":"string to search in","name":"search","type":"string"},{"description":"substring to look for","name":"substring","type":"string"}],"result":{"description":"count of occurrences, `0` if not found","name":"output","type":"number"},"type":"function"},
  "strings.render_template": {"args":[{"description":"a templated string","name":"value","type":"string"},{"description":"a mapping of template variable keys to values","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"vars","type":"object"}],"result":{"description":"rendered template with template variables injected","name":"result","type":"string"},"type":"function"},
  "strings.replace_n": {"args":[{"description":"replacement pairs","dynamic":{"key":{"type":"string"},"value":{"type":"string"}},"name":"patterns","type":"object"},{"description":"string to replace substring matches in","name":"value","type":"string"}],"result":{"description":"string with replaced substrings","name":"output","type":"string"},"type":"function"},
  "strings.reverse": {"args":[{"description":"string to reverse","name":"x","type":"string"}],"result":{"description":"reversed string","name":"y","type":"string"},"type":"function"},
  "substring": {"args":[{"description":"string to extract substring from","name":"value","type":"string"},{"description":"offset, must be positive","name":"offset","type":"number"},{"description":"length of the substring starting from `offset`","name":"length","type":"number"}],"result":{"description":"substring of `value` from `offset`, of length `length`","name":"output","type":"string"},"type":"function"},
  "sum": {"args":[{"description":"the set or array of numbers to sum","name":"collection","of":[{"dynamic":{"type":"number"},"type":"array"},{"of":{"type":"number"},"type":"set"}],"type":"any"}],"result":{"description":"the sum of all elements","name":"n","type":"number"},"type":"function"},
  "test.sleep": {"args":[{"type":"string"}],"result":{"type":"null"},"type":"function"},
  "time.add_date": {"args":[{"description":"nanoseconds since the epoch","name":"ns","type":"number"},{"description":"number of years to add","name":"years","type":"number"},{"description":"number of months to add","name":"months","type":"number"},{"description":"number of days to add","name":"days","type":"number"}],"result":{"description":"nanoseconds since the epoch representing the input time, with years, months and days added","name":"output","type":"number"},"type":"function"},
  "time.clock": {"args":[{"description":"a number representing the nanoseconds since the epoch (UTC); or a two-element array of the nanoseconds, and a timezone string","name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"description":"the `hour`, `minute` (0-59), and `second` (0-59) representing the time of day for the nanoseconds since epoch in the supplied timezone (or UTC)","name":"output","static":[{"type":"number"},{"type":"number"},{"type":"number"}],"type":"array"},"type":"function"},
  "time.date": {"args":[{"description":"a number representing the nanoseconds since the epoch (UTC); or a two-element array of the nanoseconds, and a timezone string","name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"description":"an array of `year`, `month` (1-12), and `day` (1-31)","name":"date","static":[{"type":"number"},{"type":"number"},{"type":"number"}],"type":"array"},"type":"function"},
  "time.diff": {"args":[{"of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"},{"of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"static":[{"type":"number"},{"type":"number"},{"type":"number"},{"type":"number"},{"type":"number"},{"type":"number"}],"type":"array"},"type":"function"},
  "time.format": {"args":[{"description":"a number representing the nanoseconds since the epoch (UTC); or a two-element array of the nanoseconds, and a timezone string; or a three-element array of ns, timezone string and a layout string or golang defined formatting constant (see golang supported time formats)","name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"},{"static":[{"type":"number"},{"type":"string"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"description":"the formatted timestamp represented for the nanoseconds since the epoch in the supplied timezone (or UTC)","name":"formatted timestamp","type":"string"},"type":"function"},
  "time.now_ns": {"result":{"description":"nanoseconds since epoch","name":"now","type":"number"},"type":"function"},
  "time.parse_duration_ns": {"args":[{"description":"a duration like \"3m\"; see the [Go `time` package documentation](https://golang.org/pkg/time/#ParseDuration) for more details","name":"duration","type":"string"}],"result":{"description":"the `duration` in nanoseconds","name":"ns","type":"number"},"type":"function"},
  "time.parse_ns": {"type":"function","args":[{"name":"layout","type":"string"},{"name":"value","type":"string"}],"result":{"name":"ns","type":"number"}},
  "time.parse_rfc3339_ns": {"args":[{"description":"input string to parse in RFC3339 format","name":"value","type":"string"}],"result":{"description":"`value` in nanoseconds since epoch","name":"ns","type":"number"},"type":"function"},
  "time.weekday": {"args":[{"description":"a number representing the nanoseconds since the epoch (UTC); or a two-element array of the nanoseconds, and a timezone string","name":"x","of":[{"type":"number"},{"static":[{"type":"number"},{"type":"string"}],"type":"array"}],"type":"any"}],"result":{"description":"the weekday represented by `ns` nanoseconds since the epoch in the supplied timezone (or UTC)","name":"day","type":"string"},"type":"function"},
  "to_number": {"args":[{"description":"value to convert","name":"x","of":[{"type":"null"},{"type":"boolean"},{"type":"number"},{"type":"string"}],"type":"any"}],"result":{"description":"the numeric representation of `x`","name":"num","type":"number"},"type":"function"},
  "trace": {"type":"function","args":[{"name":"note","type":"string"}],"result":{"name":"result","type":"boolean"}},
  "trim": {"args":[{"description":"string to trim","name":"value","type":"string"},{"description":"string of characters that are cut off","name":"cutset","type":"string"}],"result":{"description":"string trimmed of `cutset` characters","name":"output","type":"string"},"type":"function"},
  "trim_left": {"args":[{"description":"string to trim","name":"value","type":"string"},{"description":"string of characters that are cut off on the left","name":"cutset","type":"string"}],"result":{"description":"string left-trimmed of `cutset` characters","name":"output","type":"string"},"type":"function"},
  "trim_prefix": {"args":[{"description":"string to trim","name":"value","type":"string"},{"description":"prefix to cut off","name":"prefix","type":"string"}],"result":{"description":"string with `prefix` cut off","name":"output","type":"string"},"type":"function"},
  "trim_right": {"args":[{"description":"string to trim","name":"value","type":"string"},{"description":"string of characters that are cut off on the right","name":"cutset","type":"string"}],"result":{"description":"string right-trimmed of `cutset` characters","name":"output","type":"string"},"type":"function"},
  "trim_space": {"args":[{"description":"string to trim","name":"value","type":"string"}],"result":{"description":"string leading and trailing white space cut off","name":"output","type":"string"},"type":"function"},
  "trim_suffix": {"args":[{"description":"string to trim","name":"value","type":"string"},{"description":"suffix to cut off","name":"suffix","type":"string"}],"result":{"description":"string with `suffix` cut off","name":"output","type":"string"},"type":"function"},
  "type_name": {"args":[{"description":"input value","name":"x","type":"any"}],"result":{"description":"one of \"null\", \"boolean\", \"number\", \"string\", \"array\", \"object\", \"set\"","name":"type","type":"string"},"type":"function"},
  "union": {"args":[{"description":"set of sets to merge","name":"xs","of":{"of":{"type":"any"},"type":"set"},"type":"set"}],"result":{"description":"the union of all `xs` sets","name":"y","of":{"type":"any"},"type":"set"},"type":"function"},
  "units.parse": {"args":[{"description":"the unit to parse","name":"x","type":"string"}],"result":{"description":"the parsed number","name":"y","type":"number"},"type":"function"},
  "units.parse_bytes": {"args":[{"description":"the byte unit to parse","name":"x","type":"string"}],"result":{"description":"the parsed number","name":"y","type":"number"},"type":"function"},
  "upper": {"args":[{"description":"string that is converted to upper-case","name":"x","type":"string"}],"result":{"description":"upper-case of x","name":"y","type":"string"},"type":"function"},
  "urlquery.decode": {"args":[{"description":"the URL-encoded string","name":"x","type":"string"}],"result":{"description":"URL-encoding deserialization of `x`","name":"y","type":"string"},"type":"function"},
  "urlquery.decode_object": {"args":[{"description":"the query string","name":"x","type":"string"}],"result":{"description":"the resulting object","dynamic":{"key":{"type":"string"},"value":{"dynamic":{"type":"string"},"type":"array"}},"name":"object","type":"object"},"type":"function"},
  "urlquery.encode": {"args":[{"description":"the string to encode","name":"x","type":"string"}],"result":{"description":"URL-encoding serialization of `x`","name":"y","type":"string"},"type":"function"},
  "urlquery.encode_object": {"args":[{"description":"the object to encode","dynamic":{"key":{"type":"string"},"value":{"of":[{"type":"string"},{"dynamic":{"type":"string"},"type":"array"},{"of":{"type":"string"},"type":"set"}],"type":"any"}},"name":"object","type":"object"}],"result":{"description":"the URL-encoded serialization of `object`","name":"y","type":"string"},"type":"function"},
  "uuid.parse": {"args":[{"description":"UUID string to parse","name":"uuid","type":"string"}],"result":{"description":"Properties of UUID if valid (version, variant, etc). Undefined otherwise.","dynamic":{"key":{"type":"string"},"value":{"type":"any"}},"name":"result","type":"object"},"type":"function"},
  "uuid.rfc4122": {"args":[{"description":"seed string","name":"k","type":"string"}],"result":{"description":"a version 4 UUID; for any given `k`, the output will be consistent throughout a query evaluation","name":"output","type":"string"},"type":"function"},
  "walk": {"args":[{"description":"value to walk","name":"x","type":"any"}],"result":{"description":"pairs of `path` and `value`: `path` is an array representing the pointer to `value` in `x`. If `path` is assigned a wildcard (`_`), the `walk` function will skip path creation entirely for faster evaluation.","name":"output","static":[{"dynamic":{"type":"any"},"type":"array"},{"type":"any"}],"type":"array"},"type":"function"},
  "yaml.is_valid": {"args":[{"description":"a YAML string","name":"x","type":"string"}],"result":{"description":"`true` if `x` is valid YAML, `false` otherwise","name":"result","type":"boolean"},"type":"function"},
  "yaml.marshal": {"args":[{"description":"the term to serialize","name":"x","type":"any"}],"result":{"description":"the YAML string representation of `x`","name":"y","type":"string"},"type":"function"},
  "yaml.unmarshal": {"args":[{"description":"a YAML string","name":"x","type":"string"}],"result":{"description":"the term deserialized from `x`","name":"y","type":"any"},"type":"function"},
} as Record<string, BuiltinDecl>;

/** Infix operators → the builtin they call (OPA's `ast.BuiltinMap` operator infixes). */
export const infixOperators: Readonly<Record<string, string>> = Object.freeze({
  '+': 'plus',
  '-': 'minus',
  '*': 'mul',
  '/': 'div',
  '%': 'rem',
  '==': 'equal',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
  '|': 'or',
  '&': 'and',
  '=': 'eq',
  ':=': 'assign',
});

/**
 * Operator and keyword spellings that are not infix symbols: `x in xs` plans as
 * `internal.member_2(x, xs)`, `k, v in xs` as `internal.member_3(k, v, xs)`,
 * and `$"..."` string interpolation as `internal.template_string([...])`.
 */
export const operatorAliases: Readonly<Record<string, string>> = Object.freeze({
  in: 'internal.member_2',
  'in/2': 'internal.member_2',
  'in/3': 'internal.member_3',
  template_string: 'internal.template_string',
  print: 'internal.print',
});

/**
 * Builtins implemented natively in warden's Wasm runtime. Starts as OPA's own
 * native list (`builtinsFunctions` in OPA's internal/compiler/wasm/wasm.go); the
 * runtime engineer edits it as native implementations land or are dropped.
 */
export const nativeBuiltins: ReadonlySet<string> = new Set([
  'abs', 'all', 'and', 'any', 'array.concat', 'array.reverse', 'array.slice',
  'base64.decode', 'base64.encode', 'base64.is_valid', 'base64url.decode', 'base64url.encode',
  'bits.and', 'bits.lsh', 'bits.negate', 'bits.or', 'bits.rsh', 'bits.xor',
  'ceil', 'concat', 'contains', 'count', 'div', 'endswith', 'equal', 'floor', 'format_int',
  'glob.match', 'graph.reachable', 'gt', 'gte', 'indexof', 'internal.member_2', 'internal.member_3',
  'intersection', 'is_array', 'is_boolean', 'is_null', 'is_number', 'is_object', 'is_set', 'is_string',
  'json.filter', 'json.is_valid', 'json.marshal', 'json.remove', 'json.unmarshal',
  'lower', 'lt', 'lte', 'max', 'min', 'minus', 'mul', 'neq',
  'net.cidr_contains', 'net.cidr_intersects', 'net.cidr_overlap', 'numbers.range',
  'object.filter', 'object.get', 'object.remove', 'object.union', 'or', 'plus', 'product',
  're_match', 'regex.find_all_string_submatch_n', 'regex.is_valid', 'regex.match', 'rem', 'replace', 'round',
  'set_diff', 'sort', 'split', 'startswith', 'strings.replace_n', 'strings.reverse', 'substring', 'sum',
  'to_number', 'trim', 'trim_left', 'trim_prefix', 'trim_right', 'trim_space', 'trim_suffix',
  'type_name', 'union', 'upper', 'walk',
]);

/** Builtins the unmodified opa-wasm SDK (1.10.0) implements in JavaScript itself. */
export const sdkBuiltins: ReadonlySet<string> = new Set([
  'json.is_valid', 'regex.split', 'sprintf', 'yaml.is_valid', 'yaml.marshal', 'yaml.unmarshal',
]);

/**
 * The name under which a module should import builtin `name` from the host.
 * opa-wasm consults its own JavaScript builtins before `customBuiltins`, and
 * its versions of these few differ from OPA (`sprintf` prints arrays as
 * `a,b`, `json.is_valid` throws on non-strings), so they are imported under a
 * `warden.` alias that only warden's table (`jsBuiltins`) answers.
 */
export function hostBuiltinName(name: string): string {
  return sdkBuiltins.has(name) ? `warden.${name}` : name;
}

/** True when warden's Wasm runtime implements `name` itself (no import needed). */
export function isNativeInWasm(name: string): boolean {
  return nativeBuiltins.has(name);
}

/** The declaration of `name`, or undefined when it is not a known builtin. */
export function builtinDecl(name: string): BuiltinDecl | undefined {
  return Object.hasOwn(builtinDecls, name) ? builtinDecls[name] : undefined;
}

/**
 * Builtins whose result is not a function of their arguments alone: they read the clock,
 * randomness, the network or the runtime, or exist for their side effect (print, trace).
 * A policy calling none of them decides the same way for the same input and data.
 */
const nondeterministicBuiltins: ReadonlySet<string> = new Set([
  'time.now_ns',
  'rand.intn',
  'uuid.rfc4122',
  'http.send',
  'net.lookup_ip_addr',
  'opa.runtime',
  'io.jwt.decode_verify',
  'io.jwt.encode_sign',
  'io.jwt.encode_sign_raw',
  'crypto.x509.parse_and_verify_certificates',
  'crypto.x509.parse_and_verify_certificates_with_options',
  'providers.aws.sign_req',
  'test.sleep',
  'print',
  'internal.print',
  'trace',
]);

/** True when every builtin in `names` is deterministic (see nondeterministicBuiltins). */
export function allDeterministic(names: Iterable<string>): boolean {
  for (const name of names) if (nondeterministicBuiltins.has(name)) return false;
  return true;
}
