/** Every package a file imports is declared where npm will install it for that file: the
 *  product's code in its own workspace's dependencies (so its image and a fresh install have
 *  it), tests, the test kit, e2e and the benchmarks in their workspace's dependencies or the
 *  root's devDependencies. A package that is only there because something else pulled it in
 *  can vanish with the next lock-file update. */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { ROOT } from '../helpers/processes';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
const root = manifest('.');

/** Where code lives, which workspace declares its packages, and whether it ships. */
const AREAS: Array<{ dir: string; workspace: string; ships: boolean; skip?: RegExp }> = [
  { dir: 'shared/src', workspace: 'shared', ships: true, skip: /\.test\.ts$/ },
  { dir: 'shared/src', workspace: 'shared', ships: false },
  { dir: 'server/src', workspace: 'server', ships: true },
  { dir: 'server/test', workspace: 'server', ships: false, skip: /\/vendor\// },
  { dir: 'server/testing', workspace: 'server', ships: false, skip: /\/dist\// },
  { dir: 'client', workspace: 'client', ships: true, skip: /(\/e2e\/|\.test\.tsx?$|\/\.next[^/]*\/|\/server\/dist\/|\/scripts\/)/ },
  { dir: 'client', workspace: 'client', ships: false, skip: /(\/\.next[^/]*\/|\/server\/dist\/)/ },
  { dir: 'bench', workspace: 'bench', ships: false, skip: /\/results\// },
];

const SOURCE = /\.(ts|tsx|cjs|mjs|js)$/;

function files(dir: string, skip?: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, d), { withFileTypes: true })) {
      const rel = `${d}/${entry.name}`;
      if (entry.name === 'node_modules' || (skip && skip.test(`/${rel}`))) continue;
      if (entry.isDirectory()) walk(rel);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk(dir);
  return out;
}

/** The package each bare import, dynamic import or require of a file names. */
function packagesImported(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\(\s*|^import\s+)'([^'./\\][^'\\]*)'/gm)].map((m) => m[1]!);
  const builtins = new Set(builtinModules);
  return specifiers
    .filter((s) => !s.startsWith('node:') && !builtins.has(s.split('/')[0]!))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

test('every package the code imports is declared for it', () => {
  const undeclared: string[] = [];
  for (const area of AREAS) {
    const own = manifest(area.workspace);
    const declared = new Set([
      own.name,
      ...Object.keys(own.dependencies ?? {}),
      ...Object.keys(own.peerDependencies ?? {}),
      ...(area.ships ? [] : [...Object.keys(own.devDependencies ?? {}), ...Object.keys(root.devDependencies ?? {})]),
    ]);
    for (const file of files(area.dir, area.skip)) {
      for (const pkg of packagesImported(file)) if (!declared.has(pkg)) undeclared.push(`${file}: ${pkg}`);
    }
  }
  expect([...new Set(undeclared)]).toEqual([]);
});

test('the check sees what a file imports', () => {
  expect(packagesImported('server/test/unit/declared-dependencies.test.ts')).toEqual([]);
  expect(packagesImported('server/src/app.ts')).toEqual(expect.arrayContaining(['express', '@cloakroom/shared']));
});
