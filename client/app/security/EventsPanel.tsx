'use client';

import type { SecurityEventType } from '@cloakroom/shared';
import { api } from '../../lib/api';
import { describeDevice } from '../../lib/device';
import { LocalTime } from '../components/LocalTime';
import { useApiData } from '../components/use-api-data';

const WORDS: Record<SecurityEventType, string> = {
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in attempt',
  logout: 'Signed out',
  session_revoked: 'Session signed out remotely',
  password_changed: 'Password changed',
  role_changed: 'Role changed',
  account_locked: 'Sign-in temporarily blocked',
  registered: 'Account created',
  password_reset_requested: 'Password reset link requested',
  password_reset: 'Password reset by mailed link',
  email_verified: 'Email address confirmed',
  email_change_requested: 'Email change requested',
  email_changed: 'Email address changed',
};

const listEvents = () => api.listEvents();

export function EventsPanel() {
  const [loaded] = useApiData(listEvents);
  return (
    <section aria-labelledby="events-title" className="card">
      <h2 id="events-title">Recent security events</h2>
      {loaded.state === 'loading' && <p aria-live="polite">Loading recent events…</p>}
      {loaded.state === 'error' && <p role="alert">{loaded.message}</p>}
      {loaded.state === 'ready' &&
        (loaded.data.events.length === 0 ? (
          <p>No security events yet.</p>
        ) : (
          <ul className="events" data-testid="events">
            {loaded.data.events.map((e) => (
              <li key={e.id}>
                <strong>{WORDS[e.type] ?? e.type}</strong> <LocalTime iso={e.at} />
                <span className="muted">
                  {' '}
                  · {describeDevice(e.userAgent)} · {e.ip ?? 'unknown address'}
                </span>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
