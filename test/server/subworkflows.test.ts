/** Sub-workflows in the server: stored workflows of the caller's workspace by id, never files on the server's disk. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, published, startServer, type TestServer } from './fixture.ts';

const child = {
  format: 'switchyard/v1',
  name: 'child',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'done', type: 'end', params: { output: '{{ { "doubled": n * 2 } }}' } },
  ],
  edges: [{ from: 'start', to: 'done' }],
};

const parent = (reference: string) => ({
  format: 'switchyard/v1',
  name: 'parent',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'call', type: 'subworkflow', params: { workflow: reference } },
    { id: 'done', type: 'end' },
  ],
  edges: [
    { from: 'start', to: 'call' },
    { from: 'call', to: 'done' },
  ],
});

let server: TestServer;
beforeAll(async () => {
  server = await startServer({}, { settings: { signup: 'open' } });
  await published(server, child, 'child');
});
afterAll(() => server.close());

async function run(target: TestServer, reference: string, token = target.token) {
  const created = await call(
    target,
    'POST',
    '/api/v1/workflows',
    { definition: parent(reference) },
    { token },
  );
  const workflowId: string = created.body.id;
  await call(target, 'POST', `/api/v1/workflows/${workflowId}/versions`, {}, { token });
  const answer = await call(
    target,
    'POST',
    `/api/v1/workflows/${workflowId}/executions?wait=true`,
    { input: { n: 21 } },
    { token },
  );
  return answer.body;
}

describe('sub-workflows in the server', () => {
  it('runs a published workflow of the same workspace by id, or a pinned version', async () => {
    expect((await run(server, 'child')).output).toEqual({ doubled: 42 });
    expect((await run(server, 'child@1')).output).toEqual({ doubled: 42 });
    expect((await run(server, 'child@9')).error).toMatchObject({ code: 'SY_SUBWORKFLOW_NOT_FOUND' });
  });

  it('never reads a file: paths of the server disk are refused without their content', async () => {
    for (const reference of [
      '/etc/passwd',
      '../../package.json',
      'examples/hello.yaml',
      'master.key',
      '~/.switchyard/master.key',
    ]) {
      const execution = await run(server, reference);
      expect({ reference, status: execution.status, code: execution.error?.code }).toEqual({
        reference,
        status: 'failed',
        code: 'SY_SUBWORKFLOW_NOT_FOUND',
      });
      expect(JSON.stringify(execution)).not.toMatch(/root:|"name": ?"switchyard"|Hello, /);
    }
  });

  it("cannot call another workspace's workflow", async () => {
    const signup = await call(
      server,
      'POST',
      '/api/v1/auth/signup',
      { email: 'other@example.com', password: 'another passphrase' },
      { token: null },
    );
    expect(signup.status).toBe(201);
    const execution = await run(server, 'child', signup.body.accessToken);
    expect(execution.status).toBe('failed');
    expect(execution.error.code).toBe('SY_SUBWORKFLOW_NOT_FOUND');
  });
});
