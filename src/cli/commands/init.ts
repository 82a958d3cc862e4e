import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/index.js';

const CONFIG = `import { defineConfig } from 'marketlake';

// Every key is optional; environment variables (MARKETLAKE_*) and flags override these.
export default defineConfig({
  // home: '.marketlake',            // metadata, lake and logs
  // databaseUrl: 'postgres://postgres@127.0.0.1:5432/marketlake', // cluster mode
  port: 7420,
  retentionDays: 7,
});
`;

const PIPELINES_README = `# pipelines

Put pipeline definitions here as TypeScript files (\`*.ts\`). marketlake loads them at start and
when they change; \`import { ... } from 'marketlake'\` resolves to the running platform, so this
folder needs no node_modules.
`;

const GITIGNORE = `.marketlake/\n`;

/** `marketlake init [dir]`: scaffolds a project folder. */
export function initCommand(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'folder to create the project in', '.')
    .description('scaffold a project: marketlake.config.ts, pipelines/, inbox/')
    .option('--force', 'overwrite an existing marketlake.config.ts')
    .addHelpText(
      'after',
      `
Examples:
  $ marketlake init my-market
  $ cd my-market && marketlake up`,
    )
    .action((dir: string, opts: { force?: boolean }) => {
      const root = path.resolve(dir);
      const config = path.join(root, 'marketlake.config.ts');
      if (existsSync(config) && !opts.force) {
        throw new UsageError(
          `${config} already exists. Use --force to overwrite it, or pick another folder.`,
        );
      }
      mkdirSync(path.join(root, 'pipelines'), { recursive: true });
      mkdirSync(path.join(root, 'inbox'), { recursive: true });
      writeFileSync(config, CONFIG);
      const readme = path.join(root, 'pipelines', 'README.md');
      if (!existsSync(readme)) writeFileSync(readme, PIPELINES_README);
      const ignore = path.join(root, '.gitignore');
      if (!existsSync(ignore)) writeFileSync(ignore, GITIGNORE);
      process.stdout.write(
        `Created a marketlake project in ${root}\n  marketlake.config.ts\n  pipelines/\n  inbox/\nNext: cd ${path.relative(process.cwd(), root) || '.'} && marketlake up\n`,
      );
    });
}
