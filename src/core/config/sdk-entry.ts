import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Path of the running marketlake's public entry (`src/index.ts` under tests, `dist/index.js`
 * when built), so a project's `import ... from 'marketlake'` resolves to the platform that loads
 * it even when the project has no node_modules.
 */
export function sdkEntryPath(): string {
  const js = fileURLToPath(new URL('../../index.js', import.meta.url));
  if (existsSync(js)) return js;
  return fileURLToPath(new URL('../../index.ts', import.meta.url));
}
