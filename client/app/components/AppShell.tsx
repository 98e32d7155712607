import Link from 'next/link';
import type { ReactNode } from 'react';
import { PAGES } from '@cloakroom/shared';
import type { Identity } from '../../lib/identity';
import { BackForwardGuard } from './BackForwardGuard';
import { SignOutButton } from './SignOutButton';

const NAV = [
  { href: PAGES.dashboard, label: 'Dashboard' },
  { href: PAGES.security, label: 'Security' },
] as const;

/** The frame of every signed-in page: where you are, who you are, and a way out. */
export function AppShell({ user, current, children }: { user: Identity; current: string; children: ReactNode }) {
  const links = user.role === 'admin' ? [...NAV, { href: PAGES.admin, label: 'Admin' }] : NAV;
  return (
    <>
      <BackForwardGuard />
      <header className="app-header">
        <Link href={PAGES.dashboard} className="brand" prefetch={false}>
          Cloakroom
        </Link>
        <nav aria-label="Main">
          <ul>
            {links.map((l) => (
              <li key={l.href}>
                <Link href={l.href} prefetch={false} aria-current={l.href === current ? 'page' : undefined}>
                  {l.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="signed-in-as">{user.email}</span>
          <SignOutButton />
        </div>
      </header>
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}
