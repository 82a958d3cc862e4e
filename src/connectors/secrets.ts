/**
 * Bring-your-own-key: connectors read API keys from secrets, never from code or config files.
 * A secret `fred.api_key` comes from the run's `secrets` map or from the environment variable
 * `MARKETLAKE_SECRET_FRED_API_KEY` (the convention pipelines use for command tasks).
 */

/** Environment name of a secret: MARKETLAKE_SECRET_ plus the name in upper snake case. */
export function secretEnvName(name: string): string {
  return `MARKETLAKE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A secret's value from the explicit map first, then the environment; undefined when unset or blank. */
export function lookupSecret(
  name: string,
  secrets: Readonly<Record<string, string>> = {},
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = secrets[name] ?? env[secretEnvName(name)];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

const REDACTED = '***';

/** Query parameters and headers whose values are credentials in the supported providers. */
export const secretParamNames: readonly string[] = [
  'api_key',
  'apikey',
  'servicekey',
  'auth_key',
  'token',
  'access_token',
  'key',
  'signature',
  'authorization',
  'x-mbx-apikey',
];

/** `url` with credential query values (and any of `secretValues` anywhere) replaced by `***`. */
export function redactUrl(url: string, secretValues: readonly string[] = []): string {
  let out = url;
  try {
    const parsed = new URL(url);
    let changed = false;
    for (const key of [...parsed.searchParams.keys()]) {
      if (secretParamNames.includes(key.toLowerCase())) {
        parsed.searchParams.set(key, REDACTED);
        changed = true;
      }
    }
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? REDACTED : '';
      parsed.password = parsed.password ? REDACTED : '';
      changed = true;
    }
    if (changed) out = parsed.toString().replaceAll('%2A%2A%2A', REDACTED);
  } catch {
    // Not a URL: only the known values below are masked.
  }
  return redactText(out, secretValues);
}

/** `text` with every occurrence of the secret values (raw and URL-encoded) replaced by `***`. */
export function redactText(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const value of secretValues) {
    if (value.length < 4) continue;
    out = out.split(value).join(REDACTED);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) out = out.split(encoded).join(REDACTED);
  }
  return out;
}
