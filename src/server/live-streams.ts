/**
 * @module The live streams open on this server, so that closing it ends them: an SSE response
 * would otherwise hold `server.close()` open until its execution finished.
 */
export class LiveStreams {
  private readonly controllers = new Set<AbortController>();

  open(): AbortController {
    const controller = new AbortController();
    this.controllers.add(controller);
    return controller;
  }

  close(controller: AbortController): void {
    this.controllers.delete(controller);
  }

  abortAll(): void {
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }

  get size(): number {
    return this.controllers.size;
  }
}
