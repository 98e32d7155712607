import type { Metadata } from 'next';
import { PublicShell } from '../components/PublicShell';
import { ForgotPasswordForm } from './ForgotPasswordForm';

export const metadata: Metadata = { title: 'Forgot password' };

export default function ForgotPasswordPage() {
  return (
    <PublicShell>
      <h1 id="forgot-title">Forgot your password?</h1>
      <ForgotPasswordForm />
    </PublicShell>
  );
}
