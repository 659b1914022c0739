/** @module The error catalogue as Markdown (docs/errors.md), generated from the registry so that it cannot drift. */
import { errorCodes } from './codes.ts';

export function errorCatalogue(): string {
  const rows = Object.entries(errorCodes).map(
    ([code, info]) =>
      `| \`${code}\` | ${info.category} | ${info.status} | ${info.retryable ? 'yes' : 'no'} | ${info.summary} | ${info.hint.replaceAll('|', '\\|')} |`,
  );
  return [
    '# Error codes',
    '',
    'Every error Switchyard reports carries one of these stable codes (generated from',
    '`src/errors/codes.ts` by `npm run docs:errors`; a test keeps this file in step).',
    '',
    '| code | category | HTTP status | retried by node policies | meaning | what to do |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
