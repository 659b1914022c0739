/** @module `switchyard nodes [TYPE]`: the node catalogue, with each type's ports and parameter schema. */
import pc from 'picocolors';
import { z } from 'zod';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { ExitCode } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';

export function nodesCommand(
  type: string | undefined,
  options: { json?: boolean },
  registry: NodeRegistry,
): number {
  const types = type === undefined ? registry.all() : [registry.get(type)];
  if (types.some((t) => t === undefined)) throw new UsageError(`unknown node type "${type}"`);
  const catalogue = types.map((t) => {
    const shape = t!.shape({});
    return {
      type: t!.type,
      title: t!.title,
      category: t!.category,
      description: t!.description,
      inputs: shape.inputs,
      outputs: [...shape.outputs, 'error'],
      params: z.toJSONSchema(t!.params, { io: 'input', unrepresentable: 'any' }),
    };
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(catalogue, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const entry of catalogue) {
    process.stdout.write(
      `${pc.bold(entry.type.padEnd(12))} ${pc.dim(entry.category.padEnd(9))} ${entry.description}\n`,
    );
    if (type !== undefined) {
      process.stdout.write(
        `  inputs: ${entry.inputs.join(', ') || '(none)'}   outputs: ${entry.outputs.join(', ')}\n`,
      );
      process.stdout.write(`  params: ${JSON.stringify(entry.params, null, 2).replaceAll('\n', '\n  ')}\n`);
    }
  }
  return ExitCode.ok;
}
