/**
 * Engine overhead benchmarks (issue 2): a 10,000-node chain, a 1,000-wide fan-out, and in-memory
 * executions per second of a 5-node workflow. Nodes here do no work of their own (`noop`), so the
 * time measured is the engine's: scheduling, bookkeeping, policies, events. The baseline is the same
 * node functions awaited in a plain loop in the same process, so ratios survive a noisy machine.
 *
 *   npm run bench            (writes bench/results/engine-DATE.json and prints a table)
 */
import { cpus, platform, release } from 'node:os';
import type { CompiledWorkflow } from '../src/core/graph/compiled.ts';
import { validateWorkflow } from '../src/core/validate.ts';
import { ExecutionRun } from '../src/runtime/execution-run.ts';
import { noopNode, registry, services } from './bench-setup.ts';

function compile(document: unknown): CompiledWorkflow {
  const { workflow, problems } = validateWorkflow(document, registry);
  if (!workflow) throw new Error(JSON.stringify(problems, null, 2));
  return workflow;
}

function chain(length: number): CompiledWorkflow {
  const nodes: unknown[] = [{ id: 'start', type: 'start' }];
  const edges: unknown[] = [];
  for (let i = 0; i < length; i++) {
    nodes.push({ id: `n${i}`, type: 'noop' });
    edges.push({ from: i === 0 ? 'start' : `n${i - 1}`, to: `n${i}` });
  }
  return compile({ format: 'switchyard/v1', name: 'chain', nodes, edges });
}

function fanOut(width: number): CompiledWorkflow {
  const nodes: unknown[] = [
    { id: 'start', type: 'start' },
    { id: 'split', type: 'parallel' },
    { id: 'join', type: 'merge', params: { mode: 'all' } },
  ];
  const edges: unknown[] = [{ from: 'start', to: 'split' }];
  for (let i = 0; i < width; i++) {
    nodes.push({ id: `b${i}`, type: 'noop' });
    edges.push({ from: 'split', to: `b${i}` }, { from: `b${i}`, to: 'join' });
  }
  return compile({ format: 'switchyard/v1', name: 'fan-out', settings: { concurrency: 1000 }, nodes, edges });
}

function fiveNodes(withExpressions: boolean): CompiledWorkflow {
  const condition = withExpressions ? '{{ total > 100 }}' : true;
  const fields = withExpressions ? { doubled: '{{ total * 2 }}' } : { doubled: 2 };
  return compile({
    format: 'switchyard/v1',
    name: 'five',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'enrich', type: 'set', params: { fields } },
      { id: 'big', type: 'condition', params: { condition } },
      { id: 'tag', type: 'set', params: { fields: { tier: 'gold' } } },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'enrich' },
      { from: 'enrich', to: 'big' },
      { from: 'big.true', to: 'tag' },
      { from: 'tag', to: 'done' },
    ],
  });
}

let counter = 0;
async function execute(workflow: CompiledWorkflow, input: unknown): Promise<void> {
  const result = await new ExecutionRun(services, workflow, {
    executionId: `bench-${counter++}`,
    input,
  }).run();
  if (result.status !== 'succeeded')
    throw new Error(`benchmark execution ${result.status}: ${result.error?.message}`);
}

/** The same node functions awaited one after another with no engine: the floor under any engine. */
async function baselineChain(length: number): Promise<void> {
  let value: unknown = { n: 1 };
  for (let i = 0; i < length; i++) {
    const out = await noopNode.run({} as never, {
      params: {},
      input: value,
      inputs: {},
      arrivals: [],
      loops: [],
    });
    value = out.out;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function sample(runs: number, once: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.max(2, runs >> 2); i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await once();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

async function throughput(seconds: number, workflow: CompiledWorkflow): Promise<number[]> {
  const perSecond: number[] = [];
  for (let round = 0; round < 5; round++) {
    const deadline = performance.now() + (seconds * 1000) / 5;
    let count = 0;
    while (performance.now() < deadline) {
      await execute(workflow, { total: 150 });
      count++;
    }
    perSecond.push((count * 5) / seconds);
  }
  return perSecond;
}

async function main(): Promise<void> {
  const chainWorkflow = chain(10_000);
  const fanWorkflow = fanOut(1000);
  const chainMs = await sample(15, () => execute(chainWorkflow, { n: 1 }));
  const baselineMs = await sample(15, () => baselineChain(10_000));
  const fanMs = await sample(15, () => execute(fanWorkflow, { n: 1 }));
  const staticRate = await throughput(5, fiveNodes(false));
  const expressionRate = await throughput(5, fiveNodes(true));

  const chainPerNodeUs = (median(chainMs) * 1000) / 10_001;
  const baselinePerNodeUs = (median(baselineMs) * 1000) / 10_000;
  const results = {
    date: new Date().toISOString(),
    command: 'npm run bench',
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    chain10k: {
      medianMs: median(chainMs),
      perNodeUs: chainPerNodeUs,
      engineOverheadPerNodeUs: chainPerNodeUs - baselinePerNodeUs,
      baselinePerNodeUs,
      samplesMs: chainMs,
    },
    fanOut1k: { medianMs: median(fanMs), perNodeUs: (median(fanMs) * 1000) / 1003, samplesMs: fanMs },
    fiveNodeStatic: { medianPerSecond: median(staticRate), samples: staticRate },
    fiveNodeExpressions: { medianPerSecond: median(expressionRate), samples: expressionRate },
  };
  const { writeFile } = await import('node:fs/promises');
  const file = new URL(`./results/engine-${results.date.slice(0, 10)}.json`, import.meta.url);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  const rows = [
    [
      '10,000-node chain',
      `${results.chain10k.medianMs.toFixed(1)} ms`,
      `${chainPerNodeUs.toFixed(2)} µs/node (baseline ${baselinePerNodeUs.toFixed(2)}, engine ${results.chain10k.engineOverheadPerNodeUs.toFixed(2)})`,
    ],
    [
      '1,000-wide fan-out + merge',
      `${results.fanOut1k.medianMs.toFixed(1)} ms`,
      `${results.fanOut1k.perNodeUs.toFixed(2)} µs/node`,
    ],
    [
      '5-node workflow, literal params',
      `${Math.round(results.fiveNodeStatic.medianPerSecond)} exec/s`,
      `${(1e6 / results.fiveNodeStatic.medianPerSecond).toFixed(1)} µs/exec`,
    ],
    [
      '5-node workflow, 2 JSONata expressions',
      `${Math.round(results.fiveNodeExpressions.medianPerSecond)} exec/s`,
      `${(1e6 / results.fiveNodeExpressions.medianPerSecond).toFixed(1)} µs/exec`,
    ],
  ];
  process.stdout.write(`${results.machine.cpu} · ${results.machine.node} · ${results.date}\n`);
  for (const row of rows) process.stdout.write(`${row[0]!.padEnd(40)} ${row[1]!.padEnd(14)} ${row[2]}\n`);
  process.stdout.write(`wrote ${file.pathname}\n`);
}

await main();
