import { contractCheck, type ContractCheck, type Exchange } from './contract';

/** Answers that broke the contract since they were last taken, in the order given. */
const pending: string[] = [];

/** One check per served document (every app of a run serves the same one). */
const checks = new Map<string, ContractCheck>();

export function contractCheckFor(documentJson: string): ContractCheck {
  let check = checks.get(documentJson);
  if (!check) checks.set(documentJson, (check = contractCheck(JSON.parse(documentJson) as Record<string, unknown>)));
  return check;
}

export function checkAgainstContract(check: ContractCheck, exchange: Exchange): void {
  pending.push(...check(exchange));
}

/** The violations recorded since the last call, and forgets them. */
export function takeContractViolations(): string[] {
  return pending.splice(0);
}

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  constructor(readonly violations: string[]) {
    super(`the API answered outside its OpenAPI document:\n  ${violations.join('\n  ')}`);
  }
}

/** Under Jest, a test (or the hooks before it) that received an answer outside the
 *  document fails, without any set-up in the suite: the kit registers these hooks in
 *  every test file that imports it. */
declare const afterEach: ((fn: () => void) => void) | undefined;
declare const afterAll: ((fn: () => void) => void) | undefined;
const failOnViolations = () => {
  const violations = takeContractViolations();
  if (violations.length > 0) throw new ContractViolation(violations);
};
try {
  if (typeof afterEach === 'function') afterEach(failOnViolations);
  if (typeof afterAll === 'function') afterAll(failOnViolations);
} catch {
  // Imported from inside a test or hook, where Jest takes no new hooks: checks still
  // record, and takeContractViolations() reads them.
}
