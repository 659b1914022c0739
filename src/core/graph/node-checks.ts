/**
 * @module Per-node checks: a known type, parameters that fit the type's schema, literal values where
 * the graph's shape depends on them, and expressions that parse. Expression strings are allowed
 * wherever a parameter takes a value, since their type is only known when they run.
 */
import type { NodeCatalog, NodeShape, NodeTypeSpec } from '../catalog.ts';
import type { ParsedNode } from '../definition/parse.ts';
import { zodProblems } from '../definition/zod-problems.ts';
import { WHOLE_EXPRESSION } from '../expressions/template.ts';
import { compileValue } from '../expressions/value-template.ts';
import { type PathSegment, type Problem, problem } from '../problems.ts';
import { closestName } from './closest-name.ts';

export interface CheckedNode extends ParsedNode {
  readonly spec: NodeTypeSpec;
  readonly shape: NodeShape;
}

export function checkNode(
  node: ParsedNode,
  catalog: NodeCatalog,
  problems: Problem[],
): CheckedNode | undefined {
  const { definition, index } = node;
  const spec = catalog.get(definition.type);
  if (!spec) {
    const guess = closestName(definition.type, catalog.typeNames);
    problems.push(
      problem(
        'SY_WF_UNKNOWN_NODE_TYPE',
        ['nodes', index, 'type'],
        `unknown node type "${definition.type}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
        `Known types: ${catalog.typeNames.join(', ')}.`,
      ),
    );
    return undefined;
  }
  const base: PathSegment[] = ['nodes', index, 'params'];
  const params = definition.params;
  const before = problems.length;

  for (const name of spec.staticParams) {
    const value = params[name];
    if (typeof value === 'string' && value.includes('{{')) {
      problems.push(
        problem(
          'SY_WF_STATIC_PARAM',
          [...base, name],
          `"${name}" must be a literal value, not an expression`,
        ),
      );
    }
  }
  const parsed = spec.params.safeParse(params);
  if (!parsed.success) {
    const tolerated = (path: readonly PathSegment[]) => {
      const value = valueAt(params, path.slice(base.length));
      return !(typeof value === 'string' && WHOLE_EXPRESSION.test(value));
    };
    problems.push(...zodProblems(parsed.error, base, 'SY_WF_PARAMS_INVALID', tolerated));
  }
  const { problems: expressionProblems } = compileValue(params, { skipKeys: spec.rawParams });
  for (const p of expressionProblems) {
    problems.push(
      problem(
        'SY_WF_EXPRESSION',
        [...base, ...p.path],
        `expression does not parse: ${p.message} (at character ${p.offset + 1})`,
      ),
    );
  }
  if (problems.length > before) return undefined;
  return { ...node, spec, shape: spec.shape(params) };
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PathSegment, unknown>)[key];
  }
  return value;
}
