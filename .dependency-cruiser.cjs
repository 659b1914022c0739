/** Keeps the import graph acyclic and the core pure. Run by `npm run deps` (part of `npm test`). */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles make modules impossible to understand or test alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'src/core holds no I/O: it imports only itself, zod and jsonata (a pure data language).',
      from: { path: '^src/core/' },
      to: { pathNot: ['^src/core/', '^src/errors/', 'node_modules/(zod|jsonata)/'] },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'nodes-reach-the-world-through-ctx',
      severity: 'error',
      comment:
        'Node types may not import the runtime, storage, servers or the CLI: everything comes through ctx.',
      from: { path: '^src/nodes/' },
      to: { path: ['^src/runtime/', '^src/cli/', '^src/store/', '^src/workflow-file/'] },
    },
    {
      name: 'nodes-no-io-builtins',
      severity: 'error',
      comment: 'Node types reach files, network and processes only through ctx.',
      from: { path: '^src/nodes/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'not-to-test-from-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^test/', '\\.test\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
    // Packages such as the MCP SDK expose their modules only through `exports`.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
