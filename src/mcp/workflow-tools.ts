/**
 * @module Which published workflows are MCP tools, and running one as a tool call.
 *
 * The convention: a workflow is a tool when its latest published version has an entry node of type
 * `start` whose id is `mcp`. The workflow format is strict and has no field for this, and a node id
 * needs no change to the format: it is visible in the builder, travels with export and import, and
 * is versioned like the rest (publishing a version without the node withdraws the tool). A call
 * starts the execution at that node, so the workflow may keep other entries for the API or a
 * schedule. The node's `description` (else the workflow's) tells the model what the tool does. The
 * format has nowhere to declare an input schema either, so a tool takes any object: the arguments
 * are the execution input.
 */
import { createHash } from 'node:crypto';
import type { ErrorData } from '../errors/switchyard-error.ts';
import type { StartExecution } from '../runtime/durable/executions.ts';
import type { Store, StoredExecution, StoredWorkflow } from '../store/ports.ts';

/** The id of the `start` node that opts a workflow in, and where its tool calls enter. */
export const MCP_ENTRY_NODE = 'mcp';

/** What MCP asks of a tool name: 1–128 of these characters. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** A rewritten name ends with this, so only such names are looked for by scanning. */
const REWRITTEN = /-[0-9a-f]{8}$/;
const PAGE_SIZE = 100;
const CACHED_VERSIONS = 1000;

export interface WorkflowTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly workflowId: string;
  /** The version listed or called: a call runs the version it was resolved against. */
  readonly version: number;
}

/** Any object: the format declares no input schema (see the module comment). */
export const WORKFLOW_TOOL_INPUT_SCHEMA = { type: 'object', additionalProperties: true } as const;

export interface WorkflowToolDeps {
  readonly store: Pick<Store, 'workflows'>;
  start(request: StartExecution): Promise<StoredExecution>;
  /** The execution once finished, or as it is when `timeoutMs` passes or `signal` aborts. */
  awaitOutcome(
    workspaceId: string,
    executionId: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<StoredExecution | undefined>;
  /** How long a call waits for the outcome. */
  readonly waitMs: number;
}

export type ToolOutcome =
  | { readonly ok: true; readonly executionId: string; readonly output: unknown }
  | { readonly ok: false; readonly executionId: string; readonly error: ErrorData };

export interface WorkflowTools {
  /** One page of the workspace's workflows, as the tools among them; `cursor` is the previous `next`. */
  list(workspaceId: string, cursor?: string): Promise<{ tools: WorkflowTool[]; next?: string }>;
  find(workspaceId: string, name: string): Promise<WorkflowTool | undefined>;
  run(
    workspaceId: string,
    tool: WorkflowTool,
    args: Record<string, unknown>,
    call: { readonly correlationId: string; readonly signal: AbortSignal },
  ): Promise<ToolOutcome>;
}

/** The workflow id when it is a valid tool name (every id the API accepts is); else a safe form of it. */
export function toolNameOf(workflowId: string): string {
  if (TOOL_NAME.test(workflowId)) return workflowId;
  const hash = createHash('sha256').update(workflowId).digest('hex').slice(0, 8);
  return `${workflowId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 119)}-${hash}`;
}

export function workflowTools(deps: WorkflowToolDeps): WorkflowTools {
  const { workflows } = deps.store;
  // Published versions never change: whether one opts in (and its description) is read once.
  const exposures = new Map<string, Exposure | null>();
  const exposureOf = async (workflow: StoredWorkflow, version: number): Promise<Exposure | null> => {
    const key = JSON.stringify([workflow.workspaceId, workflow.id, version]);
    let exposure = exposures.get(key);
    if (exposure === undefined) {
      const stored = await workflows.getVersion(workflow.workspaceId, workflow.id, version);
      exposure = exposureIn(stored?.definition);
      if (exposures.size >= CACHED_VERSIONS) exposures.delete(exposures.keys().next().value!);
      exposures.set(key, exposure);
    }
    return exposure;
  };
  const toolOf = async (workflow: StoredWorkflow): Promise<WorkflowTool | undefined> => {
    const version = workflow.latestVersion;
    if (version === null) return undefined;
    const exposure = await exposureOf(workflow, version);
    if (!exposure) return undefined;
    return {
      name: toolNameOf(workflow.id),
      title: workflow.name,
      description:
        exposure.description ??
        workflow.description ??
        `Runs the Switchyard workflow "${workflow.name}" with the arguments as its input.`,
      workflowId: workflow.id,
      version,
    };
  };
  const list: WorkflowTools['list'] = async (workspaceId, cursor) => {
    const page = await workflows.list(workspaceId, {
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { after: cursor }),
    });
    const tools = (await Promise.all(page.items.map(toolOf))).filter((tool) => tool !== undefined);
    return { tools, ...(page.next === undefined ? {} : { next: page.next }) };
  };

  return {
    list,
    async find(workspaceId, name) {
      const direct = await workflows.get(workspaceId, name);
      if (direct) return toolOf(direct);
      if (!REWRITTEN.test(name)) return undefined;
      let cursor: string | undefined;
      do {
        const page = await list(workspaceId, cursor);
        const found = page.tools.find((tool) => tool.name === name);
        if (found) return found;
        cursor = page.next;
      } while (cursor !== undefined);
      return undefined;
    },
    async run(workspaceId, tool, args, call) {
      const started = await deps.start({
        workspaceId,
        workflowId: tool.workflowId,
        version: tool.version,
        entry: MCP_ENTRY_NODE,
        input: args,
        trigger: { kind: 'mcp', tool: tool.name },
        correlationId: call.correlationId,
      });
      const outcome = (await deps.awaitOutcome(workspaceId, started.id, deps.waitMs, call.signal)) ?? started;
      const executionId = started.id;
      if (outcome.status === 'succeeded') return { ok: true, executionId, output: outcome.output };
      if (outcome.status === 'failed' || outcome.status === 'cancelled') {
        const error = outcome.error ?? {
          code: outcome.status === 'cancelled' ? 'SY_EXEC_CANCELLED' : 'SY_NODE_FAILED',
          message: `execution ${executionId} ${outcome.status}`,
        };
        return { ok: false, executionId, error };
      }
      // Still running, or waiting for a person: the call gives up waiting, the execution goes on.
      return {
        ok: false,
        executionId,
        error: {
          code: 'SY_EXEC_TIMEOUT',
          message: `workflow "${tool.workflowId}" did not finish within ${deps.waitMs} ms (it is ${outcome.status}); it goes on as execution ${executionId}`,
          hint: `Follow it with GET /api/v1/executions/${executionId}; calling the tool again starts another execution.`,
        },
      };
    },
  };
}

interface Exposure {
  readonly description: string | undefined;
}

/** Whether a stored (validated) definition opts in, reading only what the convention needs. */
function exposureIn(definition: unknown): Exposure | null {
  if (typeof definition !== 'object' || definition === null) return null;
  const { nodes, description } = definition as { nodes?: unknown; description?: unknown };
  if (!Array.isArray(nodes)) return null;
  const entry: unknown = nodes.find(
    (node: { id?: unknown; type?: unknown }) => node?.id === MCP_ENTRY_NODE && node.type === 'start',
  );
  if (!entry) return null;
  const own = (entry as { description?: unknown }).description;
  const text = typeof own === 'string' ? own : typeof description === 'string' ? description : undefined;
  return { description: text };
}
