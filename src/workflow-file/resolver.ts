/** @module Finds sub-workflows by file path, relative to the workflow that calls them; each file compiled once. */
import { dirname, resolve } from 'node:path';
import type { NodeCatalog } from '../core/catalog.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { ResolvedWorkflow, WorkflowResolver } from '../runtime/services.ts';
import { loadWorkflowFile } from './load.ts';

export class FileWorkflowResolver implements WorkflowResolver {
  private readonly catalog: NodeCatalog;
  private readonly cache = new Map<string, Promise<ResolvedWorkflow>>();

  constructor(catalog: NodeCatalog) {
    this.catalog = catalog;
  }

  resolve(reference: string, from: string | undefined): Promise<ResolvedWorkflow> {
    const file = resolve(from ? dirname(from) : process.cwd(), reference);
    let entry = this.cache.get(file);
    if (!entry) {
      entry = this.load(reference, file);
      this.cache.set(file, entry);
      entry.catch(() => this.cache.delete(file));
    }
    return entry;
  }

  private async load(reference: string, file: string): Promise<ResolvedWorkflow> {
    const loaded = await loadWorkflowFile(file, this.catalog);
    if (loaded.workflow) return { workflow: loaded.workflow, location: file };
    const first = loaded.problems[0];
    if (first?.code === 'SY_FILE_NOT_FOUND') {
      throw new SwitchyardError(
        'SY_SUBWORKFLOW_NOT_FOUND',
        `sub-workflow "${reference}" not found (looked for ${file})`,
      );
    }
    throw new SwitchyardError(
      'SY_SUBWORKFLOW_NOT_FOUND',
      `sub-workflow "${reference}" is not valid: ${first?.path} ${first?.message}`,
      {
        details: { problems: loaded.problems },
      },
    );
  }
}
