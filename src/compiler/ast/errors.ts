import type { Location } from './types.ts';

/** A located Rego compile error with OPA's error code (rego_parse_error, rego_unsafe_var_error, …). */
export class RegoError extends Error {
  override readonly name = 'RegoError';
  readonly code: string;
  readonly location: Location;

  constructor(code: string, message: string, location: Location) {
    super(`${location.file}:${location.row}:${location.col}: ${code}: ${message}`);
    this.code = code;
    this.location = location;
  }

  /** The reason without the location prefix. */
  get reason(): string {
    return this.message.slice(this.message.indexOf(`${this.code}: `) + this.code.length + 2);
  }
}

/** Several errors found in one pass; the message lists each on its own line. */
export class RegoErrors extends Error {
  override readonly name = 'RegoErrors';
  readonly errors: RegoError[];
  constructor(errors: RegoError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.errors = errors;
  }
}
