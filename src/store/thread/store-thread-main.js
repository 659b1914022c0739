// Entry of the store's thread. A worker is a Node instance of its own, so the on-disk compile cache
// the CLI turns on for the main thread is turned on here too, before any TypeScript loads: with the
// cache warm, the thread then needs no type stripper (~12 MB less memory) and starts sooner.
// Plain JavaScript for that reason.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('./store-thread.ts');
