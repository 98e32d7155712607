import type { PasswordProblem } from '../auth/passwords/policy';
import { PASSWORD_PROBLEM_MESSAGES } from '../auth/passwords/policy';
import { ApiError } from './errors';

/** A new password that fails the server-side policy, as a 400 naming the field. */
export function weakPassword(problems: PasswordProblem[], path: string): ApiError {
  const details = problems.map((p) => ({ path, code: `password_${p}`, message: PASSWORD_PROBLEM_MESSAGES[p] }));
  return new ApiError('validation_failed', 'The request body is invalid', details);
}
