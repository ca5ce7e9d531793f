import type { PiiType } from '../types.ts';

/** A match before overlap resolution; higher `prio` wins an overlap, then the longer span. */
export interface Candidate {
  start: number;
  end: number;
  type: PiiType;
  prio: number;
}

/** Priorities: secrets with unmistakable shapes first, context-only shapes last. */
export const PRIO = {
  PRIVATE_KEY: 100,
  JWT: 90,
  GITHUB_TOKEN: 85,
  AWS_ACCESS_KEY: 85,
  VENDOR_TOKEN: 80,
  EMAIL_ADDRESS: 60,
  IBAN_CODE: 55,
  CREDIT_CARD: 50,
  US_SSN: 48,
  ABA_ROUTING_NUMBER: 45,
  IP_ADDRESS: 40,
  PHONE_NUMBER: 35,
  PHONE_WEAK: 35, // same as PHONE_NUMBER: between two phone readings the longer wins ("21 284 698 2548")
  SECRET: 20,
} as const;
