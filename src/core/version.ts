import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root folder of the installed marketlake package (where package.json lives). */
export const packageRoot: string = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/** The marketlake version from package.json. */
export const version: string = (
  JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;
