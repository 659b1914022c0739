/** The `switchyard` command as a user runs it: a real child process, real files, real exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-cli-data-'));

function switchyard(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'bin/switchyard.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', SWITCHYARD_DATA_DIR: dataDir },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'switchyard-cli-')), name);
  writeFileSync(file, text);
  return file;
}

describe('switchyard validate', () => {
  it('accepts every example', () => {
    const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'));
    const result = switchyard('validate', ...examples.map((f) => `examples/${f}`));
    expect(result.code).toBe(0);
    expect(result.stdout.match(/: valid/g)).toHaveLength(examples.length);
  });

  it('reports every problem with line, path, code and hint, and exits 1', () => {
    const file = tempFile(
      'broken.yaml',
      [
        'format: switchyard/v1',
        'name: broken',
        'nodes:',
        '  - id: start',
        '    type: start',
        '  - id: fetch',
        '    type: condition',
        '    params:',
        '      condition: "{{ amount > }}"',
        '  - id: start',
        '    type: set',
        '    params: { fields: {} }',
        'edges:',
        '  - { from: start, to: nowhere }',
      ].join('\n'),
    );
    const result = switchyard('validate', file, '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; problems: Array<Record<string, unknown>> };
    expect(report.valid).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'SY_WF_EXPRESSION', path: 'nodes[1].params.condition', line: 9 }),
        expect.objectContaining({ code: 'SY_WF_DUPLICATE_ID', path: 'nodes[2].id', line: 10 }),
        expect.objectContaining({ code: 'SY_WF_DANGLING_EDGE', path: 'edges[0].to', line: 14 }),
      ]),
    );
    for (const p of report.problems) expect(typeof p.hint).toBe('string');
    const human = switchyard('validate', file);
    expect(human.stdout).toContain(`${file}:9:`);
    expect(human.stdout).toContain('hint:');
  });

  it('gives the line and column of malformed YAML and JSON', () => {
    const yaml = switchyard(
      'validate',
      tempFile('bad.yaml', 'format: switchyard/v1\nnodes:\n  - id: [unclosed\n'),
      '--json',
    );
    expect(yaml.code).toBe(1);
    expect(JSON.parse(yaml.stdout).problems[0]).toMatchObject({
      code: 'SY_WF_PARSE',
      line: expect.any(Number),
    });
    const json = switchyard(
      'validate',
      tempFile('bad.json', '{\n  "format": "switchyard/v1",\n  "name": oops\n}'),
      '--json',
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).problems[0]).toMatchObject({ code: 'SY_WF_PARSE', line: 3, column: 11 });
  });
});

describe('switchyard run', () => {
  it('runs an example and prints its output (exit 0)', () => {
    const result = switchyard(
      'run',
      'examples/order-triage.yaml',
      '--input-file',
      'examples/order-triage.input.json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ order: 'ord-1042', total: 124.8, route: 'eu-warehouse' });
    expect(result.stderr).toContain('✔ total');
  });

  it('--json prints one machine-readable document and no progress', () => {
    const result = switchyard('run', 'examples/hello.yaml', '--input', '{"name":"Grace"}', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'succeeded',
      output: { message: 'Hello, Grace!', letters: 5 },
    });
  });

  it('exits 2 when the execution fails, and says where and why', () => {
    const file = tempFile(
      'fails.yaml',
      'format: switchyard/v1\nname: fails\nnodes:\n  - { id: start, type: start }\n  - { id: boom, type: fail, params: { message: "no stock" } }\nedges:\n  - { from: start, to: boom }\n',
    );
    const result = switchyard('run', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('failed in node "boom"');
    expect(result.stderr).toContain('SY_FAIL_NODE: no stock');
  });

  it('exits 1 on an invalid workflow and 64 on bad input JSON', () => {
    expect(
      switchyard('run', tempFile('empty.yaml', 'format: switchyard/v1\nname: x\nnodes: []\n')).code,
    ).toBe(1);
    const bad = switchyard('run', 'examples/hello.yaml', '--input', '{nope');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('SY_CLI_INPUT');
  });
});

describe('switchyard run --durable', () => {
  it('stores the workflow, pins a version, checkpoints every node and resumes what a killed run left', async () => {
    const slow = tempFile(
      'slow.yaml',
      [
        'format: switchyard/v1',
        'name: slow-durable',
        'nodes:',
        '  - { id: start, type: start }',
        '  - { id: first, type: transform, params: { value: "{{ n + 1 }}" } }',
        '  - { id: wait, type: delay, params: { ms: 1500 } }',
        '  - { id: last, type: transform, params: { value: "{{ $ * 10 }}" } }',
        'edges:',
        '  - { from: start, to: first }',
        '  - { from: first, to: wait }',
        '  - { from: wait, to: last }',
      ].join('\n'),
    );
    // A durable run killed while it waits…
    const { spawn } = await import('node:child_process');
    const killed = spawn(
      process.execPath,
      [join(root, 'bin/switchyard.js'), 'run', '--durable', slow, '--input', '{"n": 4}'],
      {
        env: { ...process.env, SWITCHYARD_DATA_DIR: dataDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    // Killed once `first` is done (its progress line is out): the 1.5 s delay is then under way,
    // however slowly a loaded machine started the process.
    await new Promise<void>((resolve, reject) => {
      let progress = '';
      killed.stderr?.on('data', (chunk: Buffer) => {
        progress += chunk.toString();
        if (progress.includes('first')) resolve();
      });
      killed.once('exit', () => reject(new Error(`the run ended before it could be killed:\n${progress}`)));
    });
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.on('exit', resolve));
    // …is finished by the next durable run, which runs its own execution too.
    const next = switchyard('run', '--durable', slow, '--input', '{"n": 1}', '--json');
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'succeeded', output: 20 });
    const { openStore } = await import('../src/store/open-store.ts');
    const store = await openStore({ dataDir });
    try {
      const { items } = await store.executions.list('default', { workflowId: 'slow-durable', limit: 10 });
      expect(items.map((e) => [e.status, e.output, e.workflowVersion])).toEqual([
        ['succeeded', 20, 1],
        ['succeeded', 50, 1],
      ]);
      expect(await store.workflows.listVersions('default', 'slow-durable')).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('switchyard schema and nodes', () => {
  it('the committed JSON Schema is the generated one', () => {
    expect(switchyard('schema', '--check', 'schema/workflow-v1.json').code).toBe(0);
  });

  it('lists node types with their ports', () => {
    const result = switchyard('nodes', '--json');
    const types = (JSON.parse(result.stdout) as Array<{ type: string; outputs: string[] }>).map(
      (t) => t.type,
    );
    expect(types).toEqual(
      expect.arrayContaining(['start', 'condition', 'switch', 'loop', 'merge', 'code', 'subworkflow']),
    );
  });
});
