/**
 * @module Owns the QuickJS WebAssembly module and runs jobs on it, one fresh runtime each. When a
 * run throws in the host, the module's memory may be corrupt: it is dropped and a new one loaded.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { CodeFailure, RunJob, RunOutcome } from './protocol.ts';
import { type RunHooks, runInFreshRuntime } from './quickjs-run.ts';

export interface QuickJsRunner {
  run(job: RunJob, hooks: RunHooks): Promise<RunOutcome>;
  /** How many WebAssembly modules were dropped after host-side failures (for tests and metrics). */
  readonly modulesDiscarded: number;
}

export async function createQuickJsRunner(): Promise<QuickJsRunner> {
  let module: Promise<QuickJSWASMModule> = loadModule();
  await module;
  let modulesDiscarded = 0;
  return {
    get modulesDiscarded() {
      return modulesDiscarded;
    },
    async run(job, hooks) {
      const current = await module;
      try {
        return runInFreshRuntime(current, job, hooks);
      } catch (error) {
        module = loadModule();
        modulesDiscarded++;
        return { ok: false, failure: hostFailure(error) };
      }
    },
  };
}

/** A dynamic import, as the variant's package documents: its typings describe it as CommonJS. */
function loadModule(): Promise<QuickJSWASMModule> {
  return newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync'));
}

/** Only a native stack overflow is the user's doing; anything else is a sandbox fault. */
function hostFailure(error: unknown): CodeFailure {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return { kind: 'stack', message: 'The code recursed deeper than the host stack allows.' };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', message: `The sandbox failed while running the code: ${reason}` };
}
