/**
 * @module Live progress of an execution in the terminal: one line per node with its state, runs and
 * duration, redrawn in place on a TTY, or one line per finished node when output is piped.
 */
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import type { CompiledWorkflow } from '../../core/graph/compiled.ts';
import type { ExecutionEvent } from '../../runtime/events.ts';

type NodeState = 'waiting' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'handled' | 'skipped';

interface NodeLine {
  readonly id: string;
  readonly type: string;
  state: NodeState;
  running: number;
  finished: number;
  failed: number;
  attempt: number;
  startedAt: number;
  durationMs: number;
  iterations: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ICON: Record<NodeState, string> = {
  waiting: pc.dim('○'),
  running: '',
  retrying: pc.yellow('↻'),
  succeeded: pc.green('✔'),
  failed: pc.red('✖'),
  handled: pc.yellow('✖'),
  skipped: pc.dim('–'),
};

export class ProgressView {
  private readonly lines = new Map<string, NodeLine>();
  private readonly executionId: string;
  private readonly live: boolean;
  private readonly out: NodeJS.WriteStream;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly width: number;
  private readonly render: ReturnType<typeof createLogUpdate>;

  constructor(workflow: CompiledWorkflow, executionId: string, out: NodeJS.WriteStream) {
    this.executionId = executionId;
    this.out = out;
    this.live = Boolean(out.isTTY);
    this.render = createLogUpdate(out);
    for (const node of workflow.nodes) {
      this.lines.set(node.id, {
        id: node.id,
        type: node.definition.type,
        state: 'waiting',
        running: 0,
        finished: 0,
        failed: 0,
        attempt: 0,
        startedAt: 0,
        durationMs: 0,
        iterations: 0,
      });
    }
    this.width = Math.min(32, Math.max(...[...this.lines.keys()].map((id) => id.length)));
    if (this.live) this.timer = setInterval(() => this.draw(), 80);
  }

  readonly onEvent = (event: ExecutionEvent): void => {
    if (event.executionId !== this.executionId || !('nodeId' in event)) return;
    const line = this.lines.get(event.nodeId);
    if (!line) return;
    switch (event.type) {
      case 'node.started':
        if (event.attempt === 1) line.running++;
        line.attempt = event.attempt;
        line.startedAt = event.at;
        line.state = 'running';
        break;
      case 'node.retrying':
        line.state = 'retrying';
        break;
      case 'node.finished':
        line.running--;
        line.finished++;
        line.durationMs += event.durationMs;
        line.state = line.running > 0 ? 'running' : line.failed > 0 ? 'failed' : 'succeeded';
        this.report(ICON.succeeded, line, event.scope, event.durationMs);
        break;
      case 'node.failed':
        line.running--;
        line.failed++;
        line.durationMs += event.durationMs;
        line.state = event.handled ? 'handled' : 'failed';
        this.report(
          ICON[line.state],
          line,
          event.scope,
          event.durationMs,
          `${event.error.code}: ${event.error.message}`,
        );
        break;
      case 'node.skipped':
        if (line.finished === 0 && line.running === 0 && line.failed === 0) line.state = 'skipped';
        break;
      case 'loop.iteration.finished':
        line.iterations++;
        break;
      case 'loop.finished':
        line.durationMs = event.at - line.startedAt;
        line.state = 'succeeded';
        break;
      default:
        break;
    }
  };

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.live) {
      this.draw();
      this.render.done();
    }
  }

  /** Piped output: one line per finished node instance. */
  private report(icon: string, line: NodeLine, scope: string, durationMs: number, detail?: string): void {
    if (this.live) return;
    const where = scope === '' ? '' : pc.dim(` @${scope}`);
    const tail = detail ? ` ${pc.red(detail)}` : '';
    this.out.write(`${icon} ${line.id}${where} ${pc.dim(formatMs(durationMs))}${tail}\n`);
  }

  private draw(): void {
    this.frame++;
    const now = Date.now();
    const rows = [...this.lines.values()].map((line) => {
      const icon =
        line.state === 'running' ? pc.cyan(SPINNER[this.frame % SPINNER.length]!) : ICON[line.state];
      const id = line.id.padEnd(this.width);
      const runs = line.finished + line.failed;
      const many = runs > 1 && line.iterations === 0;
      const elapsed =
        line.state === 'running' && !many
          ? now - line.startedAt
          : many
            ? line.durationMs / runs
            : line.durationMs;
      const time =
        line.state === 'waiting' || line.state === 'skipped'
          ? pc.dim(line.state)
          : pc.dim(`${many ? 'avg ' : ''}${formatMs(elapsed)}`);
      const count = many ? pc.dim(` ×${runs}`) : '';
      const iterations = line.iterations > 0 ? pc.dim(` · ${line.iterations} iterations`) : '';
      const attempt = line.attempt > 1 ? pc.yellow(` · attempt ${line.attempt}`) : '';
      return `${icon} ${id} ${pc.dim(line.type.padEnd(11))} ${time}${count}${iterations}${attempt}`;
    });
    this.render(rows.join('\n'));
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
