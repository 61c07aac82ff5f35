/**
 * The layers of dualpipe, enforced (`npm run lint:layers`, part of `npm test`).
 * From the ground up: src (core) < schema < sync < backup < ops < api < cli < bin.
 * A layer imports only layers below it; the CLI reaches the library only through api/ (api/index.ts is the
 * package entry; api/light.ts and the per-command api/ entries are what the CLI loads, see cli-loads-the-library-on-use).
 * docs/architecture.md draws the same picture.
 */
const layers = ['src', 'schema', 'sync', 'backup', 'ops', 'api', 'cli', 'bin'];
const above = (i) => `^(${layers.slice(i + 1).join('|')})/`;

/** Rooms inside one layer, in order: each may import the ones before it, never the ones after. */
const rooms = {
  src: ['errors.ts|version.ts|log/', 'db/', 'config/|lock/|server/|guard/', 'catalog/', 'rows/', 'history/|erasure/', 'pipeline.ts'],
  sync: ['capture/', 'reports/', 'shadow/', 'full/', 'incremental/|verify/'],
  backup: ['format/', 'dump/', 'restore/'],
};
const roomRules = Object.entries(rooms).flatMap(([layer, order]) =>
  order.slice(0, -1).map((room, i) => ({
    name: `${layer}-room-order-${i}`,
    comment: `${layer}/${room} is below ${order.slice(i + 1).join(', ')}: it must not import them`,
    severity: 'error',
    from: { path: `^${layer}/(${room})` },
    to: { path: `^${layer}/(${order.slice(i + 1).join('|')})` },
  })),
);

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import circles hide the design', from: {}, to: { circular: true } },
    ...layers.slice(0, -1).map((layer, i) => ({
      name: `${layer}-imports-no-higher-layer`,
      comment: `${layer}/ stands below ${layers.slice(i + 1).join(', ')}`,
      severity: 'error',
      from: { path: `^${layer}/` },
      to: { path: above(i) },
    })),
    {
      name: 'cli-only-through-public-api',
      comment: 'the CLI is a thin shell over the library: it imports api/ (index.ts, light.ts, the per-command entries), never a module behind it',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(src|schema|sync|backup|ops)/' },
    },
    {
      name: 'cli-loads-the-library-on-use',
      comment:
        'start-up stays cheap (`dualpipe --version` in ~0.2 s): commands register from api/light.ts; the other api/ entries are ' +
        'loaded by `await import()` in an action (types: `import type`); cli/context.ts is itself loaded that way (run-cli.ts preAction). Third-party packages are not cruised (exclude): test/cli/startup-imports.test.ts checks those',
      severity: 'error',
      from: { path: '^cli/', pathNot: '^cli/context[.]ts$' },
      to: { path: '^(api/|cli/context[.]ts$)', pathNot: '^api/light[.]ts$', dependencyTypesNot: ['type-only', 'dynamic-import'] },
    },
    {
      name: 'sync-and-verify-apart',
      comment: 'incremental and verify are siblings',
      severity: 'error',
      from: { path: '^sync/(incremental|verify)/' },
      to: { path: '^sync/(verify|incremental)/', pathNot: '^sync/$1/' },
    },
    ...roomRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
