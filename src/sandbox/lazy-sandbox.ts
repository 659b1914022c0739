/**
 * @module Creates the real sandbox on first use, so that workflows without code never pay for it.
 * A failed creation is not kept: the next run tries again.
 */
import type { CodeRunRequest, CodeSandbox } from './types.ts';

export function lazyCodeSandbox(create: () => Promise<CodeSandbox>): CodeSandbox {
  let sandbox: Promise<CodeSandbox> | undefined;
  return {
    run(request: CodeRunRequest) {
      if (!sandbox) {
        const created = create();
        sandbox = created;
        created.catch(() => {
          if (sandbox === created) sandbox = undefined;
        });
      }
      return sandbox.then((s) => s.run(request));
    },
    dispose() {
      sandbox?.then(
        (s) => s.dispose(),
        () => {},
      );
      sandbox = undefined;
    },
  };
}
