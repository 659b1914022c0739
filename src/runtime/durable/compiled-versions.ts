/**
 * @module The workflow an execution runs: its stored version, validated and compiled once per
 * version (versions never change) and kept; a failed load is not kept, so the next try reads again.
 */
import type { NodeCatalog } from '../../core/catalog.ts';
import type { CompiledWorkflow } from '../../core/graph/compiled.ts';
import { validateWorkflow } from '../../core/validate.ts';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Store, StoredExecution } from '../../store/ports.ts';

/** Which version of which workflow: an execution names its own. */
type VersionRef = Pick<StoredExecution, 'workspaceId' | 'workflowId' | 'workflowVersion'>;

export class CompiledVersions {
  readonly #store: Store;
  readonly #catalog: NodeCatalog;
  readonly #compiled = new Map<string, Promise<CompiledWorkflow>>();

  constructor(store: Store, catalog: NodeCatalog) {
    this.#store = store;
    this.#catalog = catalog;
  }

  of(execution: VersionRef): Promise<CompiledWorkflow> {
    const key = `${execution.workflowId}@${execution.workflowVersion}`;
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      compiled = this.#compile(execution);
      this.#compiled.set(key, compiled);
      compiled.catch(() => this.#compiled.delete(key));
    }
    return compiled;
  }

  async #compile(execution: VersionRef): Promise<CompiledWorkflow> {
    const version = await this.#store.workflows.getVersion(
      execution.workspaceId,
      execution.workflowId,
      execution.workflowVersion,
    );
    if (!version) {
      throw new SwitchyardError(
        'SY_SUBWORKFLOW_NOT_FOUND',
        `workflow ${execution.workflowId} version ${execution.workflowVersion} no longer exists`,
      );
    }
    const { workflow, problems } = validateWorkflow(version.definition, this.#catalog);
    if (!workflow) {
      throw new SwitchyardError(
        'SY_WF_SCHEMA',
        `stored workflow version is not valid: ${problems[0]?.path} ${problems[0]?.message}`,
      );
    }
    return workflow;
  }
}
