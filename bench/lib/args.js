/**
 * Parses `--name value` pairs of a benchmark child script; every option is required unless it has
 * a default, so a mistyped command fails instead of measuring the wrong thing.
 * @param {Record<string, string | undefined>} defaults
 * @returns {Record<string, string>}
 */
export function parseArgs(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if (!name || value === undefined || !(name in defaults)) {
      throw new Error(
        `Unknown or incomplete option ${argv[i]}; options: ${Object.keys(defaults).join(', ')}`,
      );
    }
    out[name] = value;
  }
  for (const [name, value] of Object.entries(out)) {
    if (value === undefined) throw new Error(`Missing --${name}`);
  }
  return /** @type {Record<string, string>} */ (out);
}

/** Prints the result of a child script as one JSON line (the parent reads the last line). */
export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
