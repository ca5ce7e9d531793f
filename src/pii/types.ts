/** Shared shapes of the PII scanner: types it reports, spans and findings. */

/** Type names as the corpus and scorer spell them (Presidio's names where one exists). */
export type PiiType =
  | 'CREDIT_CARD'
  | 'PHONE_NUMBER'
  | 'EMAIL_ADDRESS'
  | 'IBAN_CODE'
  | 'US_SSN'
  | 'IP_ADDRESS'
  | 'ABA_ROUTING_NUMBER'
  | 'AWS_ACCESS_KEY'
  | 'GITHUB_TOKEN'
  | 'JWT'
  | 'PRIVATE_KEY'
  | 'SECRET';

export const PII_TYPES: readonly PiiType[] = [
  'CREDIT_CARD',
  'PHONE_NUMBER',
  'EMAIL_ADDRESS',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
  'ABA_ROUTING_NUMBER',
  'AWS_ACCESS_KEY',
  'GITHUB_TOKEN',
  'JWT',
  'PRIVATE_KEY',
  'SECRET',
];

/** A detected region `[start, end)` in UTF-16 code units of the scanned string. */
export interface Span {
  start: number;
  end: number;
  type: PiiType;
}

/** A span inside a JSON document: `path` is an RFC 6901 pointer to a string value. */
export interface Finding extends Span {
  path: string;
}

/**
 * What the surroundings say about a string: bits from the key it sits under
 * (`ssn`, `phone`, `card_number`, `password`…). Set bits enable weaker patterns.
 */
export const Hint = {
  NONE: 0,
  SSN: 1 << 0,
  PHONE: 1 << 1,
  CARD: 1 << 2,
  ROUTING: 1 << 3,
  SECRET: 1 << 4,
  /** A password-like key: the whole value is secret, whatever it looks like. */
  PASSWORD: 1 << 5,
} as const;

/** Options for one scan. */
export interface ScanOptions {
  /** Strings longer than this (UTF-16 code units) are scanned only up to the cap. */
  maxScanBytes?: number;
  /** Context bits from the enclosing key (see Hint). */
  hint?: number;
}
