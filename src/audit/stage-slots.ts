/**
 * A stage outcome as it travels from the call path to the audit writer thread: one small
 * integer ((µs + 1) · 32 + stage · 4 + outcome) when it carries no code or reason, else the
 * object itself; and, on the writer's side, straight to its JSON text when all of a record's are
 * packed. Part of the hand-over format in call-fields.ts.
 */
import type { StageOutcome } from '../pipeline/decision.ts';
import type { StageName } from '../pipeline/types.ts';

const STAGE_NAMES: readonly StageName[] = ['identity', 'task-scope', 'policy', 'rate-limit', 'pii', 'audit', 'forward'];
const STAGE_OUTCOMES: readonly StageOutcome['outcome'][] = ['pass', 'deny', 'error'];
/** µs above this do not fit a small integer with the stage and outcome (about 33 s). */
const MAX_PACKED_US = 2 ** 25 - 1;

/** A stage outcome as one small integer ((µs + 1) · 32 + stage · 4 + outcome; µs + 1 = 0 when absent), or the object. */
export function packStage(s: StageOutcome): number | StageOutcome {
  const name = stageIndex(s.stage);
  const outcome = s.outcome === 'pass' ? 0 : s.outcome === 'deny' ? 1 : s.outcome === 'error' ? 2 : -1;
  const us = s.us === undefined ? 0 : s.us + 1;
  if (name < 0 || outcome < 0 || s.code !== undefined || s.reason !== undefined || !Number.isInteger(us) || us < 0 || us > MAX_PACKED_US) return s;
  return us * 32 + name * 4 + outcome;
}

/** The index of a stage name in STAGE_NAMES (a switch: no search on the call path), or -1. */
function stageIndex(name: string): number {
  switch (name) {
    case 'identity':
      return 0;
    case 'task-scope':
      return 1;
    case 'policy':
      return 2;
    case 'rate-limit':
      return 3;
    case 'pii':
      return 4;
    case 'audit':
      return 5;
    case 'forward':
      return 6;
    default:
      return -1;
  }
}

/** JSON of each packed (stage, outcome) pair up to its µs: `{"stage":"policy","outcome":"pass"`. */
const STAGE_JSON: string[] = [];
for (let name = 0; name < STAGE_NAMES.length; name++) {
  for (let outcome = 0; outcome < STAGE_OUTCOMES.length; outcome++) {
    STAGE_JSON[name * 4 + outcome] = JSON.stringify({ stage: STAGE_NAMES[name], outcome: STAGE_OUTCOMES[outcome] }).slice(0, -1);
  }
}

/** JSON.stringify of the stage outcomes when all of them are packed; undefined when one is not. */
export function packedStagesJson(items: unknown[], at: number, n: number): string | undefined {
  let out = '[';
  for (let k = 0; k < n; k++) {
    const slot = items[at + k];
    if (typeof slot !== 'number') return undefined;
    const us = Math.floor(slot / 32);
    out += (k > 0 ? ',' : '') + STAGE_JSON[slot & 31] + (us > 0 ? `,"us":${us - 1}}` : '}');
  }
  return out + ']';
}

export function unpackStage(slot: unknown): StageOutcome {
  if (typeof slot !== 'number') return slot as StageOutcome;
  const outcome: StageOutcome = { stage: STAGE_NAMES[(slot >> 2) & 7]!, outcome: STAGE_OUTCOMES[slot & 3]! };
  const us = Math.floor(slot / 32);
  if (us > 0) outcome.us = us - 1;
  return outcome;
}
