import type { Metadata } from 'next';
import { PAGES } from '@cloakroom/shared';
import { requireUser } from '../../lib/identity';
import { AppShell } from '../components/AppShell';
import { EmailPanel } from './EmailPanel';
import { EventsPanel } from './EventsPanel';
import { PasswordForm } from './PasswordForm';
import { SessionsPanel } from './SessionsPanel';

export const metadata: Metadata = { title: 'Security' };

const PATH = PAGES.security;

export default async function SecurityPage() {
  const user = await requireUser(PATH);
  return (
    <AppShell user={user} current={PATH}>
      <h1>Security</h1>
      <SessionsPanel />
      <EmailPanel email={user.email} verified={user.emailVerified} />
      <PasswordForm email={user.email} />
      <EventsPanel />
    </AppShell>
  );
}
