import type { Metadata } from 'next';
import { PublicShell } from '../components/PublicShell';
import { LoginForm } from './LoginForm';
import { PasskeySignIn } from './PasskeySignIn';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  return (
    <PublicShell>
      <h1 id="login-title">Sign in</h1>
      <LoginForm next={typeof next === 'string' ? next : null} />
      <PasskeySignIn next={typeof next === 'string' ? next : null} />
    </PublicShell>
  );
}
