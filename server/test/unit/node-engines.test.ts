/** The Node versions the project declares (package.json `engines.node`) are ones every
 *  installed dependency declares too, so `npm ci` on a supported Node prints no
 *  EBADENGINE warning, and the Node running this suite is one of them. */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { ROOT } from '../helpers/processes';

interface LockEntry {
  version?: string;
  engines?: Record<string, string> | string[];
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}
interface Lock {
  packages: Record<string, LockEntry>;
}

const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as T;
const declared = readJson<{ engines?: { node?: string } }>('package.json').engines?.node ?? '';
const lock = readJson<Lock>('package-lock.json');

/** npm's own test for `os`/`cpu`: a list of names, or of `!name` exclusions. */
function allows(list: string[] | undefined, value: string): boolean {
  if (!list?.length) return true;
  if (list.includes(`!${value}`)) return false;
  return list.includes(value) || list.every((entry) => entry.startsWith('!'));
}

/** Every locked package whose `engines.node` leaves out part of `range`. Optional
 *  packages built for another platform are skipped: npm does not install them here. */
function excluding(lockfile: Lock, range: string): string[] {
  return Object.entries(lockfile.packages).flatMap(([where, entry]) => {
    const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (!where || !wanted) return [];
    if (entry.optional && !(allows(entry.os, process.platform) && allows(entry.cpu, process.arch))) return [];
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    return semver.subset(range, wanted) ? [] : [`${name}@${entry.version} wants node ${wanted}`];
  });
}

test('package.json declares a valid Node range, and this suite runs on a Node inside it', () => {
  expect(semver.validRange(declared)).not.toBeNull();
  expect(semver.satisfies(process.version, declared)).toBe(true);
});

test('no locked dependency excludes a Node version the project declares', () => {
  expect(excluding(lock, declared)).toEqual([]);
});

test('the check catches what npm warned about before (connect-redis 10 and kysely 0.29 want Node 22)', () => {
  const before: Lock = {
    packages: {
      '': { engines: { node: '>=20.19' } },
      'node_modules/connect-redis': { version: '10.0.0', engines: { node: '>=22' } },
      'node_modules/kysely': { version: '0.29.9', engines: { node: '>=22.0.0' } },
      'node_modules/express': { version: '5.3.0', engines: { node: '>= 18' } },
      // A platform binary npm skips on this machine (as sharp's win32-ia32 one is here).
      'node_modules/@img/sharp-elsewhere': { version: '0.35.5', optional: true, os: [`!${process.platform}`], engines: { node: '^20.9.0' } },
    },
  };
  expect(excluding(before, declared)).toEqual(['connect-redis@10.0.0 wants node >=22', 'kysely@0.29.9 wants node >=22.0.0']);
  expect(excluding(before, '>=22.13 <27')).toEqual([]);
});
