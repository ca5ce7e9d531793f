/**
 * Time builtins. Instants are BigInt nanoseconds (int64 range, as in Go);
 * civil fields come from day arithmetic plus the zone offset that Intl reports
 * for the instant. Results beyond 2^53 leave as exact JSON text (see `exactNumber`).
 */
import { type Civil, NAMED_LAYOUTS, WEEKDAYS, formatLayout, parseLayout } from './golayout.ts';
import { type BuiltinContext, type BuiltinFn, builtinError, exactNumber, int, str, typeError } from './values.ts';

const NS_PER_SEC = 1_000_000_000n;
const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? era * 400 + yoe + 1 : era * 400 + yoe, m, d];
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Nanoseconds from a JSON number (or bigint), failing like OPA when it exceeds int64. */
function toNs(v: unknown, pos: number): bigint {
  if (typeof v === 'bigint') return checkRange(v, 'timestamp too big');
  if (typeof v !== 'number') throw typeError(pos, 'number', v);
  if (!Number.isFinite(v)) throw builtinError('timestamp too big');
  const n = BigInt(Math.trunc(v));
  if (n < MIN_NS || n > MAX_NS + 1024n) throw builtinError('timestamp too big');
  return n > MAX_NS ? MAX_NS : n;
}

function checkRange(n: bigint, msg = 'time outside of valid range'): bigint {
  if (n < MIN_NS || n > MAX_NS) throw builtinError(msg);
  return n;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** UTC offset in seconds of zone `tz` at `epochMs`, and the zone's short name. */
function zoneAt(tz: string, epochMs: number): { offset: number; zone: string } {
  if (tz === '' || tz === 'UTC') return { offset: 0, zone: 'UTC' };
  let fmt = offsetFormats.get(tz);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz === 'Local' ? undefined : tz, timeZoneName: 'longOffset' });
    } catch {
      throw builtinError(`unknown time zone ${tz}`);
    }
    offsetFormats.set(tz, fmt);
  }
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, epochMs));
  const name = fmt.formatToParts(clamped).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?/.exec(name);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) : 0;
  let zone = 'UTC';
  try {
    zone = new Intl.DateTimeFormat('en-US', { timeZone: tz === 'Local' ? undefined : tz, timeZoneName: 'short' }).formatToParts(clamped).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  } catch {
    // The offset format above already validated the zone.
  }
  if (/^GMT[+-]/.test(zone)) zone = formatOffsetName(offset);
  return { offset, zone };
}

function formatOffsetName(off: number): string {
  const a = Math.abs(off);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return `${off < 0 ? '-' : '+'}${String(h).padStart(2, '0')}${m ? String(m).padStart(2, '0') : ''}`;
}

/** The civil time of instant `ns` in zone `tz`. */
export function civilOf(ns: bigint, tz: string): Civil {
  const secs = floorDiv(ns, NS_PER_SEC);
  const nanos = Number(ns - secs * NS_PER_SEC);
  const { offset, zone } = zoneAt(tz, Number(secs) * 1000);
  const local = secs + BigInt(offset);
  const days = Number(floorDiv(local, 86400n));
  const sod = Number(local - BigInt(days) * 86400n);
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(sod / 3600),
    minute: Math.floor((sod % 3600) / 60),
    second: sod % 60,
    nanos,
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
    offset,
    zone,
  };
}

/** Instant of civil fields interpreted at a fixed offset. */
function instantOf(y: number, mo: number, d: number, h: number, mi: number, s: number, nanos: number, offset: number): bigint {
  // Month and day overflow normalise as in Go's time.Date (AddDate relies on it).
  const monthIndex = y * 12 + (mo - 1);
  const ny = Math.floor(monthIndex / 12);
  const nm = monthIndex - ny * 12 + 1;
  const total = BigInt(daysFromCivil(ny, nm, 1) + d - 1) * 86400n + BigInt(h * 3600 + mi * 60 + s - offset);
  return total * NS_PER_SEC + BigInt(nanos);
}

/** `ns` or `[ns, tz]` or `[ns, tz, layout]` arguments. */
function instantArg(v: unknown, pos: number): { ns: bigint; tz: string; layout?: string } {
  if (Array.isArray(v)) {
    if (v.length < 2 || v.length > 3) throw builtinError('array argument must have two or three elements');
    return { ns: toNs(v[0], pos), tz: str(v[1], pos), ...(v.length === 3 ? { layout: str(v[2], pos) } : {}) };
  }
  return { ns: toNs(v, pos), tz: 'UTC' };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function parseRfc3339(s: string): bigint {
  const m = RFC3339.exec(s);
  if (!m) throw builtinError(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || se! > 59) throw builtinError(`parsing time ${JSON.stringify(s)}: value out of range`);
  const off = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10]) * 60) : 0;
  const nanos = Number((m[7] ?? '').padEnd(9, '0'));
  return checkRange(instantOf(y!, mo!, d!, h!, mi!, se!, nanos, off));
}

const DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1_000_000n, s: NS_PER_SEC, m: 60n * NS_PER_SEC, h: 3600n * NS_PER_SEC };

/** Go's time.ParseDuration. */
export function parseDuration(s: string): bigint {
  const bad = () => builtinError(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let neg = false;
  if (rest[0] === '-' || rest[0] === '+') {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw bad();
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw bad();
    const unit = DURATION_UNITS[m[3]!]!;
    const whole = BigInt(m[1] || '0');
    const frac = m[2] ?? '';
    total += whole * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

function daysIn(y: number, m: number): number {
  return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - daysFromCivil(y, m, 1);
}

export function timeBuiltins(ctx: BuiltinContext): Record<string, BuiltinFn> {
  return {
    'time.now_ns': () => {
      const memo = ctx.cache().memo;
      let wire = memo.get('time.now_ns.wire') as number | ArrayBuffer | undefined;
      if (wire === undefined) {
        let v = memo.get('time.now_ns') as bigint | undefined;
        if (v === undefined) {
          v = ctx.now();
          memo.set('time.now_ns', v);
        }
        wire = exactNumber(v);
        memo.set('time.now_ns.wire', wire);
      }
      return wire;
    },
    'time.parse_rfc3339_ns': (s) => exactNumber(parseRfc3339(str(s, 1))),
    'time.parse_ns': (layout, value) => {
      const l = str(layout, 1);
      const f = parseLayout(NAMED_LAYOUTS[l] ?? l, str(value, 2));
      return exactNumber(checkRange(instantOf(f.year, f.month, f.day, f.hour, f.minute, f.second, f.nanos, f.offset ?? 0)));
    },
    'time.parse_duration_ns': (s) => exactNumber(parseDuration(str(s, 1))),
    'time.date': (v) => {
      const { ns, tz } = instantArg(v, 1);
      const c = civilOf(ns, tz);
      return [c.year, c.month, c.day];
    },
    'time.clock': (v) => {
      const { ns, tz } = instantArg(v, 1);
      const c = civilOf(ns, tz);
      return [c.hour, c.minute, c.second];
    },
    'time.weekday': (v) => {
      const { ns, tz } = instantArg(v, 1);
      return WEEKDAYS[civilOf(ns, tz).weekday];
    },
    'time.add_date': (v, years, months, days) => {
      const c = civilOf(toNs(v, 1), 'UTC');
      const ns = instantOf(c.year + int(years, 2), c.month + int(months, 3), c.day + int(days, 4), c.hour, c.minute, c.second, c.nanos, 0);
      return exactNumber(checkRange(ns));
    },
    'time.diff': (a, b) => {
      const x = instantArg(a, 1);
      const y = instantArg(b, 2);
      const [t1, t2] = x.ns <= y.ns ? [x.ns, y.ns] : [y.ns, x.ns];
      const c1 = civilOf(t1, x.tz);
      const c2 = civilOf(t2, x.tz);
      let year = c2.year - c1.year;
      let month = c2.month - c1.month;
      let day = c2.day - c1.day;
      let hour = c2.hour - c1.hour;
      let min = c2.minute - c1.minute;
      let sec = c2.second - c1.second;
      if (sec < 0) {
        sec += 60;
        min--;
      }
      if (min < 0) {
        min += 60;
        hour--;
      }
      if (hour < 0) {
        hour += 24;
        day--;
      }
      if (day < 0) {
        day += daysIn(c1.year, c1.month);
        month--;
      }
      if (month < 0) {
        month += 12;
        year--;
      }
      return [year, month, day, hour, min, sec];
    },
    'time.format': (v) => {
      const { ns, tz, layout } = instantArg(v, 1);
      const l = layout === undefined ? NAMED_LAYOUTS.RFC3339Nano! : (NAMED_LAYOUTS[layout] ?? layout);
      return formatLayout(l, civilOf(ns, tz));
    },
  };
}

