/**
 * File-name globs for `inbox()` patterns: `*` and `?` within one path segment, `**` across
 * segments, `{a,b}` alternatives and `[abc]` classes. Hand-written (a few lines) because Node 20
 * has no stable glob matcher and a dependency for this is not worth its weight.
 */

const SPECIAL = /[.+^$()|\\]/;

/**
 * Whether a selection entry (`daily_bars`, `krx_*`) names the asset `name`: a glob when it has
 * wildcard characters, else the exact name. Schedules, sensors, runs and listings all select
 * assets with this one rule.
 */
export function selectsAsset(pattern: string, name: string): boolean {
  return /[*?[{]/.test(pattern) ? globToRegExp(pattern).test(name) : pattern === name;
}

/** Compiles `glob` into an anchored RegExp over a relative file path. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i += 1;
        if (glob[i + 1] === '/') i += 1;
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else if (c === '{') {
      depth += 1;
      source += '(?:';
    } else if (c === '}' && depth > 0) {
      depth -= 1;
      source += ')';
    } else if (c === ',' && depth > 0) source += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else source += SPECIAL.test(c) ? `\\${c}` : c;
  }
  if (depth > 0) source += ')'.repeat(depth);
  return new RegExp(`^${source}$`);
}
