import fs from 'node:fs';
import path from 'node:path';

/** The list ships with the repository (server/assets); the same relative path works
 *  from src/ under the tests and from dist/ when built. */
const LIST_FILE = path.resolve(__dirname, '../../../assets/common-passwords.txt');

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    fs
      .readFileSync(LIST_FILE, 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

export type PasswordProblem = 'common' | 'contains_email';

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  common: 'This password is too common; choose one that is harder to guess',
  contains_email: 'The password must not be your email address',
};

/** The server-side half of the policy; length and byte limits are in the shared schema.
 *  The list is matched case-insensitively: "PassWord1" is as guessable as "password1".
 *  The password itself is never altered. */
export function passwordProblems(password: string, context: { email?: string } = {}): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) problems.push('common');
  if (context.email && (lower === context.email || lower === context.email.split('@')[0])) problems.push('contains_email');
  return problems;
}

export function commonPasswordCount(): number {
  return commonPasswords().size;
}
