/** Walking a parsed module (or any part of one) without caring for node kinds. */

/** Whether `test` holds for `node` or anything under it (source locations and annotations are skipped). */
export function someNode(node: unknown, test: (n: Record<string, unknown>) => boolean): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((child) => someNode(child, test));
  const n = node as Record<string, unknown>;
  if (test(n)) return true;
  for (const key in n) {
    if (key === 'loc' || key === 'annotations') continue;
    if (someNode(n[key], test)) return true;
  }
  return false;
}
