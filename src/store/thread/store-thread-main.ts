/**
 * @module Entry of the store's thread. A worker is a Node instance of its own: the on-disk compile
 * cache the CLI turns on for the main thread is turned on here too, before the store's modules load.
 */
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('./store-thread.ts');
