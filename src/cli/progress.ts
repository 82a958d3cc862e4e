import cliProgress from 'cli-progress';

/** A progress reporter: a bar on a terminal, nothing otherwise (pipes, CI, --json). */
export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

/** Creates a progress bar on stderr when it is a TTY and output is for humans. */
export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: '{label} [{bar}] {value}/{total}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(label, done, total) {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { label });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
