/** /api/v1/workflows and its versions over real HTTP: CRUD, import/export, validate, publish, diff, restore. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { call, hello, startServer, type TestServer } from './fixture.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const base = '/api/v1/workflows';

describe('workflows', () => {
  it('creates from a definition, with a Location, and reads it back', async () => {
    const created = await call(server, 'POST', base, {
      id: 'hello',
      definition: hello,
      description: 'greets',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${base}/hello`);
    expect(created.body).toMatchObject({
      id: 'hello',
      name: 'hello',
      description: 'greets',
      latestVersion: null,
    });
    expect(created.body.definition).toEqual(hello);
    const read = await call(server, 'GET', `${base}/hello`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    const again = await call(server, 'POST', base, { id: 'hello', definition: hello });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('SY_STORE_CONFLICT');
  });

  it('imports YAML and JSON text; a syntax error names its line', async () => {
    const yaml =
      'format: switchyard/v1\nname: from-yaml\nnodes:\n  - id: start\n    type: start\nedges: []\n';
    const fromYaml = await call(server, 'POST', `${base}/import`, { text: yaml, format: 'yaml' });
    expect(fromYaml.status).toBe(201);
    expect(fromYaml.body.name).toBe('from-yaml');
    expect(fromYaml.body.definition.nodes).toEqual([{ id: 'start', type: 'start' }]);
    const fromJson = await call(server, 'POST', `${base}/import`, {
      text: JSON.stringify(hello),
      format: 'json',
    });
    expect(fromJson.status).toBe(201);
    expect(fromJson.body.definition).toEqual(hello);
    const broken = await call(server, 'POST', `${base}/import`, { text: '{\n  "name": ', format: 'json' });
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('SY_WF_PARSE');
    expect(broken.body.detail).toMatch(/line 2/);
    const scalar = await call(server, 'POST', `${base}/import`, { text: '42', format: 'yaml' });
    expect(scalar.body.code).toBe('SY_WF_SCHEMA');
  });

  it('edits the draft and deletes', async () => {
    await call(server, 'POST', base, { id: 'edit-me', definition: hello });
    const patched = await call(server, 'PATCH', `${base}/edit-me`, { name: 'renamed', description: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'renamed', description: null });
    const unknown = await call(server, 'PATCH', `${base}/edit-me`, { colour: 'red' });
    expect(unknown.status).toBe(400);
    expect((await call(server, 'DELETE', `${base}/edit-me`)).status).toBe(204);
    expect((await call(server, 'GET', `${base}/edit-me`)).status).toBe(404);
    expect((await call(server, 'PATCH', `${base}/edit-me`, { name: 'x' })).status).toBe(404);
  });

  it('pages through every workflow exactly once', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `paged-${i}`);
    for (const id of ids) await call(server, 'POST', base, { id, definition: hello });
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await call(server, 'GET', `${base}?limit=3${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((w: { id: string }) => w.id));
      after = page.body.next;
      pages++;
    } while (after && pages < 20);
    const paged = seen.filter((id) => id.startsWith('paged-'));
    expect(paged.sort()).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(3);
  });
});

describe('validate, publish, versions', () => {
  const invalid = {
    ...hello,
    nodes: [...hello.nodes, { id: 'ghost', type: 'teleport' }],
    edges: [...hello.edges, { from: 'done', to: 'nowhere' }],
  };

  it('validate lists every problem of the draft with path, code, message and hint', async () => {
    await call(server, 'POST', base, { id: 'broken', definition: invalid });
    const answer = await call(server, 'POST', `${base}/broken/validate`);
    expect(answer.status).toBe(200);
    expect(answer.body.valid).toBe(false);
    const codes = answer.body.problems.map((p: { code: string }) => p.code);
    expect(codes).toContain('SY_WF_UNKNOWN_NODE_TYPE');
    expect(codes).toContain('SY_WF_DANGLING_EDGE');
    for (const problem of answer.body.problems) {
      expect(Object.keys(problem).sort()).toEqual(['code', 'hint', 'message', 'path', 'severity']);
    }
    const good = await call(server, 'POST', base, { definition: hello });
    expect((await call(server, 'POST', `${base}/${good.body.id}/validate`)).body).toEqual({
      valid: true,
      problems: [],
    });
  });

  it('publishing an invalid draft is a 422 with every problem', async () => {
    const answer = await call(server, 'POST', `${base}/broken/versions`, {});
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('SY_WF_INVALID');
    const paths = answer.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toContain('nodes[3].type');
    expect(answer.body.errors.length).toBeGreaterThanOrEqual(2);
    expect((await call(server, 'GET', `${base}/broken/versions`)).body.items).toEqual([]);
  });

  it('publishes versions, lists and reads them, diffs and restores', async () => {
    await call(server, 'POST', base, { id: 'versioned', definition: hello });
    const v1 = await call(server, 'POST', `${base}/versioned/versions`, { note: 'first' });
    expect(v1.status).toBe(201);
    expect(v1.headers.get('location')).toBe(`${base}/versioned/versions/1`);
    expect(v1.body).toMatchObject({ workflowId: 'versioned', version: 1, note: 'first' });

    const changed = { ...hello, nodes: [...hello.nodes.slice(0, 2), { id: 'done', type: 'end' }] };
    await call(server, 'PATCH', `${base}/versioned`, { definition: changed });
    const v2 = await call(server, 'POST', `${base}/versioned/versions`);
    expect(v2.body.version).toBe(2);

    const list = await call(server, 'GET', `${base}/versioned/versions`);
    expect(list.body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const one = await call(server, 'GET', `${base}/versioned/versions/1`);
    expect(one.body.definition).toEqual(hello);
    expect((await call(server, 'GET', `${base}/versioned/versions/9`)).status).toBe(409);
    expect((await call(server, 'GET', `${base}/versioned/versions/zero`)).status).toBe(400);

    const diff = await call(server, 'GET', `${base}/versioned/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.identical).toBe(false);
    expect(diff.body.nodes.changed).toEqual([{ id: 'done', fields: ['params'] }]);
    const toDraft = await call(server, 'GET', `${base}/versioned/diff?from=2&to=draft`);
    expect(toDraft.body.identical).toBe(true);
    expect((await call(server, 'GET', `${base}/versioned/diff?from=latest`)).status).toBe(400);

    const restored = await call(server, 'POST', `${base}/versioned/versions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.definition).toEqual(hello);
    expect((await call(server, 'GET', `${base}/versioned/diff?from=1`)).body.identical).toBe(true);
  });

  it('exports the draft or a version as JSON or YAML', async () => {
    const json = await call(server, 'GET', `${base}/versioned/export`);
    expect(json.status).toBe(200);
    expect(json.type).toMatch(/^application\/json/);
    expect(json.body).toEqual(hello);
    const yaml = await call(server, 'GET', `${base}/versioned/export?format=yaml&version=2`);
    expect(yaml.type).toMatch(/^application\/yaml/);
    expect(yaml.headers.get('content-disposition')).toBe('attachment; filename="versioned.yaml"');
    expect(parseYaml(yaml.body).nodes[2]).toEqual({ id: 'done', type: 'end' });
    expect((await call(server, 'GET', `${base}/versioned/export?format=xml`)).status).toBe(400);
    const audit = await call(server, 'GET', '/api/v1/audit?action=workflow.export');
    expect(audit.body.items.map((e: { target: string; detail: unknown }) => [e.target, e.detail])).toEqual([
      ['workflow:versioned', { format: 'yaml', version: 2 }],
      ['workflow:versioned', { format: 'json', version: 'draft' }],
    ]);
  });
});
