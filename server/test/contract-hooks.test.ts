/** A suite that receives an answer outside the OpenAPI document fails, though it asserts
 *  nothing about it: fixtures/undocumented-answer.ts, run by a Jest of its own. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers/processes';

jest.setTimeout(120_000);

test('the test that received an undocumented answer fails with the answer named; the others pass', async () => {
  const config = {
    rootDir: path.join(ROOT, 'server'),
    testMatch: ['<rootDir>/test/fixtures/undocumented-answer.ts'],
    transform: { '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: path.join(ROOT, 'tsconfig.jest.json') }] },
    moduleNameMapper: {
      '^@cloakroom/shared$': '<rootDir>/../shared/src/index.ts',
      '^@cloakroom/server$': '<rootDir>/src/index.ts',
      '^@cloakroom/server/testing$': '<rootDir>/testing/index.ts',
    },
    transformIgnorePatterns: ['/node_modules/(?!kysely/|.*(@scure/base|@noble/hashes)/)'],
    testEnvironment: 'node',
  };
  const run = await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--config', JSON.stringify(config), '--json', '--ci'],
    {
      cwd: ROOT,
      env: { ...process.env, TEST_DATABASE_URL: '' },
      maxBuffer: 10 * 1024 * 1024,
    },
  ).then(
    (r) => r,
    (err: { stdout: string; stderr: string; code: number }) => err,
  );
  const report = JSON.parse(run.stdout) as { testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }> };
  const results = report.testResults[0]!.assertionResults;
  expect(results.map((r) => [r.title, r.status])).toEqual([
    ['receives an undocumented 500', 'failed'],
    ['receives documented answers only', 'passed'],
  ]);
  expect(results[0]!.failureMessages.join('\n')).toMatch(
    /ContractViolation: the API answered outside its OpenAPI document:\s+GET \/api\/me → 500: status 500 is not documented/,
  );
});
