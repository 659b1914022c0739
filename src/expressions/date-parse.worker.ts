/**
 * @module Worker thread that runs `$toMillis(timestamp, picture)`. JSONata turns the picture into a
 * backtracking regex (with the `i` flag, so the linear engine cannot take it) and some pictures
 * backtrack polynomially on hostile timestamps; here a runaway parse can be killed.
 */
import { parentPort } from 'node:worker_threads';
import jsonata from 'jsonata';

interface ParseRequest {
  readonly id: number;
  readonly timestamp: string;
  readonly picture: string;
}

const port = parentPort;
const toMillis = jsonata('$toMillis($timestamp, $picture)');

if (port !== null) {
  port.on('message', (request: ParseRequest) => {
    toMillis.evaluate(null, { timestamp: request.timestamp, picture: request.picture }).then(
      (value: unknown) => port.postMessage({ id: request.id, value }),
      (error: unknown) => {
        const failure = error as { code?: unknown; message?: unknown };
        port.postMessage({
          id: request.id,
          error: {
            code: typeof failure.code === 'string' ? failure.code : undefined,
            message: typeof failure.message === 'string' ? failure.message : String(error),
          },
        });
      },
    );
  });
  port.postMessage({ ready: true });
}
