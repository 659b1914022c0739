// Run by `npm install` (postinstall). Compiles every source module once, under the node flags of
// `npm start`, into Node's on-disk compile cache, so that the first `switchyard serve` after an
// install starts like every later one: with the cache cold, each thread loads Node's TypeScript
// stripper and compiles from source (~25 MB more resident at idle, ~300 ms later ready).
// Modules are imported for their compilation only: one that throws outside its worker thread is
// fine. A failure here is reported and never fails the install.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[2] === '--compile') {
  module.enableCompileCache?.();
  const sources = readdirSync(`${root}src`, { recursive: true })
    .map(String)
    .filter((file) => /\.[jt]s$/.test(file) && !file.endsWith('.test.ts'));
  // Some modules leave handles open when imported: the report and the exit do not wait for them.
  for (const file of sources) await import(pathToFileURL(`${root}src/${file}`).href).catch(() => {});
  module.flushCompileCache?.();
  process.stdout.write(`compiled ${sources.length} modules into Node's compile cache\n`);
  process.exit(0);
}

// As bench/serve-helpers.ts reads them; repeated because this runs at install, as plain JavaScript.
const startScript = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts.start;
const flags = startScript.split(' ').filter((word) => word.startsWith('--'));
const started = performance.now();
const child = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--compile'], {
  cwd: root,
  encoding: 'utf8',
  timeout: 120_000,
});
if (child.status === 0) {
  process.stdout.write(
    `switchyard: ${child.stdout.trim()} (${Math.round(performance.now() - started)} ms)\n`,
  );
} else {
  process.stdout.write(
    `switchyard: warming the compile cache failed (${child.error?.message ?? `exit ${child.status}`}); ` +
      `the first start will be slower, nothing else changes\n${child.stderr ?? ''}`,
  );
}
