/**
 * @module Sub-workflows in the server: a reference is the id of a published workflow of the calling
 * execution's own workspace (`orders` for its latest version, `orders@3` for one version). Never a
 * file path: a workflow a user uploads must not read the server's disk, and cannot reach another
 * workspace's workflows. Versions never change, so each is compiled once.
 */
import type { NodeCatalog } from '../core/catalog.ts';
import { validateWorkflow } from '../core/validate.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { ResolvedWorkflow, WorkflowResolver } from '../runtime/services.ts';
import type { Store } from '../store/ports.ts';

const REFERENCE = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,127})(?:@([1-9]\d{0,8}))?$/;
const CACHED_VERSIONS = 500;

export class StoredWorkflowResolver implements WorkflowResolver {
  private readonly store: Store;
  private readonly catalog: NodeCatalog;
  private readonly compiled = new Map<string, Promise<ResolvedWorkflow>>();

  constructor(store: Store, catalog: NodeCatalog) {
    this.store = store;
    this.catalog = catalog;
  }

  async resolve(
    reference: string,
    _from: string | undefined,
    workspaceId: string,
  ): Promise<ResolvedWorkflow> {
    const match = REFERENCE.exec(reference);
    if (!match) {
      throw new SwitchyardError(
        'SY_SUBWORKFLOW_NOT_FOUND',
        `"${reference}" is not a workflow id (or id@version)`,
        {
          hint: 'In the server, a sub-workflow is a published workflow of the same workspace, named by its id.',
        },
      );
    }
    const id = match[1]!;
    let version = match[2] === undefined ? undefined : Number(match[2]);
    if (version === undefined) {
      version = (await this.store.workflows.get(workspaceId, id))?.latestVersion ?? undefined;
      if (version === undefined) throw notFound(`no published workflow "${id}" in this workspace`);
    }
    const key = `${workspaceId}\n${id}@${version}`;
    let entry = this.compiled.get(key);
    if (!entry) {
      entry = this.compile(workspaceId, id, version);
      if (this.compiled.size >= CACHED_VERSIONS) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, entry);
      entry.catch(() => this.compiled.delete(key));
    }
    return entry;
  }

  private async compile(workspaceId: string, id: string, version: number): Promise<ResolvedWorkflow> {
    const stored = await this.store.workflows.getVersion(workspaceId, id, version);
    if (!stored) throw notFound(`workflow "${id}" has no version ${version} in this workspace`);
    const { workflow, problems } = validateWorkflow(stored.definition, this.catalog);
    if (!workflow) {
      throw new SwitchyardError('SY_SUBWORKFLOW_NOT_FOUND', `sub-workflow "${id}@${version}" is not valid`, {
        details: { problems },
      });
    }
    return { workflow, location: `workflow:${id}@${version}` };
  }
}

function notFound(message: string): SwitchyardError {
  return new SwitchyardError('SY_SUBWORKFLOW_NOT_FOUND', message, {
    hint: 'Publish the workflow first; sub-workflows run published versions.',
  });
}
