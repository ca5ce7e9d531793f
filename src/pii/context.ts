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
const CAMEL_BOUNDARY = /([a-z0-9])([A-Z])/g;
const KEY_SEPARATOR = /[^a-z0-9]{1,64}/;

function keyWords(key: string): string[] {
  return key
    .replace(CAMEL_BOUNDARY, '$1 $2')
    .toLowerCase()
    .split(KEY_SEPARATOR)
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

const PHONE_BEFORE = /phone|\btel\b|mobile|\bcell|\bfax|\bdesk\b|\bcall|contact|reach (?:me|us)|\bdial|\bsms\b|whatsapp|text me|messages? to|answering|registered|ring me/g;
const PHONE_AFTER = /^[\s,;:()\\-]{0,3}(?:office|fax|mobile|cell|home|work|desk|phone|tel)\b/i;
const CARD_BEFORE = /card|\bcc\b|credit|debit|visa|mastercard|amex|\bpan\b|payment/g;
const SSN_BEFORE = /ssn|social security|\bss#|\bsocial\b/g;
const ROUTING_BEFORE = /routing|\baba\b|\brtn\b/g;
/** A label of another field (`"zip": `, `Date:`) between the cue word and the match voids the cue. */
const OTHER_LABEL = /[a-z_]{2,24}["']?[ ]?[:=]/;
const OWN_LABEL = /^[a-z_]{0,16}["']?[ ]?[:=]/;

/** Whether a cue word occurs before `start` with no other field's label in between. */
function cued(text: string, start: number, cue: RegExp): boolean {
  const window = before(text, start);
  cue.lastIndex = 0;
  let lastEnd = -1;
  for (let m = cue.exec(window); m; m = cue.exec(window)) lastEnd = m.index + m[0].length;
  if (lastEnd < 0) return false;
  // Skip the cue's own label punctuation (`phone": "`, `Phone:\n`) before looking for another label.
  return !OTHER_LABEL.test(window.slice(lastEnd).replace(OWN_LABEL, ''));
}

export function phoneContext(text: string, start: number, end: number): boolean {
  return cued(text, start, PHONE_BEFORE) || PHONE_AFTER.test(text.slice(end, end + 16));
}
export function cardContext(text: string, start: number): boolean {
  return cued(text, start, CARD_BEFORE);
}
export function ssnContext(text: string, start: number): boolean {
  return cued(text, start, SSN_BEFORE);
}
export function routingContext(text: string, start: number): boolean {
  return cued(text, start, ROUTING_BEFORE);
}

/** Every context pattern, for the regex safety lint. */
export const CONTEXT_PATTERNS: readonly RegExp[] = [PHONE_BEFORE, PHONE_AFTER, CARD_BEFORE, SSN_BEFORE, ROUTING_BEFORE, OTHER_LABEL, OWN_LABEL, CAMEL_BOUNDARY, KEY_SEPARATOR];
