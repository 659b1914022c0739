/**
 * The multi-agent patterns of examples/patterns, end to end through the server, against the local
 * model server scripted to answer, call tools and vote: pipeline, parallel with an aggregator,
 * supervisor with workers, consensus (agreed and arbitrated), generator/evaluator, role pipeline.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLlmConfig } from '../../src/llm/config/load-llm-config.ts';
import { type MockLlmServer, startMockLlmServer } from '../../src/llm/mock/mock-llm-server.ts';
import type { MockScript } from '../../src/llm/mock/script.ts';
import { call, startServer, type TestServer } from './fixture.ts';

let upstream: MockLlmServer;
let server: TestServer;

beforeAll(async () => {
  upstream = await startMockLlmServer();
  const llm = parseLlmConfig(
    {
      providers: [{ id: 'local', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1` }],
      models: [{ id: 'm', provider: 'local', model: 'mock-m', price: { inputPerMTok: 0, outputPerMTok: 0 } }],
      routes: [{ id: 'default', candidates: ['m'] }],
      retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
    },
    'test',
  );
  server = await startServer({ maxWaitMs: 20_000 }, { llm });
  for (const [id, file] of [
    ['pattern-worker-research', 'workers/research.yaml'],
    ['pattern-worker-math', 'workers/math.yaml'],
  ]) {
    await importPattern(id!, file!);
  }
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

async function importPattern(id: string, file: string): Promise<string> {
  const text = readFileSync(new URL(`../../examples/patterns/${file}`, import.meta.url), 'utf8');
  const imported = await call(server, 'POST', '/api/v1/workflows/import', { id, format: 'yaml', text });
  expect(imported.status).toBe(201);
  expect((await call(server, 'POST', `/api/v1/workflows/${id}/versions`, {})).status).toBe(201);
  return id;
}

let runs = 0;
async function runPattern(file: string, input: unknown, script: MockScript = { rules: [] }) {
  upstream.setScript(script);
  const id = await importPattern(`pattern-${++runs}`, file);
  const answer = await call(server, 'POST', `/api/v1/workflows/${id}/executions?wait=true`, { input });
  expect(answer.body.error ?? null).toBeNull();
  expect(answer.body.status).toBe('succeeded');
  return answer.body.output;
}

describe('multi-agent patterns', () => {
  it("pipeline: each agent works on the previous one's output", async () => {
    const output = await runPattern('pipeline.yaml', { topic: 'tides' });
    expect(output.researched).toBe('Echo: tides');
    expect(output.drafted).toBe('Echo: Echo: tides');
    expect(output.article).toBe('Echo: Echo: Echo: tides');
  });

  it('parallel with an aggregator: three views at once, then one conclusion over all of them', async () => {
    const output = await runPattern('parallel-aggregate.yaml', { question: 'rates?' });
    expect(output.conclusion).toBe('Echo: Best: Echo: rates?\nWorst: Echo: rates?\nLikely: Echo: rates?');
  });

  it('supervisor: the manager delegates to worker workflows as tools, then answers', async () => {
    const output = await runPattern(
      'supervisor.yaml',
      { task: 'TASK: sum the tide facts' },
      {
        rules: [
          {
            contains: 'TASK',
            times: 1,
            reply: { toolCalls: [{ name: 'research', arguments: { subject: 'tides' } }] },
          },
          {
            contains: 'TASK',
            times: 1,
            reply: { toolCalls: [{ name: 'calculate', arguments: { numbers: [1, 2, 3] } }] },
          },
        ],
      },
    );
    expect(output.delegations.map((d: { tool: string }) => d.tool)).toEqual(['research', 'calculate']);
    expect(output.answer).toContain('"sum":6');
    // The research worker's own model call, inside the sub-workflow.
    expect(upstream.requests.some((r) => JSON.stringify(r.body).includes('"content":"tides"'))).toBe(true);
  });

  it('consensus: a quorum decides', async () => {
    const output = await runPattern(
      'consensus.yaml',
      { question: 'ship it?' },
      { rules: [{ times: 3, reply: { text: 'Yes' } }] },
    );
    expect(output).toEqual({ answer: 'Yes', by: 'vote', counts: { Yes: 3 } });
  });

  it('consensus: a split goes to the arbiter', async () => {
    // Another question: the judges answer at temperature 0, so the same one would come from the cache.
    const output = await runPattern(
      'consensus.yaml',
      { question: 'ship it today?' },
      {
        rules: [
          { times: 1, reply: { text: 'yes' } },
          { times: 1, reply: { text: 'no' } },
          { times: 1, reply: { text: 'maybe' } },
          { reply: { text: 'no, after all' } },
        ],
      },
    );
    expect(output).toEqual({ answer: 'no, after all', by: 'arbiter' });
  });

  it('generator/evaluator: rounds until the score passes the threshold', async () => {
    const output = await runPattern(
      'generator-evaluator.yaml',
      { brief: 'coffee' },
      {
        rules: [
          { contains: 'Echo: Brief', times: 1, reply: { json: { score: 0.3, feedback: 'shorter' } } },
          { contains: 'Echo: Brief', times: 1, reply: { json: { score: 0.9, feedback: 'good' } } },
        ],
      },
    );
    expect(output.score).toBe(0.9);
    expect(output.slogan).toBe('Echo: Brief: coffee\nFeedback: shorter');
  });

  it('role pipeline: intent → plan → safety → route → execute → report, and the safety checker can stop it', async () => {
    const script = (safe: boolean): MockScript => ({
      rules: [
        { contains: 'REQ', times: 1, reply: { json: { intent: 'question', summary: 'SUMMARY-X' } } },
        { contains: 'SUMMARY-X', times: 1, reply: { json: { steps: ['step-a', 'step-b'] } } },
        { contains: 'step-a', times: 1, reply: { json: { safe, reason: safe ? 'fine' : 'too risky' } } },
      ],
    });
    const done = await runPattern('role-pipeline.yaml', { request: 'REQ what is x?' }, script(true));
    expect(done).toEqual({
      report: 'Echo: Echo: SUMMARY-X',
      intent: 'question',
      steps: ['step-a', 'step-b'],
    });
    const refused = await runPattern(
      'role-pipeline.yaml',
      { request: 'REQ delete everything' },
      script(false),
    );
    expect(refused).toEqual({ refused: 'too risky' });
  });
});
