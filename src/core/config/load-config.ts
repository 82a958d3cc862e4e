import { existsSync } from 'node:fs';
import path from 'node:path';
import { createJiti } from 'jiti';
import { ConfigInvalidError, ConfigLoadError, messageOf } from '../errors.js';
import {
  keySpecs,
  SECRET_ENV_PREFIX,
  staticDefaults,
  type ConfigSource,
  type MarketlakeConfig,
  type UserConfig,
} from './config-spec.js';
import { sdkEntryPath } from './sdk-entry.js';

/** Name of the configuration file in a project folder. */
export const CONFIG_FILE = 'marketlake.config.ts';

/** Inputs of `loadConfig`. */
export interface LoadConfigOptions {
  /** Project folder; default the current folder. */
  project?: string;
  /** Values from CLI flags (highest precedence). */
  flags?: UserConfig;
  /** Environment; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The effective configuration and where each value came from. */
export interface LoadedConfig {
  config: MarketlakeConfig;
  sources: Record<string, ConfigSource>;
  /** The configuration file that was read, if any. */
  file: string | undefined;
}

/** Loads a project's `marketlake.config.ts` (TypeScript, compiled on the fly) if it exists. */
export async function readConfigFile(
  project: string,
): Promise<{ file?: string; values: UserConfig }> {
  const file = path.join(project, CONFIG_FILE);
  if (!existsSync(file)) return { values: {} };
  const jiti = createJiti(import.meta.url, {
    alias: { marketlake: sdkEntryPath() },
    moduleCache: false,
    fsCache: false,
  });
  let loaded: unknown;
  try {
    loaded = await jiti.import(file, { default: true });
  } catch (err) {
    throw new ConfigLoadError(
      `Cannot load ${file}: ${messageOf(err)}. Fix the file (it must \`export default defineConfig({...})\`) or remove it to use the defaults.`,
      { cause: err, details: { file } },
    );
  }
  if (loaded === null || typeof loaded !== 'object' || Array.isArray(loaded)) {
    throw new ConfigInvalidError(
      `${file} must export a configuration object as default (export default defineConfig({ ... })), got ${typeof loaded}.`,
      { details: { file } },
    );
  }
  return { file, values: loaded };
}

/**
 * Resolves the configuration: defaults, then the project file, then `MARKETLAKE_*` variables, then
 * flags. Every value is validated; an error names the key, the value, its source and what is
 * accepted.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const project = path.resolve(options.project ?? process.cwd());
  if (options.project !== undefined && !existsSync(project)) {
    throw new ConfigInvalidError(
      `Invalid configuration: project = ${JSON.stringify(options.project)} (from flag --project): ${project} does not exist. Accepted: an existing folder; create one with \`marketlake init ${options.project}\`.`,
      { details: { key: 'project', value: options.project, source: 'flag' } },
    );
  }
  const env = options.env ?? process.env;
  const { file, values: fileValues } = await readConfigFile(project);
  const known = new Set<string>([...keySpecs.map((s) => s.key), 'secrets']);
  for (const key of Object.keys(fileValues)) {
    if (!known.has(key)) {
      const shown = SECRET_LIKE_KEY.test(key)
        ? '[redacted]'
        : showValue((fileValues as Record<string, unknown>)[key]);
      throw new ConfigInvalidError(
        `Unknown configuration key "${key}" (= ${shown}) in ${file}. Accepted keys: ${[...known].join(', ')}.`,
        { details: { key, file } },
      );
    }
  }

  const raw: Record<string, unknown> = { ...staticDefaults };
  const sources: Record<string, ConfigSource> = {};
  for (const k of Object.keys(staticDefaults)) sources[k] = 'default';
  const layers: [ConfigSource, Record<string, unknown>][] = [
    ['file', fileValues],
    [
      'env',
      Object.fromEntries(
        keySpecs.filter((s) => env[s.env] !== undefined).map((s) => [s.key, env[s.env]]),
      ),
    ],
    ['flag', options.flags ?? {}],
  ];
  const parsed: Record<string, unknown> = {};
  for (const spec of keySpecs) {
    let value: unknown = raw[spec.key];
    let source: ConfigSource | undefined = sources[spec.key];
    for (const [layer, values] of layers) {
      const v = values[spec.key];
      if (v === undefined) continue;
      value = v;
      source = layer;
    }
    if (value === undefined) continue;
    const ok = spec.parse(value);
    if (ok === undefined) {
      const where =
        source === 'env'
          ? `environment variable ${spec.env}`
          : source === 'file'
            ? file
            : source === 'flag'
              ? `flag --${kebabCase(spec.key)}`
              : 'default';
      // A URL may carry a password: show it redacted, never as given.
      const shown = spec.secret && typeof value === 'string' ? redactUrl(value) : value;
      throw new ConfigInvalidError(
        `Invalid configuration: ${spec.key} = ${showValue(shown)} (from ${where}). Accepted: ${spec.accepts}.`,
        { details: { key: spec.key, value: shown, source } },
      );
    }
    parsed[spec.key] = ok;
    sources[spec.key] = source ?? 'default';
  }

  // Relative paths: from the file, against the project folder (where the file is); from variables
  // and flags, against the current folder (as a shell user expects); defaults live in the home.
  const baseOf = (key: string, fallback: string): string =>
    sources[key] === 'file'
      ? project
      : sources[key] === 'env' || sources[key] === 'flag'
        ? process.cwd()
        : fallback;
  const home = path.resolve(
    baseOf('home', project),
    (parsed['home'] as string | undefined) ?? '.marketlake',
  );
  sources['home'] ??= 'default';
  const lakePath = path.resolve(
    baseOf('lakePath', home),
    (parsed['lakePath'] as string | undefined) ?? 'lake',
  );
  sources['lakePath'] ??= 'default';
  let databaseUrl =
    (parsed['databaseUrl'] as string | undefined) ?? `sqlite:${path.join(home, 'meta.sqlite')}`;
  sources['databaseUrl'] ??= 'default';
  if (databaseUrl.startsWith('sqlite:')) {
    const p = databaseUrl.slice('sqlite:'.length);
    databaseUrl =
      p === ':memory:' ? databaseUrl : `sqlite:${path.resolve(baseOf('databaseUrl', home), p)}`;
  }

  const secrets: Record<string, string> = {};
  const fileSecrets = fileValues.secrets ?? {};
  if (typeof fileSecrets !== 'object' || Array.isArray(fileSecrets)) {
    throw new ConfigInvalidError(
      `Invalid configuration: secrets must be an object of name -> string in ${file}.`,
      {
        details: { key: 'secrets' },
      },
    );
  }
  for (const [name, value] of Object.entries(fileSecrets)) {
    if (typeof value !== 'string') {
      throw new ConfigInvalidError(
        `Invalid configuration: secrets.${name} must be a string (in ${file}).`,
        {
          details: { key: `secrets.${name}` },
        },
      );
    }
    secrets[name] = value;
    sources[`secrets.${name}`] = 'file';
  }
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(SECRET_ENV_PREFIX) && v !== undefined) {
      const name = k.slice(SECRET_ENV_PREFIX.length);
      secrets[name] = v;
      sources[`secrets.${name}`] = 'env';
    }
  }

  const config: MarketlakeConfig = {
    ...(parsed as Omit<
      MarketlakeConfig,
      'project' | 'home' | 'lakePath' | 'databaseUrl' | 'secrets'
    >),
    project,
    home,
    lakePath,
    databaseUrl,
    secrets,
  };
  sources['project'] = options.project ? 'flag' : 'default';
  return { config, sources, file };
}

/** The configuration as printable rows, secrets and database passwords redacted. */
export function describeConfig(
  loaded: LoadedConfig,
): { key: string; value: string; source: ConfigSource }[] {
  const rows: { key: string; value: string; source: ConfigSource }[] = [];
  const c = loaded.config;
  rows.push({ key: 'project', value: c.project, source: loaded.sources['project'] ?? 'default' });
  for (const spec of keySpecs) {
    const v = c[spec.key];
    const text =
      typeof v === 'object'
        ? Object.entries(v)
            .map(([name, slots]) => `${name}=${slots}`)
            .join(',')
        : String(v);
    const value = spec.key === 'databaseUrl' ? redactUrl(text) : text;
    rows.push({ key: spec.key, value, source: loaded.sources[spec.key] ?? 'default' });
  }
  for (const name of Object.keys(c.secrets).sort()) {
    rows.push({
      key: `secrets.${name}`,
      value: '[redacted]',
      source: loaded.sources[`secrets.${name}`] ?? 'default',
    });
  }
  return rows;
}

/** Replaces the password of a connection URL (`user:password@` or `?password=`) with `***`. */
export function redactUrl(url: string): string {
  return url
    .replace(/^(\w+:\/\/[^:/@]+:)[^@]*@/, '$1***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Keys whose values an error message must not echo (a misspelt `secrets`, an API key). */
const SECRET_LIKE_KEY = /secret|password|passwd|token|key|credential/i;

/** A value as an error message shows it: JSON, cut to a readable length. */
function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `retentionDays` -> `retention-days`, the spelling of command-line flags. */
function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
