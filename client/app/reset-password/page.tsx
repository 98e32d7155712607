import type { Metadata } from 'next';
import { PublicShell } from '../components/PublicShell';
import { ResetPasswordForm } from './ResetPasswordForm';

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

export default function ResetPasswordPage() {
  return (
    <PublicShell>
      <h1 id="reset-title">Choose a new password</h1>
      <ResetPasswordForm />
    </PublicShell>
  );
}
