/** The unit tier (`npm run test:unit`) needs no Redis and no database: no file in it
 *  imports the test kit, a Redis or database client, or the helpers that reach them.
 *  A test that needs one belongs in server/test/ or client/test/ (docs/testing.md). */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/processes';

/** Where the unit tier's files live (jest.config.ts, project "unit"). */
const UNIT_ROOTS = ['shared/src', 'server/test/unit', 'client'];
const NOT_UNIT = /(^|\/)(node_modules|\.next[^/]*|e2e|test)(\/|$)/;

function unitTestFiles(): string[] {
  return UNIT_ROOTS.flatMap((root) =>
    fs
      .readdirSync(path.join(ROOT, root), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.test\.tsx?$/.test(f) && !(root === 'client' && NOT_UNIT.test(path.dirname(f))))
      .map((f) => path.join(root, f)),
  );
}

const REACHES_SERVICES = /^(@cloakroom\/server\/testing|redis|pg|better-sqlite3|kysely|supertest)$|\/helpers\/(databases|redis|monitor|sign-in)$|\/faults\//;

test('no file of the unit tier imports the kit, a Redis or database client, or helpers that use them', () => {
  const files = unitTestFiles();
  expect(files).toContain('server/test/unit/readme.test.ts');
  expect(files).toContain('client/lib/gate.test.ts');
  expect(files.filter((f) => f.startsWith('client/test/'))).toEqual([]);
  const offending = files.flatMap((file) =>
    [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/(?:^import .*? from |\brequire\(|\bimport\()'([^']+)'/gm)]
      .map((m) => m[1]!)
      .filter((specifier) => REACHES_SERVICES.test(specifier))
      .map((specifier) => `${file}: ${specifier}`),
  );
  expect(offending).toEqual([]);
});
