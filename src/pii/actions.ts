/**
 * What happens to a finding: `redact` (`[REDACTED:EMAIL_ADDRESS]`), `mask`
 * (keep the last four characters), `tokenize` (keyed HMAC token, reversible
 * through the vault), `block` (refuse the whole call) or `allow` (report only).
 */
import type { PiiAction } from './config.ts';
import type { Span } from './types.ts';
import type { TokenVault } from './vault.ts';

export interface ActionContext {
  vault?: TokenVault;
  taskId: string;
}

/** Replaces every alphanumeric but the last four with `*`, keeping separators. */
export function maskValue(value: string): string {
  let keep = 4;
  const chars = value.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = value.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
    if (!alnum) continue;
    if (keep > 0) keep--;
    else chars[i] = '*';
  }
  return chars.join('');
}

/** The replacement text for one finding. */
export function replacementFor(action: PiiAction, value: string, type: string, ctx: ActionContext): string {
  switch (action) {
    case 'mask':
      return maskValue(value);
    case 'tokenize':
      // Without a vault (config validation requires tokenKey) fall back to redaction: never leak.
      return ctx.vault ? ctx.vault.tokenize(value, type, ctx.taskId) : `[REDACTED:${type}]`;
    case 'allow':
      return value;
    default:
      return `[REDACTED:${type}]`;
  }
}

/** Rewrites `text` with each span replaced per its action (spans sorted, not overlapping). */
export function applyActions(text: string, spans: readonly Span[], actionOf: (type: string) => PiiAction, ctx: ActionContext): string {
  let out = '';
  let last = 0;
  for (const s of spans) {
    const action = actionOf(s.type);
    if (action === 'allow') continue;
    out += text.slice(last, s.start) + replacementFor(action, text.slice(s.start, s.end), s.type, ctx);
    last = s.end;
  }
  return last === 0 ? text : out + text.slice(last);
}
