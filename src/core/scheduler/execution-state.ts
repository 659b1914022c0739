/**
 * @module The pure scheduler. Given a compiled workflow, a trigger and the log of finished node runs
 * (fed in order through `record`), it knows which node instances are ready, with which inputs, and
 * when the execution is done. A live run and a resume after a crash are the same code: a resume
 * just records a longer log before asking what is ready.
 *
 * Semantics: a node is ready when every incoming edge is resolved, live (a value) or dead (a
 * branch not taken, a node skipped); it runs if at least one is live and is skipped otherwise, and
 * a skipped node makes all its outgoing edges dead. Merge nodes may start earlier (first, n of m).
 * A loop's `item` port opens iterations, each a scope of its own; an iteration closes when every
 * edge back into the loop is resolved and nothing in it is still running.
 */
import type { ErrorData } from '../../errors/switchyard-error.ts';
import type { LoopSettings } from '../catalog.ts';
import { ERROR_PORT, LOOP_BREAK_PORT, LOOP_DONE_PORT, LOOP_ITEM_PORT } from '../catalog.ts';
import type { CompiledEdge, CompiledNode, CompiledWorkflow } from '../graph/compiled.ts';
import type {
  Arrival,
  ExecutionOutcome,
  ExecutionStatus,
  NodeRunRecord,
  Notice,
  ReadyNode,
} from './records.ts';
import { instanceKey, iterationScopeKey } from './scope-keys.ts';

const UNSET: unique symbol = Symbol('unset');
const DEAD: unique symbol = Symbol('dead');
type Slot = unknown | typeof UNSET | typeof DEAD;

type Phase = 'waiting' | 'ready' | 'running' | 'looping' | 'finished' | 'skipped';

interface Scope {
  readonly key: string;
  readonly parent: Scope | undefined;
  /** The loop instance this iteration belongs to (undefined for the top level). */
  readonly loop: Instance | undefined;
  readonly iteration: number;
  readonly item: unknown;
  /** Instances of this scope that are ready, running or looping. */
  active: number;
  /** Back edges of this iteration not yet resolved. */
  backPending: number;
  result: unknown;
  broke: boolean;
  live: boolean;
  closed: boolean;
  readonly instances: Instance[];
}

interface LoopRun {
  readonly settings: LoopSettings;
  readonly items: readonly unknown[];
  nextIteration: number;
  open: number;
  stopped: boolean;
  readonly results: unknown[];
  last: unknown;
}

interface Instance {
  readonly key: string;
  readonly node: CompiledNode;
  readonly scope: Scope;
  phase: Phase;
  pending: number;
  live: number;
  readonly slots: Slot[];
  /** Value of the first port that fired, for {{ $nodes.ID }}. */
  output: unknown;
  loop: LoopRun | undefined;
  /** What `takeReady` hands out, computed when the instance became ready. */
  ready: ReadyNode | undefined;
}

export interface ExecutionStart {
  /** Id of the entry node that fires; the first entry node when omitted. */
  readonly entry?: string;
  readonly input: unknown;
}

export interface ScopeFrame {
  readonly loopId: string;
  readonly iteration: number;
  readonly item: unknown;
}

export class ExecutionState {
  readonly workflow: CompiledWorkflow;
  private readonly root: Scope;
  private readonly scopes = new Map<string, Scope>();
  private readonly instances = new Map<string, Instance>();
  private readonly readyQueue = new Map<string, Instance>();
  /** Skipped instances whose dead edges are not yet propagated: a queue, not recursion, so that a
   * branch not taken at the head of a 100,000-node chain cannot overflow the stack. */
  private readonly skipped: Instance[] = [];
  private readonly notices: Notice[] = [];
  private readonly sinkOutputs = new Map<string, unknown>();
  private readonly triggerInput: unknown;
  private inFlight = 0;
  private status: ExecutionStatus = 'running';
  private endOutput: { value: unknown } | undefined;
  private failure: { error: ErrorData; node?: { nodeId: string; scope: string } } | undefined;

  constructor(workflow: CompiledWorkflow, start: ExecutionStart) {
    this.workflow = workflow;
    this.root = newScope('', undefined, undefined, 0, undefined);
    this.scopes.set('', this.root);
    this.triggerInput = start.input;
    const entryIndex =
      start.entry === undefined ? workflow.entries[0] : workflow.byId.get(start.entry)?.index;
    if (entryIndex === undefined || !workflow.entries.includes(entryIndex)) {
      throw new RangeError(`"${start.entry}" is not an entry node of this workflow`);
    }
    for (const index of workflow.entries) {
      const instance = this.instanceFor(workflow.nodes[index]!, this.root);
      if (index === entryIndex) this.makeReady(instance);
      else this.skip(instance);
    }
    this.propagateSkips();
  }

  /** Hands out ready instances (at most `limit`) and marks them running. */
  takeReady(limit = Number.POSITIVE_INFINITY): ReadyNode[] {
    const taken: ReadyNode[] = [];
    if (this.status !== 'running') return taken;
    for (const [key, instance] of this.readyQueue) {
      if (taken.length >= limit) break;
      this.readyQueue.delete(key);
      instance.phase = 'running';
      this.inFlight++;
      taken.push(instance.ready!);
      instance.ready = undefined;
    }
    return taken;
  }

  get readyCount(): number {
    return this.status === 'running' ? this.readyQueue.size : 0;
  }

  get runningCount(): number {
    return this.inFlight;
  }

  /** Applies the final result of one node instance, live or from the log. */
  record(record: NodeRunRecord): void {
    const key = instanceKey(record.nodeId, record.scope);
    const instance = this.instances.get(key);
    if (!instance || (instance.phase !== 'ready' && instance.phase !== 'running')) {
      throw new Error(
        `invariant: no ready or running instance "${key}" to record (${instance?.phase ?? 'unknown'})`,
      );
    }
    if (instance.phase === 'running') this.inFlight--;
    else {
      this.readyQueue.delete(key);
      instance.ready = undefined;
    }
    this.apply(instance, record);
    this.propagateSkips();
  }

  private apply(instance: Instance, record: NodeRunRecord): void {
    if (this.status !== 'running') {
      this.deactivate(instance);
      return;
    }
    const ports = this.portsOf(instance, record);
    if (!ports) return;
    const { node } = instance;
    if (node.shape.role === 'loop' && record.status === 'succeeded') {
      this.startLoop(instance, ports[LOOP_ITEM_PORT]);
    } else if (node.shape.role === 'end' && record.status === 'succeeded') {
      instance.output = ports[node.shape.outputs[0] ?? 'out'];
      this.endOutput = { value: instance.output };
      this.status = 'succeeded';
      this.deactivate(instance);
    } else {
      this.finish(instance, ports);
    }
  }

  get executionStatus(): ExecutionStatus {
    return this.status;
  }

  /** Stops handing out work: running nodes should be aborted and still recorded. */
  stop(status: 'failed' | 'cancelled', error: ErrorData): void {
    if (this.status !== 'running') return;
    this.status = status;
    this.failure = { error };
  }

  isDone(): boolean {
    return this.status === 'running' ? this.root.active === 0 : this.inFlight === 0;
  }

  outcome(): ExecutionOutcome {
    if (!this.isDone()) throw new Error('invariant: the execution is not done');
    if (this.status === 'failed' || this.status === 'cancelled') {
      const { error, node } = this.failure!;
      return { status: this.status, output: null, error, ...(node ? { failedNode: node } : {}) };
    }
    return { status: 'succeeded', output: this.endOutput ? this.endOutput.value : this.collectSinks() };
  }

  /** Notices since the last call, oldest first. */
  drainNotices(): Notice[] {
    return this.notices.splice(0);
  }

  /** The output of `nodeId` as seen from `scope`: the same iteration first, then enclosing ones. */
  outputOf(nodeId: string, scope: string): { found: boolean; value: unknown } {
    for (let s = this.scopes.get(scope); s; s = s.parent) {
      const instance = this.instances.get(instanceKey(nodeId, s.key));
      if (instance?.phase === 'finished') return { found: true, value: instance.output };
    }
    return { found: false, value: undefined };
  }

  /** The loop iterations enclosing `scope`, outermost first. */
  framesOf(scope: string): ScopeFrame[] {
    const frames: ScopeFrame[] = [];
    for (let s = this.scopes.get(scope); s?.loop; s = s.parent) {
      frames.unshift({ loopId: s.loop.node.id, iteration: s.iteration, item: s.item });
    }
    return frames;
  }

  get trigger(): unknown {
    return this.triggerInput;
  }

  // ---- routing -------------------------------------------------------------------------------

  /** The ports a finished instance fires, or undefined when its failure ends the execution. */
  private portsOf(instance: Instance, record: NodeRunRecord): Readonly<Record<string, unknown>> | undefined {
    if (record.status === 'succeeded') return record.outputs ?? {};
    const { node } = instance;
    const error = record.error ?? { code: 'SY_NODE_FAILED', message: 'the node failed' };
    switch (node.definition.onError) {
      case 'continue':
        return { [primaryOutput(node)]: { error } };
      case 'branch':
        return { [ERROR_PORT]: { error } };
      default:
        this.status = 'failed';
        this.failure = { error, node: { nodeId: node.id, scope: instance.scope.key } };
        this.deactivate(instance);
        return undefined;
    }
  }

  private finish(instance: Instance, ports: Readonly<Record<string, unknown>>): void {
    const { node } = instance;
    for (const port in ports) {
      instance.output = ports[port];
      break;
    }
    if (node.isSink && instance.scope === this.root) this.sinkOutputs.set(node.id, instance.output);
    this.deactivate(instance);
    this.emit(instance, ports);
  }

  private skip(instance: Instance): void {
    instance.phase = 'skipped';
    this.notices.push({ kind: 'skipped', nodeId: instance.node.id, scope: instance.scope.key });
    this.skipped.push(instance);
  }

  private propagateSkips(): void {
    for (let i = 0; i < this.skipped.length; i++) this.emit(this.skipped[i]!, {});
    this.skipped.length = 0;
  }

  /** Resolves every outgoing edge: live where the port fired, dead elsewhere. */
  private emit(instance: Instance, ports: Readonly<Record<string, unknown>>): void {
    for (const [port, edges] of instance.node.outEdges) {
      const fired = Object.hasOwn(ports, port);
      for (const edge of edges) this.deliver(edge, instance.scope, fired ? ports[port] : DEAD);
    }
  }

  private deliver(edge: CompiledEdge, scope: Scope, value: Slot): void {
    if (edge.kind === 'back') {
      this.resolveBackEdge(scope, edge, value);
      return;
    }
    const target = this.instanceFor(this.workflow.nodes[edge.to]!, scope);
    if (target.slots[edge.slot] !== UNSET) {
      throw new Error(`invariant: edge ${edge.index} delivered twice to "${target.key}"`);
    }
    target.slots[edge.slot] = value;
    target.pending--;
    if (value !== DEAD) target.live++;
    if (target.phase !== 'waiting') return;
    const { join } = target.node.shape;
    const resolved = target.pending === 0;
    const enough =
      join.kind === 'first' ? target.live >= 1 : join.kind === 'count' ? target.live >= join.count : false;
    if ((resolved || enough) && target.live > 0) this.makeReady(target);
    else if (resolved) this.skip(target);
  }

  private makeReady(instance: Instance): void {
    instance.phase = 'ready';
    instance.scope.active++;
    this.readyQueue.set(instance.key, instance);
    instance.ready = this.inputsOf(instance);
  }

  private inputsOf(instance: Instance): ReadyNode {
    const { node, scope } = instance;
    if (node.shape.role === 'entry') {
      const input = this.triggerInput;
      return { key: instance.key, node, scope: scope.key, input, inputs: { in: input }, arrivals: [] };
    }
    const inputs: Record<string, unknown> = {};
    const arrivals: Arrival[] = [];
    for (const edge of node.inEdges) {
      const value = instance.slots[edge.slot];
      if (value === UNSET || value === DEAD) continue;
      if (!Object.hasOwn(inputs, edge.toPort)) inputs[edge.toPort] = value;
      arrivals.push({ from: this.workflow.nodes[edge.from]!.id, port: edge.fromPort, value });
    }
    const input = inputs[node.shape.inputs[0] ?? 'in'];
    return { key: instance.key, node, scope: scope.key, input, inputs, arrivals };
  }

  private deactivate(instance: Instance): void {
    instance.phase = 'finished';
    instance.scope.active--;
    if (instance.scope.loop) this.closeIterationIfDone(instance.scope);
  }

  // ---- loops ---------------------------------------------------------------------------------

  private startLoop(instance: Instance, fired: unknown): void {
    const settings = instance.node.shape.loop!;
    const items = settings.mode === 'forEach' ? (Array.isArray(fired) ? fired : []) : [fired];
    instance.phase = 'looping';
    instance.loop = {
      settings,
      items,
      nextIteration: 0,
      open: 0,
      stopped: false,
      results: [],
      last: undefined,
    };
    this.openIterations(instance);
    this.finishLoopIfDone(instance);
  }

  private openIterations(instance: Instance): void {
    const run = instance.loop!;
    const { mode, concurrency, maxIterations } = run.settings;
    const total = mode === 'forEach' ? Math.min(run.items.length, maxIterations) : maxIterations;
    const width = mode === 'repeat' ? 1 : concurrency;
    while (!run.stopped && run.open < width && run.nextIteration < total) {
      const iteration = run.nextIteration++;
      const item = mode === 'forEach' ? run.items[iteration] : iteration === 0 ? run.items[0] : run.last;
      const key = iterationScopeKey(instance.scope.key, instance.node.id, iteration);
      const scope = newScope(key, instance.scope, instance, iteration, item);
      scope.backPending = instance.node.backEdges.length;
      this.scopes.set(key, scope);
      run.open++;
      this.notices.push({
        kind: 'iteration-started',
        loopId: instance.node.id,
        scope: instance.scope.key,
        iteration,
        iterationScope: key,
      });
      for (const edge of instance.node.enterEdges) this.deliver(edge, scope, item);
    }
  }

  private resolveBackEdge(scope: Scope, edge: CompiledEdge, value: Slot): void {
    scope.backPending--;
    if (value !== DEAD) {
      if (edge.toPort === LOOP_BREAK_PORT) {
        if (!scope.broke) scope.result = value;
        scope.broke = true;
      } else if (!scope.live && !scope.broke) scope.result = value;
      scope.live = true;
    }
    this.closeIterationIfDone(scope);
  }

  private closeIterationIfDone(scope: Scope): void {
    if (scope.closed || scope.backPending > 0 || scope.active > 0) return;
    scope.closed = true;
    const loop = scope.loop!;
    const run = loop.loop!;
    for (const instance of scope.instances) this.instances.delete(instance.key);
    this.scopes.delete(scope.key);
    run.open--;
    const result = scope.live ? scope.result : null;
    run.results[scope.iteration] = result;
    run.last = result;
    if (scope.broke || (run.settings.mode === 'repeat' && !scope.live)) run.stopped = true;
    this.notices.push({
      kind: 'iteration-finished',
      loopId: loop.node.id,
      scope: loop.scope.key,
      iteration: scope.iteration,
      result,
    });
    if (this.status !== 'running') return;
    this.openIterations(loop);
    this.finishLoopIfDone(loop);
  }

  private finishLoopIfDone(instance: Instance): void {
    const run = instance.loop!;
    if (run.open > 0 || instance.phase !== 'looping') return;
    const { mode, maxIterations } = run.settings;
    const exhausted =
      run.stopped ||
      run.nextIteration >= (mode === 'forEach' ? Math.min(run.items.length, maxIterations) : maxIterations);
    if (!exhausted) return;
    const output = mode === 'forEach' ? run.results.slice(0, run.nextIteration) : (run.last ?? null);
    this.notices.push({ kind: 'loop-finished', nodeId: instance.node.id, scope: instance.scope.key, output });
    this.finish(instance, { [LOOP_DONE_PORT]: output });
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private instanceFor(node: CompiledNode, scope: Scope): Instance {
    const key = instanceKey(node.id, scope.key);
    let instance = this.instances.get(key);
    if (!instance) {
      const slotCount = node.inEdges.length;
      instance = {
        key,
        node,
        scope,
        phase: 'waiting',
        pending: slotCount,
        live: 0,
        slots: new Array<Slot>(slotCount).fill(UNSET),
        output: undefined,
        loop: undefined,
        ready: undefined,
      };
      this.instances.set(key, instance);
      if (scope.loop) scope.instances.push(instance);
    }
    return instance;
  }

  private collectSinks(): unknown {
    if (this.sinkOutputs.size === 0) return null;
    if (this.sinkOutputs.size === 1) return this.sinkOutputs.values().next().value;
    return Object.fromEntries(this.sinkOutputs);
  }
}

function newScope(
  key: string,
  parent: Scope | undefined,
  loop: Instance | undefined,
  iteration: number,
  item: unknown,
): Scope {
  return {
    key,
    parent,
    loop,
    iteration,
    item,
    active: 0,
    backPending: 0,
    result: undefined,
    broke: false,
    live: false,
    closed: false,
    instances: [],
  };
}

function primaryOutput(node: CompiledNode): string {
  return node.shape.outputs.find((port) => port !== LOOP_ITEM_PORT) ?? 'out';
}
