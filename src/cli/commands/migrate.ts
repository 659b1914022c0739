/** @module `switchyard migrate`: applies the pending database migrations and says which; exit 1 on failure. */
import pc from 'picocolors';
import { SwitchyardError, toErrorData } from '../../errors/switchyard-error.ts';
import { migrateStore, storeConfigFromEnv } from '../../store/open-store.ts';
import { ExitCode } from '../exit-codes.ts';

/** Any failure to migrate: the database is unreachable, locked, newer than us, or a migration broke. */
const MIGRATION_FAILED = 1;

export async function migrateCommand(options: { json?: boolean }): Promise<number> {
  try {
    const report = await migrateStore(storeConfigFromEnv());
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.applied.length === 0) {
      process.stdout.write(
        `${report.location} (${report.backend}) is up to date at ${report.current ?? 'no migration'}.\n`,
      );
    } else {
      const count = `${report.applied.length} migration${report.applied.length === 1 ? '' : 's'}`;
      const names = report.applied.map((name) => `  ${pc.green('applied')} ${name}\n`).join('');
      process.stdout.write(
        `${report.location} (${report.backend}): ${count}\n${names}now at ${report.current}.\n`,
      );
    }
    return ExitCode.ok;
  } catch (error) {
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ error: toErrorData(error) }, null, 2)}\n`);
    } else if (error instanceof SwitchyardError) {
      process.stderr.write(
        `${pc.red('error')} ${pc.cyan(error.code)}: ${error.message}\n${pc.dim(`hint: ${error.hint}`)}\n`,
      );
    } else {
      process.stderr.write(`${pc.red('error')}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return MIGRATION_FAILED;
  }
}
