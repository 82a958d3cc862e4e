// Enforces DESIGN.md's layout: a domain imports another only through its public door
// (src/<domain>/index.ts) and only in the allowed direction.
import path from 'node:path';

/** Which domains each domain may import. */
export const allowedDependencies = {
  core: [],
  meta: ['core'],
  lake: ['core', 'meta'],
  market: ['core', 'meta', 'lake'],
  observe: ['core'],
  connectors: ['core', 'meta', 'lake', 'market', 'observe'],
  pipelines: ['core', 'meta', 'lake', 'market', 'observe', 'connectors'],
  ml: ['core', 'meta', 'lake', 'market', 'observe', 'connectors', 'pipelines'],
  api: ['core', 'meta', 'lake', 'market', 'observe', 'connectors', 'pipelines', 'ml'],
  cli: ['core', 'meta', 'lake', 'market', 'observe', 'connectors', 'pipelines', 'ml', 'api'],
  ui: [],
};

/**
 * Light doors the package's root SDK entry (src/index.ts) may use instead of a domain's index:
 * every attempt worker imports the SDK, and the full pipelines door would load the run store,
 * the scheduler and their drivers into each of them (tens of MB in every measured peak).
 */
export const sdkDoors = {
  pipelines: ['sdk/index.js', 'partitions/index.js', 'errors.js'],
};

function domainOf(file, srcRoot) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1
    ? { domain: parts[0], rest: parts.slice(1).join('/') }
    : { domain: '(root)', rest: parts[0] };
}

export default {
  meta: {
    type: 'problem',
    docs: {
      description:
        'imports across domains go through src/<domain>/index.ts, in the allowed direction',
    },
    messages: {
      deep: "Import '{{source}}' reaches inside the {{target}} domain; import from '{{door}}' (its public index.ts) instead.",
      direction:
        'The {{from}} domain may not import the {{target}} domain (allowed: {{allowed}}). See DESIGN.md "Layout".',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const srcRoot = path.resolve(context.cwd, 'src');
    const self = domainOf(file, srcRoot);
    if (!self) return {};
    function check(node) {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const resolved = path.resolve(path.dirname(file), source);
      const target = domainOf(resolved, srcRoot);
      if (!target || target.domain === self.domain || target.domain === '(root)') return;
      const sdkDoor =
        self.domain === '(root)' &&
        (sdkDoors[target.domain] ?? []).includes(target.rest.replace(/\.ts$/, '.js'));
      if (target.rest !== 'index.js' && target.rest !== 'index.ts' && !sdkDoor) {
        const door = path.relative(
          path.dirname(file),
          path.join(srcRoot, target.domain, 'index.js'),
        );
        context.report({
          node,
          messageId: 'deep',
          data: { source, target: target.domain, door: door.startsWith('.') ? door : `./${door}` },
        });
        return;
      }
      if (self.domain === '(root)') return;
      const allowed = allowedDependencies[self.domain] ?? [];
      if (!allowed.includes(target.domain)) {
        context.report({
          node,
          messageId: 'direction',
          data: { from: self.domain, target: target.domain, allowed: allowed.join(', ') || 'none' },
        });
      }
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => check({ source: node.source }),
    };
  },
};
