/**
 * @module A node's parameters at run time: templates compiled once per workflow, evaluated per run
 * (only when they hold expressions), then checked against the node's schema.
 */

import {
  type CompiledValue,
  compileValue,
  isStaticValue,
  staticValueOf,
} from '../core/expressions/value-template.ts';
import type { CompiledNode } from '../core/graph/compiled.ts';
import { formatPath } from '../core/problems.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { ExpressionEngine } from '../expressions/engine.ts';

interface PreparedParams {
  readonly template: CompiledValue;
  /** Parsed once, when no expression can change them. */
  readonly parsed: { readonly value: unknown } | undefined;
}

const prepared = new WeakMap<CompiledNode, PreparedParams>();

function prepare(node: CompiledNode): PreparedParams {
  let entry = prepared.get(node);
  if (!entry) {
    const { compiled } = compileValue(node.definition.params, { skipKeys: node.spec.rawParams });
    entry = {
      template: compiled,
      parsed: isStaticValue(compiled) ? { value: check(node, staticValueOf(compiled)) } : undefined,
    };
    prepared.set(node, entry);
  }
  return entry;
}

/** Whether the node's parameters need expression variables at all (lets the runner skip building them). */
export function needsVariables(node: CompiledNode): boolean {
  return prepare(node).parsed === undefined;
}

export async function resolveParams(
  node: CompiledNode,
  engine: ExpressionEngine,
  variables: () => Readonly<Record<string, unknown>>,
): Promise<unknown> {
  const entry = prepare(node);
  if (entry.parsed) return entry.parsed.value;
  const evaluated = await engine.evaluate(entry.template, variables());
  return check(node, evaluated);
}

function check(node: CompiledNode, value: unknown): unknown {
  const parsed = node.spec.params.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = formatPath([
    'params',
    ...issue.path.filter((k): k is string | number => typeof k !== 'symbol'),
  ]);
  throw new SwitchyardError('SY_NODE_PARAMS_INVALID', `node "${node.id}": ${path}: ${issue.message}`, {
    path,
    details: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  });
}
