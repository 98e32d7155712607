import type { Metadata } from 'next';
import { PAGES } from '@cloakroom/shared';
import { requireUser } from '../../lib/identity';
import { AppShell } from '../components/AppShell';
import { ReauthProvider } from '../components/ReauthProvider';
import { UsersPanel } from './UsersPanel';

export const metadata: Metadata = { title: 'Admin' };

const PATH = PAGES.admin;

export default async function AdminPage() {
  const user = await requireUser(PATH);
  // The proxy answers non-admins with 403 already; this page does not rely on it.
  if (user.role !== 'admin') {
    return (
      <AppShell user={user} current={PATH}>
        <h1>Forbidden</h1>
        <p>This page is for administrators only.</p>
      </AppShell>
    );
  }
  return (
    <AppShell user={user} current={PATH}>
      <h1>Users</h1>
      <ReauthProvider>
        <UsersPanel selfId={user.id} />
      </ReauthProvider>
    </AppShell>
  );
}
