/**
 * @module Workflow versions: publish the draft as the next immutable version (only if it validates),
 * diff any two versions (or a version and the draft), and restore an old version into the draft.
 */
import type { NodeCatalog } from '../core/catalog.ts';
import { diffWorkflows, type WorkflowDiff } from '../core/definition/diff.ts';
import { validateWorkflow } from '../core/validate.ts';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Store, StoredVersion, StoredWorkflow } from '../store/ports.ts';

/** A version number, or the current draft. */
export type Revision = number | 'draft';

export class WorkflowVersions {
  private readonly store: Store;
  private readonly catalog: NodeCatalog;
  private readonly clock: Clock;

  constructor(options: { store: Store; catalog: NodeCatalog; clock: Clock }) {
    this.store = options.store;
    this.catalog = options.catalog;
    this.clock = options.clock;
  }

  async publish(workspaceId: string, workflowId: string, note?: string): Promise<StoredVersion> {
    const workflow = await this.workflow(workspaceId, workflowId);
    const { problems } = validateWorkflow(workflow.draft, this.catalog);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw new SwitchyardError(
        'SY_WF_INVALID',
        `the draft has ${errors.length} problem(s); nothing was published`,
        {
          details: { problems: errors },
        },
      );
    }
    const version = await this.store.workflows.publish(workspaceId, workflowId, {
      definition: workflow.draft,
      note: note ?? null,
      now: this.clock.now(),
    });
    if (!version) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${workflowId}"`);
    return version;
  }

  async diff(workspaceId: string, workflowId: string, from: Revision, to: Revision): Promise<WorkflowDiff> {
    const workflow = await this.workflow(workspaceId, workflowId);
    return diffWorkflows(await this.definitionAt(workflow, from), await this.definitionAt(workflow, to));
  }

  /** Copies an old version into the draft; publishing it makes it the newest version again. */
  async restore(workspaceId: string, workflowId: string, version: number): Promise<StoredWorkflow> {
    const workflow = await this.workflow(workspaceId, workflowId);
    const definition = await this.definitionAt(workflow, version);
    const restored = await this.store.workflows.updateDraft(workspaceId, workflowId, {
      draft: definition,
      now: this.clock.now(),
    });
    if (!restored) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${workflowId}"`);
    return restored;
  }

  private async workflow(workspaceId: string, workflowId: string): Promise<StoredWorkflow> {
    const workflow = await this.store.workflows.get(workspaceId, workflowId);
    if (!workflow) throw new SwitchyardError('SY_WORKFLOW_NOT_FOUND', `no workflow "${workflowId}"`);
    return workflow;
  }

  private async definitionAt(workflow: StoredWorkflow, revision: Revision): Promise<unknown> {
    if (revision === 'draft') return workflow.draft;
    const version = await this.store.workflows.getVersion(workflow.workspaceId, workflow.id, revision);
    if (!version) {
      throw new SwitchyardError(
        'SY_WORKFLOW_NOT_PUBLISHED',
        `workflow "${workflow.id}" has no version ${revision}`,
      );
    }
    return version.definition;
  }
}
