/**
 * Context: what the key a string sits under, or the words just before a match,
 * say about it. Context raises confidence for weak shapes (a bare 9-digit
 * number is an SSN only next to "ssn"; `358 0594` is a phone number only after
 * "Phone:").
 */
import { Hint } from './types.ts';

const PHONE_KEYS = new Set(['phone', 'phones', 'mobile', 'tel', 'telephone', 'fax', 'cell', 'cellphone', 'msisdn', 'contact', 'whatsapp', 'sms']);
const SSN_KEYS = new Set(['ssn', 'ssns', 'social', 'socialsecurity', 'sin', 'tin', 'itin']);
const CARD_KEYS = new Set(['card', 'cc', 'pan', 'creditcard', 'cardnumber', 'ccnumber', 'credit', 'debit']);
const ROUTING_KEYS = new Set(['routing', 'aba', 'rtn', 'routingnumber']);
const PASSWORD_KEYS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'pin', 'otp', 'mfa']);
const SECRET_KEYS = new Set(['token', 'tokens', 'apikey', 'credential', 'credentials', 'authorization', 'auth', 'bearer', 'cookie', 'session']);
/** Pairs of adjacent key words that name a secret (`api_key`, `accessKey`, `private_key`…). */
const SECRET_PAIRS = new Set(['api key', 'access key', 'secret key', 'private key', 'signing key', 'client secret', 'access token', 'refresh token', 'id token', 'auth token', 'session token', 'master key', 'encryption key']);

const keyHintCache = new Map<string, number>();

/** Splits a key into lower-case words: `workPhone` → work, phone; `card_number` → card, number. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]{1,64}/)
    .filter((w) => w.length > 0);
}

/** The Hint bits a JSON key name implies (cached: keys repeat across documents). */
export function hintForKey(key: string): number {
  let h = keyHintCache.get(key);
  if (h !== undefined) return h;
  h = 0;
  const words = keyWords(key);
  const joined = words.join('');
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (PHONE_KEYS.has(w)) h |= Hint.PHONE;
    if (SSN_KEYS.has(w)) h |= Hint.SSN;
    if (CARD_KEYS.has(w)) h |= Hint.CARD;
    if (ROUTING_KEYS.has(w)) h |= Hint.ROUTING;
    if (PASSWORD_KEYS.has(w)) h |= Hint.PASSWORD;
    if (SECRET_KEYS.has(w)) h |= Hint.SECRET;
    const next = words[i + 1];
    if (next !== undefined && SECRET_PAIRS.has(`${w} ${next}`)) h |= Hint.SECRET;
  }
  if (CARD_KEYS.has(joined)) h |= Hint.CARD;
  if (joined.includes('socialsecurity')) h |= Hint.SSN;
  if (joined.includes('phonenumber')) h |= Hint.PHONE;
  if (joined.includes('apikey') || joined.includes('clientsecret') || joined.includes('privatekey') || joined.includes('secretkey')) h |= Hint.SECRET;
  if (keyHintCache.size < 10_000) keyHintCache.set(key, h);
  return h;
}

const WINDOW = 40;

/** Lower-cased text just before `start` (same line or the line above). */
function before(text: string, start: number): string {
  return text.slice(Math.max(0, start - WINDOW), start).toLowerCase();
}

const PHONE_BEFORE = /phone|\btel\b|mobile|\bcell|\bfax|\bdesk\b|\bcall|contact|reach (?:me|us)|\bdial|\bsms\b|whatsapp|text me|messages? to|answering|registered|ring me/;
const PHONE_AFTER = /^[\s,;:()\\-]{0,3}(?:office|fax|mobile|cell|home|work|desk|phone|tel)\b/i;
const CARD_BEFORE = /card|\bcc\b|credit|debit|visa|mastercard|amex|\bpan\b|payment/;
const SSN_BEFORE = /ssn|social security|\bss#|\bsocial\b/;
const ROUTING_BEFORE = /routing|\baba\b|\brtn\b/;

export function phoneContext(text: string, start: number, end: number): boolean {
  return PHONE_BEFORE.test(before(text, start)) || PHONE_AFTER.test(text.slice(end, end + 16));
}
export function cardContext(text: string, start: number): boolean {
  return CARD_BEFORE.test(before(text, start));
}
export function ssnContext(text: string, start: number): boolean {
  return SSN_BEFORE.test(before(text, start));
}
export function routingContext(text: string, start: number): boolean {
  return ROUTING_BEFORE.test(before(text, start));
}

/** Every context pattern, for the regex safety lint. */
export const CONTEXT_PATTERNS: readonly RegExp[] = [PHONE_BEFORE, PHONE_AFTER, CARD_BEFORE, SSN_BEFORE, ROUTING_BEFORE];
