import type { Metadata } from 'next';
import { PublicShell } from '../components/PublicShell';
import { VerifyEmail } from './VerifyEmail';

export const metadata: Metadata = { title: 'Confirm your email address', referrer: 'no-referrer' };

export default function VerifyEmailPage() {
  return (
    <PublicShell>
      <h1 id="verify-title">Confirm your email address</h1>
      <VerifyEmail />
    </PublicShell>
  );
}
