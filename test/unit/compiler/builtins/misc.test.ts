import { describe, expect, it } from 'vitest';
import { BuiltinError, jsBuiltins, resetEvaluation } from '../../../../src/compiler/builtins/index.ts';
import { call, lenient, strict } from './helpers.ts';

const AWS = { aws_access_key: 'MYAWSACCESSKEYGOESHERE', aws_secret_access_key: 'MYAWSSECRETACCESSKEYGOESHERE', aws_service: 's3', aws_region: 'us-east-1' };

describe('misc builtins', () => {
  it('signs AWS requests with SigV4 exactly as OPA does', () => {
    const signed = call('providers.aws.sign_req', { method: 'get', url: 'http://example.com' }, AWS, 1451311705000000000) as { headers: Record<string, string> };
    expect(signed.headers.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3',
    );
    expect(signed.headers['x-amz-date']).toBe('20151228T140825Z');
    const token = call('providers.aws.sign_req', { method: 'get', url: 'http://example.com' }, { ...AWS, aws_session_token: 'MYAWSSECURITYTOKENGOESHERE' }, 1451311705000000000) as {
      headers: Record<string, string>;
    };
    expect(token.headers.Authorization).toContain('Signature=23c31bda8a74630c0a94f6b82a3511e7e74728df98e6f54ed0840488dbbdc8d1');
    const unsigned = call('providers.aws.sign_req', { method: 'get', url: 'https://example.com', headers: { foo: 'bar' } }, { ...AWS, disable_payload_signing: true }, 1451311705000000000) as {
      headers: Record<string, string>;
    };
    expect(unsigned.headers.Authorization).toContain('Signature=c6e6db654e92172f71e18c714c123711de069ac6fd7df1348e5b28fd05532028');
    expect(() => call('providers.aws.sign_req', {}, AWS, 0)).toThrow(/missing required request parameters\(s\): \{"method", "url"\}/);
  });

  it('matches globs with delimiters, super-globs, classes and alternatives', () => {
    expect(call('glob.match', '*.github.com', ['.'], 'api.github.com')).toBe(true);
    expect(call('glob.match', '*.github.com', ['.'], 'api.cdn.github.com')).toBe(false);
    expect(call('glob.match', 'api.**.com', ['.'], 'api.cdn.github.com')).toBe(true);
    expect(call('glob.match', '*', [], 'foo.bar')).toBe(false);
    expect(call('glob.match', '*', null, 'foo.bar')).toBe(true);
    expect(call('glob.match', '{cat,bat,[fr]at}', [], 'fat')).toBe(true);
    expect(call('glob.match', '[!a-c]at', [], 'bat')).toBe(false);
    expect(call('glob.quote_meta', '*.github.com')).toBe('\\*.github.com');
  });

  it('walks graphs and their paths', () => {
    const g = { a: ['b', 'c'], b: ['d'], c: ['d'], d: [], e: ['f'], f: ['e'] };
    expect(call('graph.reachable', g, ['b', 'e'])).toEqual(['b', 'd', 'e', 'f']);
    expect(call('graph.reachable_paths', { a: ['b'], b: ['c'], c: [] }, ['a'])).toEqual([['a', 'b', 'c']]);
  });

  it('keeps rand.intn and uuid.rfc4122 stable per evaluation and per arguments', () => {
    const b = jsBuiltins({ strict: true });
    const r = b['rand.intn']!('key', 1000);
    for (let i = 0; i < 20; i++) expect(b['rand.intn']!('key', 1000)).toBe(r);
    const u = b['uuid.rfc4122']!('k') as string;
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b['uuid.rfc4122']!('k')).toBe(u);
    expect(b['uuid.rfc4122']!('other')).not.toBe(u);
    resetEvaluation(b);
    expect(b['uuid.rfc4122']!('k')).not.toBe(u);
    expect(b['rand.intn']!('zero', 0)).toBe(0);
  });

  it('refuses network builtins: undefined by default, an error in strict mode', () => {
    expect(lenient['http.send']!({ method: 'get', url: 'http://127.0.0.1/' })).toBeUndefined();
    expect(() => strict['net.lookup_ip_addr']!('localhost')).toThrow(/not available/);
    expect(call('opa.runtime')).toEqual({});
  });

  it('computes aggregates and set operations on canonical arrays', () => {
    expect(call('numbers.range_step', 0, 10, 3)).toEqual([0, 3, 6, 9]);
    expect(call('numbers.range_step', 10, 0, 5)).toEqual([10, 5, 0]);
    expect(() => call('numbers.range_step', 0, 10, 0)).toThrow(/step must be a positive integer/);
    expect(call('round', -2.5)).toBe(-3);
    expect(call('sort', ['b', 1, null, 'a', [1]])).toEqual([null, 1, 'a', 'b', [1]]);
    expect(call('intersection', [[1, 2, 3], [2, 3, 4]])).toEqual([2, 3]);
    expect(call('minus', [1, 2, 3], [2])).toEqual([1, 3]);
    expect(() => call('div', 1, 0)).toThrow(/divide by zero/);
  });

  it('parses Rego modules into OPA AST JSON, failing on syntax errors', () => {
    const m = call('rego.parse_module', 'x.rego', 'package foo.bar\n\np := 1 if input.x == 2\n') as {
      package: { path: { type: string; value: string }[] };
      rules: { head: { name: string; value: unknown; assign: boolean }; body: { terms: unknown[] }[] }[];
    };
    expect(m.package.path).toEqual([
      { type: 'var', value: 'data' },
      { type: 'string', value: 'foo' },
      { type: 'string', value: 'bar' },
    ]);
    expect(m.rules[0]!.head).toMatchObject({ name: 'p', value: { type: 'number', value: 1 }, assign: true });
    expect(m.rules[0]!.body[0]!.terms[0]).toEqual({ type: 'ref', value: [{ type: 'var', value: 'equal' }] });
    expect(() => call('rego.parse_module', 'x.rego', 'package')).toThrow(/rego_parse_error/);
  });

  it('raises OPA error kinds in strict mode, named after the builtin', () => {
    const typeErr = (() => {
      try {
        strict['strings.count']!(1, 'a');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(typeErr).toBeInstanceOf(BuiltinError);
    expect((typeErr as BuiltinError).code).toBe('eval_type_error');
    expect((typeErr as BuiltinError).message).toBe('strings.count: operand 1 must be string but got number');
    expect(() => strict['time.parse_duration_ns']!('5 parsecs')).toThrow(expect.objectContaining({ code: 'eval_builtin_error' }));
    expect(lenient['time.parse_duration_ns']!('5 parsecs')).toBeUndefined();
  });
});
