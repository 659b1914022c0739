/** Closing the HTTP server at a stop: real Fastify on a real port, real connections. */
import { once } from 'node:events';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { gracefulClose } from '../../src/server/graceful-close.ts';

async function serverWithSlowRoute(answerAfterMs: number) {
  const app = Fastify();
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
    return { answered: true };
  });
  const closer = gracefulClose(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, closer, url };
}

describe('gracefulClose', () => {
  it('lets a request under way finish, then closes', async () => {
    const { closer, url } = await serverWithSlowRoute(300);
    const answer = fetch(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cut: number[] = [];
    await closer.close(5_000, (connections) => cut.push(connections));
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ answered: true });
    expect(cut).toEqual([]);
  });

  it('cuts what is still under way when the grace is over, and says how many', async () => {
    const { closer, url } = await serverWithSlowRoute(60_000);
    const answer = fetch(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cut: number[] = [];
    const started = performance.now();
    await closer.close(200, (connections) => cut.push(connections));
    expect(performance.now() - started).toBeLessThan(2_000);
    await expect(answer).rejects.toThrow();
    expect(cut).toEqual([1]);
  });

  it('closes at once a connection that has sent nothing, and refuses new ones', async () => {
    const { closer, url } = await serverWithSlowRoute(0);
    const { port } = new URL(url);
    const silent = connect(Number(port), '127.0.0.1');
    await once(silent, 'connect');
    const closedByServer = once(silent, 'close');
    const cut: number[] = [];
    await closer.close(10_000, (connections) => cut.push(connections));
    await closedByServer;
    expect(cut).toEqual([]);
    await expect(fetch(`${url}/slow`)).rejects.toThrow();
  });
});
