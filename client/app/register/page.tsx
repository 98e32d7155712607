import type { Metadata } from 'next';
import { PublicShell } from '../components/PublicShell';
import { RegisterForm } from './RegisterForm';

export const metadata: Metadata = { title: 'Create account' };

export default async function RegisterPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  return (
    <PublicShell>
      <h1 id="register-title">Create an account</h1>
      <RegisterForm next={typeof next === 'string' ? next : null} />
    </PublicShell>
  );
}
