import { describe, expect, it } from 'vitest';
import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';

const tagged = jsBuiltins({ strict: true, taggedSets: true });
const set = (...xs: unknown[]) => ({ $rego_set: xs });

describe('tagged sets (taggedSets: true)', () => {
  it('prints sets as Rego sets in template strings', () => {
    expect(tagged['internal.template_string']!([[set()], ', ', [set(42)], ', ', [[1]]])).toBe('set(), {42}, [1]');
  });

  it('keys set members by themselves in net.cidr_contains_matches', () => {
    expect(tagged['net.cidr_contains_matches']!(set('1.1.1.0/24', '1.1.2.0/24'), set('1.1.1.1', '1.1.2.1'))).toEqual([
      ['1.1.1.0/24', '1.1.1.1'],
      ['1.1.2.0/24', '1.1.2.1'],
    ]);
    expect(tagged['net.cidr_contains_matches']!(['1.1.2.0/24', '1.1.1.0/24'], ['1.1.1.1'])).toEqual([[1, 0]]);
  });

  it('tells sets from arrays in type checks and object.subset', () => {
    expect(tagged.is_set!(set(1))).toBe(true);
    expect(tagged.is_array!(set(1))).toBe(false);
    expect(tagged.type_name!(set())).toBe('set');
    expect(tagged['object.subset']!([1, 2, 3, 4, 5, 6], set(2, 4))).toBe(true);
    expect(tagged['object.subset']!(set(1, 2, 3), [1, 2])).toBe(false);
  });

  it('sends sets inside results back tagged', () => {
    const signed = tagged['providers.aws.sign_req']!(
      { method: 'get', url: 'http://example.com', body: { example: set(1, 2, 3, 4) } },
      { aws_access_key: 'MYAWSACCESSKEYGOESHERE', aws_secret_access_key: 'MYAWSSECRETACCESSKEYGOESHERE', aws_service: 's3', aws_region: 'us-east-1' },
      1451311705000000000,
    );
    const wire = JSON.parse(JSON.stringify(signed)) as { body: unknown; headers: Record<string, string> };
    expect(wire.body).toEqual({ example: { $rego_set: [1, 2, 3, 4] } });
    // The payload hash is over the body as JSON (sets as arrays): OPA's value.
    expect(wire.headers['x-amz-content-sha256']).toBe('bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07');
  });
});
