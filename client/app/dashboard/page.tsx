import type { Metadata } from 'next';
import { PAGES } from '@cloakroom/shared';
import { requireUser } from '../../lib/identity';
import { AppShell } from '../components/AppShell';
import { LocalTime } from '../components/LocalTime';

export const metadata: Metadata = { title: 'Dashboard' };

const PATH = PAGES.dashboard;
const SOON_MS = 60 * 60 * 1000;

/** Rendered per request (a signed-in page is never cached), so "now" is this request's. */
const endsSoon = (at: number) => at - Date.now() < SOON_MS;

export default async function DashboardPage() {
  const user = await requireUser(PATH);
  const idle = Date.parse(user.idleExpiresAt);
  const absolute = Date.parse(user.expiresAt);
  const endsAt = new Date(Math.min(idle, absolute)).toISOString();
  const endsByIdle = idle <= absolute;
  const soon = endsSoon(Math.min(idle, absolute));
  return (
    <AppShell user={user} current={PATH}>
      <h1>Dashboard</h1>
      <section aria-labelledby="who-title" className="card">
        <h2 id="who-title">You</h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd data-testid="user-email">{user.email}</dd>
          {user.name && (
            <>
              <dt>Name</dt>
              <dd>{user.name}</dd>
            </>
          )}
          <dt>Role</dt>
          <dd data-testid="user-role">{user.role === 'admin' ? 'Administrator' : 'User'}</dd>
        </dl>
      </section>
      <section aria-labelledby="session-title" className="card">
        <h2 id="session-title">This session</h2>
        <p data-testid="session-ends">
          This session ends <LocalTime iso={endsAt} />
          {endsByIdle ? ' unless you use it before then; each visit pushes that back, ' : ', '}
          and <LocalTime iso={user.expiresAt} /> at the latest.
        </p>
        {soon && (
          <p className="notice" role="status">
            Your session ends within the hour. You will need to sign in again after that.
          </p>
        )}
      </section>
    </AppShell>
  );
}
