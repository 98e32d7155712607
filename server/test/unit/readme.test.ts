/** The README and docs/ stay true where a test can tell: the README stays a front door
 *  that links every doc; the examples they show are the files that run; every `npm run`
 *  they name exists; every relative link resolves to a file and every anchor to a
 *  heading; every repository path they name in code exists. */
import fs from 'node:fs';
import path from 'node:path';
import { API_ROUTES } from '@cloakroom/shared';
import { ROOT } from '../helpers/processes';

const DOCS = fs
  .readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const FILES = ['README.md', ...DOCS];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const readme = read('README.md');

/** The text outside fenced code blocks (headings and links live there). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor for a heading: lower case, markup and punctuation dropped (but `-`
 *  and `_`), spaces as hyphens; a repeated heading gets -1, -2… */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = heading!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** The first ```ts block after `heading` in `file`. */
function exampleAfter(file: string, heading: string): string | undefined {
  const text = read(file);
  const at = text.indexOf(heading);
  if (at < 0) return undefined;
  return /```ts\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
}

/** A test file as the docs show it: without its leading `//` comment lines. */
const shown = (testFile: string) => fs.readFileSync(path.join(__dirname, '..', testFile), 'utf8').replace(/^(\/\/.*\n)+/, '');

test('the README is a front door: at most 200 lines, linking every file in docs/', () => {
  expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]));
  expect(DOCS.filter((doc) => !linked.has(doc))).toEqual([]);
});

test('the mobile-web example in docs/security.md is mobile-web-example.test.ts, which runs in this suite', () => {
  expect(exampleAfter('docs/security.md', '## Mobile-web clients on another site')).toBe(shown('mobile-web-example.test.ts'));
});

test('docs/api.md lists every route of the table, and no other', () => {
  const text = read('docs/api.md');
  const section = text.slice(0, text.indexOf('## One declaration per route'));
  const listed = [...section.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)`/g)].map((m) => `${m[1]} ${m[2]}`);
  const declared = Object.values(API_ROUTES).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  expect([...new Set(listed)].sort()).toEqual(declared.filter((r) => !r.endsWith('/api/docs/reference.js')).sort());
});

test('the test kit example in docs/testing.md is kit-example.test.ts, which runs in this suite', () => {
  expect(exampleAfter('docs/testing.md', '## The test kit')).toBe(shown('kit-example.test.ts'));
});

test('the kit.logs() example in docs/testing.md is kit-logs-example.test.ts, which runs in this suite', () => {
  expect(exampleAfter('docs/testing.md', '### What the kit logs')).toBe(shown('kit-logs-example.test.ts'));
});

test('the kit mail example in docs/testing.md is kit-mail-example.test.ts, which runs in this suite', () => {
  expect(exampleAfter('docs/testing.md', '### The mail the app sends')).toBe(shown('kit-mail-example.test.ts'));
});

test('every root script the README and docs run exists, and the README names the main ones', () => {
  const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
  const named = (text: string) => [...text.matchAll(/npm run ([\w:-]+)(?!\S* +(-w|--workspace)\b)/g)].map((m) => m[1]!);
  const inReadme = named(readme);
  for (const script of ['dev', 'build', 'test:e2e', 'typecheck', 'lint', 'format', 'bench', 'user:create', 'db:migrate']) expect(inReadme).toContain(script);
  expect(readme).toMatch(/`npm test`/);
  expect(readme).toMatch(/`npm start`/);
  const missing = FILES.flatMap((file) => named(read(file)).map((script) => `${file}: npm run ${script}`)).filter(
    (entry) => !scripts.includes(entry.split('npm run ')[1]!),
  );
  expect(missing).toEqual([]);
});

test('every relative link resolves to a file, and every anchor to a heading of it', () => {
  const broken: string[] = [];
  for (const file of FILES) {
    for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [where, anchor] = target!.split('#') as [string, string | undefined];
      const linked = where ? path.join(path.dirname(file), where) : file;
      if (!fs.existsSync(path.join(ROOT, linked))) broken.push(`${file}: ${target} (no such file)`);
      else if (anchor !== undefined && linked.endsWith('.md') && !anchors(read(linked)).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  expect(broken).toEqual([]);
});

/** Whether a path is something a build or a run writes (a .gitignore'd folder): the docs
 *  may name those whether or not this checkout has built them. */
function generated(repoPath: string): boolean {
  const ignored = read('.gitignore')
    .split('\n')
    .filter((line) => line.endsWith('/'))
    .map((line) => line.slice(0, -1));
  const segments = repoPath.split('/');
  return ignored.some((entry) => (entry.includes('/') ? `${repoPath}/`.startsWith(`${entry}/`) : segments.includes(entry)));
}

test('every repository path the README and docs name in code exists', () => {
  // The kit's "a file like this": an illustration, not a file.
  const examples = new Set(['server/test/my-feature.test.ts']);
  const missing = FILES.flatMap((file) =>
    [...read(file).matchAll(/`((?:server|client|shared|bench|docs|\.ci)\/[\w./@-]+)`/g)]
      .map((m) => m[1]!.replace(/[.:,]$/, '').replace(/\/$/, ''))
      .filter((p) => !examples.has(p) && !generated(p) && !fs.existsSync(path.join(ROOT, p)))
      .map((p) => `${file}: ${p}`),
  );
  expect(missing).toEqual([]);
  expect(generated('client/.next/standalone/client/server.js') && generated('bench/results') && !generated('client/next.config.ts')).toBe(true);
});

test('the anchor rule matches GitHub on the headings these docs use', () => {
  const text = '# A\n## `GET /api/me`, on both paths\n## 127.0.0.1 or localhost\n## HTTPS, and `TRUST_PROXY`\n## A\n```sh\n# not a heading\n```\n';
  expect([...anchors(text)]).toEqual(['a', 'get-apime-on-both-paths', '127001-or-localhost', 'https-and-trust_proxy', 'a-1']);
});
