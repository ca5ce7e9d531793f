/**
 * Task tools and their argument constraints: a small JSON-Schema-like subset
 * (enum, const, pattern, prefix, maxLength, minimum, maximum), compiled once per
 * task token, plus the narrowing rules a sub-agent's exchange must follow.
 * Patterns are restricted to a shape that cannot backtrack catastrophically.
 */
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import type { TaskTool } from '../pipeline/types.ts';

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const argConstraintSchema = z.strictObject({
  enum: z.array(primitive).min(1).optional(),
  const: primitive.optional(),
  pattern: z.string().max(256).optional(),
  prefix: z.string().optional(),
  maxLength: z.number().int().nonnegative().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
});
export type ArgConstraint = z.infer<typeof argConstraintSchema>;

export const taskToolSchema = z.strictObject({
  name: z.string().min(1).max(256),
  constraints: z.record(z.string(), argConstraintSchema).optional(),
});

/** One tool of a task, with its constraints compiled. */
export interface CompiledTaskTool {
  readonly tool: TaskTool;
  /** A violation message (`argument path violates constraint prefix /tmp/`), or undefined when the arguments fit. */
  check(args: unknown): string | undefined;
}

/** Rejects patterns that could backtrack exponentially (back-references, lookaround, nested or alternated quantified groups). */
export function assertSafePattern(pattern: string): void {
  const unsafe = (why: string) => new WardenError('WARDEN_TASK_INVALID', `constraint pattern ${pattern} is not allowed: ${why}`);
  if (/\\[1-9]|\\k</.test(pattern)) throw unsafe('back-references');
  if (/\(\?<?[=!]/.test(pattern)) throw unsafe('lookaround');
  // Track, for each open group, whether it holds a quantifier or an alternation.
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ quantified: false, alternation: false });
    else if (c === '|') {
      const top = stack[stack.length - 1];
      if (top) top.alternation = true;
    } else if (c === '*' || c === '+' || c === '{' || (c === '?' && pattern[i - 1] !== '(')) {
      const top = stack[stack.length - 1];
      if (top && c !== '?') top.quantified = true;
    } else if (c === ')') {
      const group = stack.pop();
      if (!group) throw unsafe('unbalanced parentheses');
      const next = pattern[i + 1];
      const groupQuantified = next === '*' || next === '+' || next === '{';
      if (groupQuantified && (group.quantified || group.alternation)) throw unsafe('a quantified group containing a quantifier or alternation');
      const outer = stack[stack.length - 1];
      if (outer && (group.quantified || groupQuantified)) outer.quantified = true;
    }
  }
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    throw unsafe((err as Error).message);
  }
}

/** Compiles a task tool's constraints into a checker. */
export function compileTaskTool(tool: TaskTool): CompiledTaskTool {
  const entries = Object.entries((tool.constraints ?? {}) as Record<string, ArgConstraint>);
  if (entries.length === 0) return { tool, check: () => undefined };
  const checks = entries.map(([arg, c]) => {
    if (c.pattern !== undefined) assertSafePattern(c.pattern);
    const re = c.pattern !== undefined ? new RegExp(c.pattern, 'u') : undefined;
    return { arg, c, re };
  });
  return {
    tool,
    check(args) {
      const obj = args !== null && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
      for (const { arg, c, re } of checks) {
        const v = obj[arg];
        if (v === undefined) return `argument ${arg} is required by the task's constraints`;
        if (c.const !== undefined && v !== c.const) return `argument ${arg} violates constraint const ${JSON.stringify(c.const)}`;
        if (c.enum !== undefined && !c.enum.includes(v as never)) return `argument ${arg} violates constraint enum ${JSON.stringify(c.enum)}`;
        if (c.prefix !== undefined || re !== undefined || c.maxLength !== undefined) {
          if (typeof v !== 'string') return `argument ${arg} must be a string`;
          if (c.maxLength !== undefined && v.length > c.maxLength) return `argument ${arg} violates constraint maxLength ${c.maxLength}`;
          if (c.prefix !== undefined && (!v.startsWith(c.prefix) || hasDotSegment(v))) return `argument ${arg} violates constraint prefix ${c.prefix}`;
          if (re !== undefined && !re.test(v)) return `argument ${arg} violates constraint pattern ${c.pattern}`;
        }
        if (c.minimum !== undefined || c.maximum !== undefined) {
          if (typeof v !== 'number' || Number.isNaN(v)) return `argument ${arg} must be a number`;
          if (c.minimum !== undefined && v < c.minimum) return `argument ${arg} violates constraint minimum ${c.minimum}`;
          if (c.maximum !== undefined && v > c.maximum) return `argument ${arg} violates constraint maximum ${c.maximum}`;
        }
      }
      return undefined;
    },
  };
}

// A prefix like /tmp/ must not be escaped with /tmp/../etc/passwd.
function hasDotSegment(v: string): boolean {
  return /(^|[/\\])\.\.([/\\]|$)/.test(v);
}

/**
 * The tools a child task may have, given its parent's: a subset, each constraint
 * kept or tightened. Omitted tools or constraints are inherited. Throws
 * WARDEN_TASK_WIDENING naming the first thing that would widen the parent.
 */
export function narrowTools(parent: readonly TaskTool[], requested: readonly TaskTool[] | undefined): TaskTool[] {
  if (requested === undefined) return parent.map((t) => ({ ...t }));
  const byName = new Map(parent.map((t) => [t.name, t]));
  return requested.map((child) => {
    const p = byName.get(child.name);
    if (!p) throw widening(`tool ${child.name} is not in the parent task`);
    const pc = (p.constraints ?? {}) as Record<string, ArgConstraint>;
    const cc = (child.constraints ?? {}) as Record<string, ArgConstraint>;
    const merged: Record<string, ArgConstraint> = {};
    for (const arg of new Set([...Object.keys(pc), ...Object.keys(cc)])) {
      merged[arg] = narrowConstraint(child.name, arg, pc[arg], cc[arg]);
    }
    return Object.keys(merged).length ? { name: child.name, constraints: merged } : { name: child.name };
  });
}

function narrowConstraint(tool: string, arg: string, parent: ArgConstraint | undefined, child: ArgConstraint | undefined): ArgConstraint {
  if (!parent) return child!;
  if (!child) return parent;
  const where = `tool ${tool} argument ${arg}`;
  const allowed = parent.const !== undefined ? [parent.const] : parent.enum;
  if (allowed) {
    if (child.const !== undefined && !allowed.includes(child.const)) throw widening(`${where}: const ${JSON.stringify(child.const)} is outside the parent's values`);
    if (child.enum && !child.enum.every((v) => allowed.includes(v))) throw widening(`${where}: enum widens the parent's values`);
  }
  if (parent.pattern !== undefined && child.pattern !== undefined && child.pattern !== parent.pattern) throw widening(`${where}: pattern may not be replaced`);
  if (parent.prefix !== undefined && child.prefix !== undefined && !child.prefix.startsWith(parent.prefix)) throw widening(`${where}: prefix ${child.prefix} does not start with ${parent.prefix}`);
  if (parent.maxLength !== undefined && child.maxLength !== undefined && child.maxLength > parent.maxLength) throw widening(`${where}: maxLength ${child.maxLength} exceeds ${parent.maxLength}`);
  if (parent.minimum !== undefined && child.minimum !== undefined && child.minimum < parent.minimum) throw widening(`${where}: minimum ${child.minimum} is below ${parent.minimum}`);
  if (parent.maximum !== undefined && child.maximum !== undefined && child.maximum > parent.maximum) throw widening(`${where}: maximum ${child.maximum} exceeds ${parent.maximum}`);
  return { ...parent, ...child };
}

function widening(reason: string): WardenError {
  return new WardenError('WARDEN_TASK_WIDENING', `requested task is wider than the parent: ${reason}`);
}
