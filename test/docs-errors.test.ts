import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpStatusOf, mappedErrorCodes } from '../src/api/index.js';
import { MarketlakeError } from '../src/core/index.js';
import { repoRoot } from './helpers/dist.js';

function errorFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return errorFiles(full);
    return name === 'errors.ts' ? [full] : [];
  });
}

const declared = new Set(
  errorFiles(path.join(repoRoot, 'src')).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/readonly code = '([A-Z_]+)'/g)].map((m) => m[1]!),
  ),
);
const table = readFileSync(path.join(repoRoot, 'docs/errors.md'), 'utf8');
const documented = new Map(
  [...table.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('docs/errors.md', () => {
  it('lists exactly the codes declared in src/*/errors.ts', () => {
    expect([...documented.keys()].sort()).toEqual([...declared].sort());
  });

  it('gives each code the HTTP status the API maps it to', () => {
    expect([...mappedErrorCodes].sort()).toEqual([...declared].sort());
    for (const [code, status] of documented) {
      class Probe extends MarketlakeError {
        readonly code = code;
      }
      expect(httpStatusOf(new Probe('x')), code).toBe(status);
    }
  });
});
