#!/usr/bin/env -S node --max-semi-space-size=8 --v8-pool-size=0 --no-allocation-site-pretenuring
// The `switchyard` command. Its flags (also in `npm start`): `--max-semi-space-size=8` keeps V8's
// young generation at 8 MB per half instead of growing to 16, which keeps `serve` ~90 MB smaller
// under load (peak RSS 310 vs 400-440 MB in bench/webhook.bench.ts) at no cost in throughput we
// could measure; `--v8-pool-size=0` sizes V8's helper threads (GC, compilation) to the machine's
// cores instead of a fixed 4 — on 2 cores ~3 MB less resident at idle, throughput unchanged;
// `--no-allocation-site-pretenuring`: V8 otherwise learns, from a burst in which requests pile up,
// to allocate some request-scoped objects straight into the old generation, and keeps doing so
// after the burst — a full collection every few seconds at a steady 1,000 gateway calls/s.
// Sources are TypeScript run directly by Node 24's type stripping; `npm install`
// puts Node 24 in node_modules/.bin, which npm scripts and npx put first on PATH.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `switchyard needs Node.js 24 (this is ${process.version}). Run it through npm, which uses the Node 24 that ` +
      '`npm install` put in node_modules/.bin: `npm run switchyard -- <command>` or `npx switchyard <command>`.\n',
  );
  process.exit(64);
}
// Compiled code is cached on disk (Node's compile cache), which makes later starts ~40% faster.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
