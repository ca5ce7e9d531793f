/** `semver.is_valid` and `semver.compare` (strict SemVer 2.0.0, no `v` prefix). */
import { SemVer, compare } from 'semver';
import { type BuiltinFn, builtinError, str } from './values.ts';

function parse(v: string): SemVer | undefined {
  if (!/^\d/.test(v)) return undefined;
  try {
    return new SemVer(v, { loose: false });
  } catch {
    return undefined;
  }
}

export function semverBuiltins(): Record<string, BuiltinFn> {
  return {
    'semver.is_valid': (v) => typeof v === 'string' && parse(v) !== undefined,
    'semver.compare': (a, b) => {
      const x = parse(str(a, 1));
      if (!x) throw builtinError(`operand 1: string ${JSON.stringify(a)} is not a valid SemVer`);
      const y = parse(str(b, 2));
      if (!y) throw builtinError(`operand 2: string ${JSON.stringify(b)} is not a valid SemVer`);
      return compare(x, y);
    },
  };
}
