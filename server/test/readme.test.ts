/** The README stays true where a test can tell: its test-kit example is the file that
 *  runs as kit-example.test.ts, and every root `npm run` it names exists. */
import fs from 'node:fs';
import path from 'node:path';
import { API_ROUTES } from '@cloakroom/shared';
import { ROOT } from './helpers/processes';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the "Test kit" example is kit-example.test.ts, which runs in this suite', () => {
  const section = readme.slice(readme.indexOf('## Test kit'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const file = fs.readFileSync(path.join(__dirname, 'kit-example.test.ts'), 'utf8');
  const code = file.replace(/^(\/\/.*\n)+/, '');
  expect(block).toBe(code);
});

test('the mobile-web example is mobile-web-example.test.ts, which runs in this suite', () => {
  const section = readme.slice(readme.indexOf('### Mobile-web clients on another site'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const file = fs.readFileSync(path.join(__dirname, 'mobile-web-example.test.ts'), 'utf8');
  expect(block).toBe(file.replace(/^(\/\/.*\n)+/, ''));
});

test('the API section lists every route of the table, and no other', () => {
  const section = readme.slice(readme.indexOf('## API\n'), readme.indexOf('## Test kit'));
  const listed = [...section.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)`/g)].map((m) => `${m[1]} ${m[2]}`);
  const declared = Object.values(API_ROUTES).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  expect([...new Set(listed)].sort()).toEqual(declared.filter((r) => !r.endsWith('/api/docs/reference.js')).sort());
});

test('every root script the README runs exists', () => {
  const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts);
  const named = [...readme.matchAll(/npm run ([\w:-]+)(?!\S* +(-w|--workspace)\b)/g)].map((m) => m[1]!);
  expect(named).toEqual(expect.arrayContaining(['dev', 'build', 'user:create', 'db:migrate']));
  expect([...new Set(named)].filter((name) => !scripts.includes(name))).toEqual([]);
});
