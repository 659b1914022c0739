/**
 * @module What a compiled expression's syntax tree holds that matters before it runs: its regex
 * literals (each must run on the linear engine) and whether it calls `$toMillis`.
 */
import type jsonata from 'jsonata';

export interface ExpressionScan {
  readonly regexes: readonly RegExp[];
  readonly variables: ReadonlySet<string>;
}

/** Walks every object in the tree: JSONata keeps sub-expressions under many different keys. */
export function scanExpression(ast: jsonata.ExprNode): ExpressionScan {
  const regexes: RegExp[] = [];
  const variables = new Set<string>();
  const seen = new Set<object>();
  const pending: unknown[] = [ast];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof RegExp) {
      regexes.push(node);
      continue;
    }
    const fields = node as { type?: unknown; value?: unknown };
    if (fields.type === 'variable' && typeof fields.value === 'string') variables.add(fields.value);
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push(child);
    }
  }
  return { regexes, variables };
}
