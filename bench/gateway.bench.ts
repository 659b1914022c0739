/**
 * LLM gateway benchmark: the latency `switchyard serve` adds to a chat completion over calling the
 * same local upstream (`switchyard mock-llm`) directly — same request bodies, same client, same run —
 * and the highest request rate the gateway sustains with the response cache off and on.
 *
 * Both servers run as child processes, as a user starts them (the gateway on a fresh data dir with
 * embedded SQLite, every call written to the ledger, API rate limits off). Each round measures, with
 * direct and gateway interleaved (the order flips every round):
 *   - fixed rate: non-streaming completions sent at an even 100 and 1,000 requests/s for BENCH_SECONDS by an
 *     open-loop paced client (undici, many connections); latency is send → last body byte, in µs.
 *     (autocannon's `overallRate` sends each second's quota in a burst at the top of the second, and
 *     its histogram has 1 ms resolution, so it is not used here.) Every prompt differs: cache misses.
 *   - streams: 1 and 200 concurrent streaming completions (~50 deltas of 4 characters each), each
 *     stream read to the end: time to first token (first non-empty delta) and total time, on
 *     connections opened by an unmeasured first stream per worker.
 *   - max rate: autocannon, closed loop, BENCH_CONNECTIONS connections, non-streaming: direct and
 *     gateway with the cache off (unique prompts, temperature 0.7), the same with a one-delta answer
 *     (to tell per-call from per-delta cost), and the gateway with the cache on (one prompt, temperature 0).
 * The gateway's RSS is sampled (idle after warm-up, peak), and its ledger (GET /api/v1/usage) must
 * have grown by at least the number of answers the clients counted.
 * Medians over BENCH_ROUNDS rounds are reported; every round is kept in the JSON file. Client, gateway
 * and upstream share the machine's cores, so the gateway's numbers include that contention.
 *
 *   npm run bench:gateway     (writes bench/results/gateway-DATE.json and prints a table)
 *   BENCH_ROUNDS=3 BENCH_SECONDS=10 BENCH_CONNECTIONS=64 npm run bench:gateway
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { api, rssMb, START_FLAGS, waitReady } from './serve-helpers.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const RATES = [100, 1000] as const;
const STREAMED_COMPLETIONS = { 1: 200, 200: 2000 } as const;
const MODEL = 'mock-small';
/** ~50 tokens, streamed 4 characters per delta. */
const ANSWER =
  'The gateway forwards this answer from the local upstream in small pieces, so that a streaming client ' +
  'sees many deltas and the benchmark can time the first token and the last one, just as with a real model.';

// ── processes ──────────────────────────────────────────────────────────────────────────────────

/** Starts `switchyard mock-llm` on a free port and resolves with its base URL. */
function startUpstream(scriptFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['bin/switchyard.js', 'mock-llm', '--port', '0', '--script', scriptFile],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`mock-llm exited with ${code}`)));
  });
}

let stopping = false;

async function stop(child: ChildProcess): Promise<void> {
  stopping = true;
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// ── measurements ───────────────────────────────────────────────────────────────────────────────

interface Target {
  readonly name: 'direct' | 'gateway';
  readonly url: string;
  readonly headers: Record<string, string>;
}

const agent = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
let promptId = 0;

/** `cached`: one prompt at temperature 0, answered from the cache after the first time. `short`: a one-delta answer. */
function body(stream: boolean, kind: 'long' | 'short' | 'cached' = 'long'): string {
  const prompt = {
    long: `question ${++promptId}`,
    short: `[short] question ${++promptId}`,
    cached: 'the same question',
  };
  return JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: prompt[kind] }],
    temperature: kind === 'cached' ? 0 : 0.7,
    ...(stream ? { stream: true } : {}),
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const ms = (value: number) => Math.round(value * 1000) / 1000;

function summary(samples: number[]) {
  const sorted = samples.toSorted((a, b) => a - b);
  return { p50: ms(percentile(sorted, 50)), p99: ms(percentile(sorted, 99)), max: ms(sorted.at(-1) ?? 0) };
}

/** Counts a failed request under its HTTP status or error code. */
function fail(failures: Record<string, number>, key: string | number): void {
  failures[key] = (failures[key] ?? 0) + 1;
}

const sum = (failures: Record<string, number>) => Object.values(failures).reduce((a, b) => a + b, 0);

/** Open loop: request i is sent at start + i/rate s, whatever the earlier ones are doing. */
async function fixedRate(target: Target, rate: number) {
  const total = rate * SECONDS;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let lateMs = 0;
  const inFlight: Promise<void>[] = [];
  const send = async () => {
    const sent = performance.now();
    try {
      const response = await request(target.url, {
        method: 'POST',
        headers: target.headers,
        body: body(false),
        dispatcher: agent,
      });
      await response.body.arrayBuffer();
      if (response.statusCode === 200) latencies.push(performance.now() - sent);
      else fail(failures, response.statusCode);
    } catch (error) {
      fail(failures, (error as { code?: string }).code ?? 'error');
    }
  };
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    if (due - next > 1) lateMs = Math.max(lateMs, (due - next - 1) * (1000 / rate));
    while (next < due) {
      inFlight.push(send());
      next++;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  return {
    ...summary(latencies),
    ok: latencies.length,
    failed: sum(failures),
    failures,
    sentPerSecond: Math.round(total / sendSeconds),
    /** Answers per second from the first send to the last answer: below the rate when the server falls behind. */
    answeredPerSecond: Math.round(latencies.length / seconds),
    lateMs,
  };
}

/**
 * `concurrency` workers, each streaming completions back to back until `count` are done. First each
 * worker streams one unmeasured, so that every connection is open before the timing starts: a
 * gateway's clients keep theirs, and between rounds idle ones are closed (the upstream after 5 s).
 * Opening 200 at once would time how fast a busy server accepts connections instead (libuv takes
 * one per turn of the event loop): in session 7, seconds for the last few.
 */
async function streams(target: Target, concurrency: 1 | 200) {
  await streamed(target, concurrency, concurrency);
  return streamed(target, concurrency, STREAMED_COMPLETIONS[concurrency]);
}

async function streamed(target: Target, concurrency: number, count: number) {
  const firstToken: number[] = [];
  const totals: number[] = [];
  const failures: Record<string, number> = {};
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const sent = performance.now();
      try {
        const response = await request(target.url, {
          method: 'POST',
          headers: target.headers,
          body: body(true),
          dispatcher: agent,
        });
        let first = 0;
        let text = '';
        for await (const chunk of response.body) {
          text += (chunk as Buffer).toString();
          if (first === 0 && /"content":"[^"]/.test(text)) first = performance.now() - sent;
        }
        if (response.statusCode !== 200) fail(failures, response.statusCode);
        else if (first === 0 || !text.includes('[DONE]')) fail(failures, 'incomplete stream');
        else {
          firstToken.push(first);
          totals.push(performance.now() - sent);
        }
      } catch (error) {
        fail(failures, (error as { code?: string }).code ?? 'error');
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  return {
    firstTokenMs: summary(firstToken),
    totalMs: summary(totals),
    ok: totals.length,
    failed: sum(failures),
    failures,
    streamsPerSecond: Math.round(totals.length / seconds),
  };
}

/** Closed loop: as fast as the server answers. */
async function maxRate(target: Target, kind: 'long' | 'short' | 'cached') {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { ...target.headers },
    // `[<id>]` becomes a unique id per request: every prompt differs, so nothing is served from the cache.
    body:
      kind === 'cached' ? body(false, kind) : body(false, kind).replace(/question \d+/, 'question [<id>]'),
    idReplacement: kind !== 'cached',
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    completed: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: result.statusCodeStats,
  };
}

type MaxRate = Awaited<ReturnType<typeof maxRate>>;
interface Measured {
  readonly fixedRate100: Awaited<ReturnType<typeof fixedRate>>;
  readonly fixedRate1000: Awaited<ReturnType<typeof fixedRate>>;
  readonly streams1: Awaited<ReturnType<typeof streams>>;
  readonly streams200: Awaited<ReturnType<typeof streams>>;
  readonly maxRate: MaxRate;
  readonly maxRateShort: MaxRate;
}
interface Round {
  readonly direct: Measured;
  readonly gateway: Measured;
  readonly gatewayCached: MaxRate;
}

// ── the run ────────────────────────────────────────────────────────────────────────────────────

const median = (values: readonly number[]) => {
  const sorted = values.toSorted((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'switchyard-gateway-bench-'));
const scriptFile = join(dir, 'script.json');
writeFileSync(
  scriptFile,
  JSON.stringify({
    rules: [
      { contains: '[short]', reply: { text: 'A short answer.', chunkSize: 64 } },
      { reply: { text: ANSWER, chunkSize: 4 } },
    ],
  }),
);
const upstream = await startUpstream(scriptFile);
const port = 3000 + Math.floor(Math.random() * 2000);
const gatewayBase = `http://127.0.0.1:${port}`;
const configFile = join(dir, 'llm.yaml');
writeFileSync(
  configFile,
  JSON.stringify({
    providers: [{ id: 'local', kind: 'openai-compatible', baseUrl: `${upstream.url}/v1` }],
    models: [{ id: MODEL, provider: 'local', price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } }],
  }),
);
const gatewayProcess = spawn(
  process.execPath,
  [...START_FLAGS, 'bin/switchyard.js', 'serve', '--port', String(port)],
  {
    env: {
      ...process.env,
      SWITCHYARD_DATA_DIR: join(dir, 'data'),
      SWITCHYARD_LLM_CONFIG: configFile,
      SWITCHYARD_RATE_LIMIT_API: '0',
      SWITCHYARD_LOG_LEVEL: 'warn',
      SWITCHYARD_LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const pid = gatewayProcess.pid ?? 0;
gatewayProcess.once('exit', (code, signal) => {
  if (!stopping) process.stderr.write(`gateway exited early: code ${code}, signal ${signal}\n`);
});
let peakRssMb = 0;
const sampler = setInterval(() => {
  peakRssMb = Math.max(peakRssMb, rssMb(pid));
}, 250);
try {
  await waitReady(gatewayBase);
  const session = await api(gatewayBase, '', 'POST', '/api/v1/auth/signup', {
    email: 'bench@example.com',
    password: 'benchmark passphrase',
  });
  const accessToken = String(session.accessToken);
  const created = await api(gatewayBase, accessToken, 'POST', '/api/v1/api-keys', {
    name: 'bench',
    scopes: ['read', 'run'],
  });
  const json = { 'content-type': 'application/json' };
  const direct: Target = { name: 'direct', url: `${upstream.url}/v1/chat/completions`, headers: json };
  const gateway: Target = {
    name: 'gateway',
    url: `${gatewayBase}/v1/chat/completions`,
    headers: { ...json, authorization: `Bearer ${String(created.key)}` },
  };
  // Warm up both paths (JIT, connections, the cache entry for the cached scenario).
  for (const target of [direct, gateway]) {
    await streams(target, 1);
    await maxRate(target, 'long');
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleRssMb = rssMb(pid);
  const usage = async () => {
    const answer = await api(gatewayBase, accessToken, 'GET', '/api/v1/usage?by=model');
    return answer.total as { calls: number; cacheHits: number };
  };
  const ledgerBefore = await usage();

  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [direct, gateway] : [gateway, direct];
    const measured = new Map<Target['name'], Measured>();
    for (const target of order) {
      process.stdout.write(`round ${round + 1}/${ROUNDS}: ${target.name}\n`);
      measured.set(target.name, {
        fixedRate100: await fixedRate(target, RATES[0]),
        fixedRate1000: await fixedRate(target, RATES[1]),
        streams1: await streams(target, 1),
        streams200: await streams(target, 200),
        maxRate: await maxRate(target, 'long'),
        maxRateShort: await maxRate(target, 'short'),
      });
    }
    const cached = await maxRate(gateway, 'cached');
    rounds.push({
      direct: measured.get('direct')!,
      gateway: measured.get('gateway')!,
      gatewayCached: cached,
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const ledgerAfter = await usage();
  clearInterval(sampler);

  const med = (pick: (round: Round) => number) => ms(median(rounds.map(pick)));
  const latencyRow = (
    scenario: string,
    pick: (m: Measured) => { p50: number; p99: number },
    rate: number,
  ) => ({
    scenario,
    direct: { p50: med((r) => pick(r.direct).p50), p99: med((r) => pick(r.direct).p99) },
    gateway: { p50: med((r) => pick(r.gateway).p50), p99: med((r) => pick(r.gateway).p99) },
    // The median of each round's difference: direct and gateway of one round ran minutes apart at most.
    added: {
      p50: med((r) => pick(r.gateway).p50 - pick(r.direct).p50),
      p99: med((r) => pick(r.gateway).p99 - pick(r.direct).p99),
    },
    requestsPerSecond: rate,
  });
  const table = [
    // For the fixed rates: the gateway's answers per second (the rate offered is in the name).
    latencyRow(
      'non-streaming, fixed 100 req/s',
      (m) => m.fixedRate100,
      med((r) => r.gateway.fixedRate100.answeredPerSecond),
    ),
    latencyRow(
      'non-streaming, fixed 1,000 req/s',
      (m) => m.fixedRate1000,
      med((r) => r.gateway.fixedRate1000.answeredPerSecond),
    ),
    latencyRow(
      '1 stream: first token',
      (m) => m.streams1.firstTokenMs,
      med((r) => r.gateway.streams1.streamsPerSecond),
    ),
    latencyRow(
      '1 stream: total',
      (m) => m.streams1.totalMs,
      med((r) => r.gateway.streams1.streamsPerSecond),
    ),
    latencyRow(
      '200 streams: first token',
      (m) => m.streams200.firstTokenMs,
      med((r) => r.gateway.streams200.streamsPerSecond),
    ),
    latencyRow(
      '200 streams: total',
      (m) => m.streams200.totalMs,
      med((r) => r.gateway.streams200.streamsPerSecond),
    ),
  ];
  const maxRow = (scenario: string, pick: (round: Round) => MaxRate) => ({
    scenario,
    requestsPerSecond: med((r) => pick(r).requestsPerSecond),
    p50: med((r) => pick(r).latencyMs.p50),
    p99: med((r) => pick(r).latencyMs.p99),
  });
  const max = [
    maxRow('direct', (r) => r.direct.maxRate),
    maxRow('gateway, cache off', (r) => r.gateway.maxRate),
    maxRow('direct, 1-delta answer', (r) => r.direct.maxRateShort),
    maxRow('gateway, 1-delta answer', (r) => r.gateway.maxRateShort),
    maxRow('gateway, cache on', (r) => r.gatewayCached),
  ];
  const gatewayRequests = rounds.reduce(
    (sum, r) =>
      sum +
      r.gateway.fixedRate100.ok +
      r.gateway.fixedRate1000.ok +
      r.gateway.streams1.ok +
      r.gateway.streams200.ok +
      r.gateway.maxRate.completed +
      r.gateway.maxRateShort.completed +
      r.gatewayCached.completed,
    0,
  );
  const failures = rounds.reduce(
    (sum, r) =>
      sum +
      [r.direct, r.gateway].reduce(
        (s, m) =>
          s +
          m.fixedRate100.failed +
          m.fixedRate1000.failed +
          m.streams1.failed +
          m.streams200.failed +
          m.maxRate.non2xx +
          m.maxRate.errors +
          m.maxRateShort.non2xx +
          m.maxRateShort.errors,
        0,
      ) +
      r.gatewayCached.non2xx +
      r.gatewayCached.errors,
    0,
  );
  const date = new Date().toISOString();
  const results = {
    date,
    command: 'npm run bench:gateway',
    settings: {
      rounds: ROUNDS,
      seconds: SECONDS,
      rates: RATES,
      connections: CONNECTIONS,
      streamedCompletions: STREAMED_COMPLETIONS,
    },
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    loadAverageAtEnd: loadavg(),
    gatewayRssMb: { idle: idleRssMb, peak: peakRssMb },
    ledger: {
      callsAdded: ledgerAfter.calls - ledgerBefore.calls,
      cacheHitsAdded: ledgerAfter.cacheHits - ledgerBefore.cacheHits,
      gatewayRequestsAnswered: gatewayRequests,
      // Requests a client abandoned (autocannon stopping) are still completed and recorded: ≥, not =.
      complete: ledgerAfter.calls - ledgerBefore.calls >= gatewayRequests,
    },
    failures,
    medians: { latency: table, maxRate: max },
    rounds,
  };
  const file = new URL(`./results/gateway-${date.slice(0, 10)}.json`, import.meta.url);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  const pair = (v: { p50: number; p99: number }) => `${v.p50.toFixed(2)} / ${v.p99.toFixed(2)}`;
  process.stdout.write(
    '\nscenario                          | direct p50/p99 ms | gateway p50/p99 ms | added p50/p99 ms | req/s\n',
  );
  for (const row of table)
    process.stdout.write(
      `${row.scenario.padEnd(33)} | ${pair(row.direct).padEnd(17)} | ${pair(row.gateway).padEnd(18)} | ${pair(row.added).padEnd(16)} | ${row.requestsPerSecond}\n`,
    );
  for (const row of max)
    process.stdout.write(
      `max rate, ${row.scenario.padEnd(23)} | ${row.requestsPerSecond} req/s · p50 ${row.p50} ms · p99 ${row.p99} ms\n`,
    );
  process.stdout.write(
    `gateway RSS idle ${idleRssMb} MB, peak ${peakRssMb} MB · ledger +${results.ledger.callsAdded} calls (${results.ledger.cacheHitsAdded} cache hits) for ${gatewayRequests} answered${results.ledger.complete ? '' : ' (LEDGER SHORT)'} · failures ${failures}\n`,
  );
  process.stdout.write(`wrote ${file.pathname}\n`);
} finally {
  clearInterval(sampler);
  await stop(gatewayProcess);
  await stop(upstream.child);
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
}
