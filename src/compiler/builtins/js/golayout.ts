/**
 * Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): formatting and
 * parsing of civil times, for `time.format` and `time.parse_ns`.
 */
import { builtinError } from './values.ts';

/** A civil time with its UTC offset (seconds east) and zone abbreviation. */
export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number;
  yday: number;
  offset: number;
  zone: string;
}

export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Longest tokens first so "2006" wins over "2", "-07:00:00" over "-07".
const TOKENS = [
  'January', 'Monday', 'Z07:00:00', '-07:00:00', 'Z070000', '-070000', 'Z07:00', '-07:00', 'Z0700', '-0700',
  '2006', 'Jan', 'Mon', 'MST', 'Z07', '-07', '002', '__2', '_2', '01', '02', '03', '04', '05', '06', '15', 'PM', 'pm', '1', '2', '3', '4', '5',
];

type Tok = { lit: string } | { tok: string } | { frac: string };

function tokenize(layout: string): Tok[] {
  const out: Tok[] = [];
  let lit = '';
  for (let i = 0; i < layout.length; ) {
    const frac = /^[.,](0+|9+)(?!\d)/.exec(layout.slice(i));
    if (frac) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ frac: frac[0] });
      i += frac[0].length;
      continue;
    }
    const t = TOKENS.find((k) => layout.startsWith(k, i));
    if (t) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ tok: t });
      i += t.length;
    } else lit += layout[i++];
  }
  if (lit) out.push({ lit });
  return out;
}

const p2 = (n: number) => String(n).padStart(2, '0');

function formatOffset(off: number, tok: string): string {
  if (tok.startsWith('Z') && off === 0) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const h = p2(Math.floor(a / 3600));
  const m = p2(Math.floor((a % 3600) / 60));
  const s = p2(a % 60);
  const body = tok.replace(/^Z/, '-');
  switch (body) {
    case '-07':
      return sign + h;
    case '-0700':
      return sign + h + m;
    case '-07:00':
      return `${sign}${h}:${m}`;
    case '-070000':
      return sign + h + m + s;
    default:
      return `${sign}${h}:${m}:${s}`;
  }
}

/** Formats a civil time with a Go layout. */
export function formatLayout(layout: string, c: Civil): string {
  let out = '';
  for (const t of tokenize(layout)) {
    if ('lit' in t) out += t.lit;
    else if ('frac' in t) {
      const digits = String(c.nanos).padStart(9, '0').slice(0, t.frac.length - 1);
      if (t.frac[1] === '0') out += t.frac[0] + digits;
      else {
        const trimmed = digits.replace(/0+$/, '');
        if (trimmed) out += t.frac[0] + trimmed;
      }
    } else {
      switch (t.tok) {
        case 'January': out += MONTHS[c.month - 1]; break;
        case 'Jan': out += MONTHS[c.month - 1]!.slice(0, 3); break;
        case 'Monday': out += WEEKDAYS[c.weekday]; break;
        case 'Mon': out += WEEKDAYS[c.weekday]!.slice(0, 3); break;
        case 'MST': out += c.zone; break;
        case '2006': out += String(c.year).padStart(4, '0'); break;
        case '06': out += p2(c.year % 100); break;
        case '01': out += p2(c.month); break;
        case '1': out += String(c.month); break;
        case '02': out += p2(c.day); break;
        case '2': out += String(c.day); break;
        case '_2': out += String(c.day).padStart(2, ' '); break;
        case '002': out += String(c.yday).padStart(3, '0'); break;
        case '__2': out += String(c.yday).padStart(3, ' '); break;
        case '15': out += p2(c.hour); break;
        case '03': out += p2(c.hour % 12 || 12); break;
        case '3': out += String(c.hour % 12 || 12); break;
        case '04': out += p2(c.minute); break;
        case '4': out += String(c.minute); break;
        case '05': out += p2(c.second); break;
        case '5': out += String(c.second); break;
        case 'PM': out += c.hour >= 12 ? 'PM' : 'AM'; break;
        case 'pm': out += c.hour >= 12 ? 'pm' : 'am'; break;
        default: out += formatOffset(c.offset, t.tok);
      }
    }
  }
  return out;
}

/** Parsed fields; offset is undefined when the value names no zone (then UTC). */
export type ParsedFields = Pick<Civil, 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'nanos'> & { offset?: number };

/** Parses `value` against a Go layout (numeric offsets and `Z` supported; zone names read as UTC). */
export function parseLayout(layout: string, value: string): ParsedFields {
  const f: ParsedFields = { year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0 };
  let pm: boolean | undefined;
  let v = value;
  const fail = () => builtinError(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);
  const num = (re: RegExp): number => {
    const m = re.exec(v);
    if (!m) throw fail();
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  const word = (list: string[], short: boolean): number => {
    const i = list.findIndex((w) => v.toLowerCase().startsWith((short ? w.slice(0, 3) : w).toLowerCase()));
    if (i < 0) throw fail();
    v = v.slice(short ? 3 : list[i]!.length);
    return i;
  };
  for (const t of tokenize(layout)) {
    if ('lit' in t) {
      if (!v.startsWith(t.lit)) throw fail();
      v = v.slice(t.lit.length);
    } else if ('frac' in t) {
      const m = /^[.,](\d+)/.exec(v);
      if (!m) {
        if (t.frac[1] === '9') continue;
        throw fail();
      }
      f.nanos = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
      v = v.slice(m[0].length);
    } else {
      switch (t.tok) {
        case 'January': f.month = word(MONTHS, false) + 1; break;
        case 'Jan': f.month = word(MONTHS, true) + 1; break;
        case 'Monday': word(WEEKDAYS, false); break;
        case 'Mon': word(WEEKDAYS, true); break;
        case 'MST': {
          const m = /^[A-Z]{3,5}|^[+-]\d{2}/.exec(v);
          if (!m) throw fail();
          v = v.slice(m[0].length);
          if (m[0] === 'UTC' || m[0] === 'GMT') f.offset = 0;
          break;
        }
        case '2006': f.year = num(/^\d{4}/); break;
        case '06': { const y = num(/^\d{2}/); f.year = y >= 69 ? 1900 + y : 2000 + y; break; }
        case '01': f.month = num(/^\d{2}/); break;
        case '1': f.month = num(/^\d{1,2}/); break;
        case '02': f.day = num(/^\d{2}/); break;
        case '2': f.day = num(/^\d{1,2}/); break;
        case '_2': v = v.replace(/^ /, ''); f.day = num(/^\d{1,2}/); break;
        case '002': case '__2': num(/^ {0,2}\d{1,3}/); break;
        case '15': f.hour = num(/^\d{1,2}/); break;
        case '03': f.hour = num(/^\d{2}/); break;
        case '3': f.hour = num(/^\d{1,2}/); break;
        case '04': f.minute = num(/^\d{2}/); break;
        case '4': f.minute = num(/^\d{1,2}/); break;
        case '05': f.second = num(/^\d{2}/); break;
        case '5': f.second = num(/^\d{1,2}/); break;
        case 'PM': case 'pm': {
          const m = /^(AM|PM)/i.exec(v);
          if (!m) throw fail();
          pm = m[0].toUpperCase() === 'PM';
          v = v.slice(2);
          break;
        }
        default: {
          if (t.tok.startsWith('Z') && (v[0] === 'Z' || v[0] === 'z')) {
            f.offset = 0;
            v = v.slice(1);
            break;
          }
          const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(v);
          if (!m) throw fail();
          f.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
          v = v.slice(m[0].length);
        }
      }
    }
  }
  if (v !== '') throw builtinError(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(v)}`);
  if (pm !== undefined) {
    if (f.hour > 12) throw fail();
    f.hour = (f.hour % 12) + (pm ? 12 : 0);
  }
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 23 || f.minute > 59 || f.second > 59) {
    throw builtinError(`parsing time ${JSON.stringify(value)}: value out of range`);
  }
  return f;
}
