/**
 * CI check that the migrations in src/db/migrations match src/db/schema.ts: drizzle-kit generates into a
 * temporary copy of the folder, and any new file means the schema changed without a migration.
 * Exit 0 when they match, 1 otherwise (with the SQL that is missing).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const source = 'src/db/migrations';
// drizzle-kit reads `--out` relative to the working directory, so the copy lives here (git-ignored).
const copy = mkdtempSync('.migrations-check-');
try {
  cpSync(source, copy, { recursive: true });
  const before = new Set(readdirSync(copy));
  const output = execFileSync(
    'npx',
    [
      'drizzle-kit',
      'generate',
      '--dialect',
      'postgresql',
      '--schema',
      'src/db/schema.ts',
      '--out',
      copy,
      '--name',
      'drift',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const added = readdirSync(copy).filter((file) => !before.has(file) && file.endsWith('.sql'));
  if (added.length === 0 && !/No schema changes/i.test(output)) {
    // drizzle-kit can fail and still exit 0; only its own "no changes" answer counts as a pass.
    process.stderr.write(`drizzle-kit did not confirm the schema:\n${output}\n`);
    process.exitCode = 1;
  } else if (added.length > 0) {
    process.stderr.write(
      'src/db/schema.ts has changes without a migration. Run `npm run db:generate`. Missing:\n',
    );
    for (const file of added) process.stderr.write(readFileSync(join(copy, file), 'utf8'));
    process.exitCode = 1;
  } else {
    process.stdout.write('migrations match the schema\n');
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
