/** Every failure answers application/problem+json with a stable SY_ code; bodies are bounded; nothing leaks. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, startServer, type TestServer } from './fixture.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ bodyLimit: 4096, maxJsonDepth: 8 });
});
afterAll(() => server.close());

const problemType = 'application/problem+json; charset=utf-8';

function expectProblem(answer: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.type).toBe(problemType);
  expect(answer.body).toMatchObject({ status, code, type: `urn:switchyard:error:${code}` });
  expect(typeof answer.body.title).toBe('string');
  expect(typeof answer.body.detail).toBe('string');
  expect(typeof answer.body.hint).toBe('string');
}

describe('problem answers', () => {
  it('an unknown route is a 404 problem', async () => {
    const answer = await call(server, 'GET', '/api/v1/nothing-here?x=1');
    expectProblem(answer, 404, 'SY_HTTP_NOT_FOUND');
    expect(answer.body.instance).toBe('/api/v1/nothing-here');
  });

  it('an unknown workflow or execution is a 404 problem', async () => {
    expectProblem(await call(server, 'GET', '/api/v1/workflows/missing'), 404, 'SY_WORKFLOW_NOT_FOUND');
    expectProblem(await call(server, 'GET', '/api/v1/executions/missing'), 404, 'SY_EXECUTION_NOT_FOUND');
    expectProblem(await call(server, 'DELETE', '/api/v1/workflows/missing'), 404, 'SY_WORKFLOW_NOT_FOUND');
  });

  it('malformed JSON is a 400 problem', async () => {
    const answer = await call(server, 'POST', '/api/v1/workflows', undefined, { raw: '{"definition": ' });
    expectProblem(answer, 400, 'SY_HTTP_MALFORMED');
  });

  it('a body nested deeper than the limit is refused before anything walks it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    const answer = await call(server, 'POST', '/api/v1/workflows', { definition: { deep } });
    expectProblem(answer, 400, 'SY_HTTP_MALFORMED');
    expect(answer.body.detail).toContain('8 levels');
  });

  it('a wrong content type is a 415 problem', async () => {
    const answer = await call(server, 'POST', '/api/v1/workflows', undefined, {
      raw: 'name: x',
      contentType: 'application/yaml',
    });
    expectProblem(answer, 415, 'SY_HTTP_CONTENT_TYPE');
    const text = await call(server, 'POST', '/api/v1/workflows', undefined, {
      raw: '{}',
      contentType: 'text/plain',
    });
    expectProblem(text, 415, 'SY_HTTP_CONTENT_TYPE');
  });

  it('a body over the size limit is a 413 problem', async () => {
    const answer = await call(server, 'POST', '/api/v1/workflows', { definition: { pad: 'x'.repeat(5000) } });
    expectProblem(answer, 413, 'SY_HTTP_BODY_TOO_LARGE');
  });

  it('an unknown field is refused, named by its path', async () => {
    const answer = await call(server, 'POST', '/api/v1/workflows', { definition: {}, colour: 'red' });
    expectProblem(answer, 400, 'SY_HTTP_VALIDATION');
    expect(answer.body.errors).toEqual([
      { path: 'body.colour', code: 'unrecognized_keys', message: 'unknown field' },
    ]);
  });

  it('every failing field is listed with its path', async () => {
    const answer = await call(server, 'POST', '/api/v1/workflows', { id: '../etc', name: '' });
    expectProblem(answer, 400, 'SY_HTTP_VALIDATION');
    const paths = answer.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['body.definition', 'body.id', 'body.name']);
    const query = await call(server, 'GET', '/api/v1/workflows?limit=0');
    expectProblem(query, 400, 'SY_HTTP_VALIDATION');
    expect(query.body.errors[0].path).toBe('querystring.limit');
  });

  it('a bad cursor is a 4xx problem, not a crash', async () => {
    const answer = await call(server, 'GET', '/api/v1/workflows?after=not-a-cursor');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.type).toBe(problemType);
  });

  it('an unexpected error is a 500 problem that says nothing of its insides', async () => {
    const secret = new Error('password=hunter2 at /srv/db.ts:12');
    vi.spyOn(server.deps.store.workflows, 'get').mockRejectedValueOnce(secret);
    const answer = await call(server, 'GET', '/api/v1/workflows/any');
    expectProblem(answer, 500, 'SY_INTERNAL');
    expect(JSON.stringify(answer.body)).not.toMatch(/hunter2|db\.ts|stack/);
  });
});
