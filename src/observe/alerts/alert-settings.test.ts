import { describe, expect, it } from 'vitest';
import { alertSettingsFromEnv, DEFAULT_ALERT_SETTINGS } from './alert-settings.js';
import { parseDurationMs, validateMatchers, matchesSilence } from './silences.js';

describe('alert settings from the environment', () => {
  it('applies defaults, caller defaults, then variables', () => {
    const { settings, notifiers } = alertSettingsFromEnv(
      { MARKETLAKE_ALERT_GROUP_WAIT_MS: '500', MARKETLAKE_ALERT_QUARANTINE_ROWS: '7' },
      {},
      { workerLostAfterMs: 20_000 },
    );
    expect(settings).toEqual({
      ...DEFAULT_ALERT_SETTINGS,
      groupWaitMs: 500,
      quarantineRows: 7,
      workerLostAfterMs: 20_000,
    });
    expect(notifiers).toEqual({});
  });

  it('reads notifier addresses from variables first, then from secrets', () => {
    const { notifiers } = alertSettingsFromEnv(
      {
        MARKETLAKE_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
        MARKETLAKE_ALERT_SMTP_URL: 'smtp://u:p@127.0.0.1:2525',
        MARKETLAKE_ALERT_EMAIL_TO: 'ops@example.com',
      },
      { ALERT_WEBHOOK_URL: 'http://ignored/', ALERT_SLACK_URL: 'https://chat.local/hooks/x' },
    );
    expect(notifiers).toEqual({
      webhookUrl: 'http://127.0.0.1:9/hook',
      slackUrl: 'https://chat.local/hooks/x',
      smtpUrl: 'smtp://u:p@127.0.0.1:2525',
      emailTo: 'ops@example.com',
    });
  });

  it('names the variable and what it accepts when a value is wrong', () => {
    expect(() => alertSettingsFromEnv({ MARKETLAKE_ALERT_GROUP_WAIT_MS: 'soon' })).toThrow(
      /MARKETLAKE_ALERT_GROUP_WAIT_MS must be an integer from 0/,
    );
    expect(() => alertSettingsFromEnv({ MARKETLAKE_ALERT_WEBHOOK_URL: 'ftp://x/' })).toThrow(
      /MARKETLAKE_ALERT_WEBHOOK_URL must start with http:\/\/ or https:\/\//,
    );
    expect(() => alertSettingsFromEnv({ MARKETLAKE_ALERT_SMTP_URL: 'smtp://h:25' })).toThrow(
      /MARKETLAKE_ALERT_EMAIL_TO/,
    );
  });
});

describe('silence matchers and durations', () => {
  it('matches rule and labels with * wildcards', () => {
    expect(
      matchesSilence({ rule: 'asset_*', asset: 'krx_*' }, 'asset_stale', { asset: 'krx_bars' }),
    ).toBe(true);
    expect(matchesSilence({ asset: 'krx_*' }, 'asset_stale', { asset: 'us_bars' })).toBe(false);
    expect(matchesSilence({ check: 'ohlc' }, 'run_failed', { asset: 'x' })).toBe(false);
    expect(matchesSilence({ asset: 'a.b' }, 'run_failed', { asset: 'axb' })).toBe(false);
  });

  it('rejects empty and malformed matchers', () => {
    expect(() => validateMatchers({})).toThrow(/at least one matcher/);
    expect(() => validateMatchers({ 'bad-name': 'x' })).toThrow(/not a label name/);
    expect(() => validateMatchers({ asset: ' ' })).toThrow(/non-empty/);
    expect(validateMatchers({ rule: ' run_failed ' })).toEqual({ rule: 'run_failed' });
  });

  it('parses durations', () => {
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1w')).toBe(604_800_000);
    expect(() => parseDurationMs('2 hours', '--for')).toThrow(
      /The --for "2 hours" is not a duration/,
    );
    expect(() => parseDurationMs('0s')).toThrow(/not a duration/);
  });
});
