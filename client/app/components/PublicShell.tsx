import Link from 'next/link';
import type { ReactNode } from 'react';
import { PAGES } from '@cloakroom/shared';

export function PublicShell({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="app-header">
        <Link href={PAGES.home} className="brand">
          Cloakroom
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href={PAGES.login}>Sign in</Link>
            </li>
            <li>
              <Link href={PAGES.register}>Create account</Link>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" className="page narrow">
        {children}
      </main>
    </>
  );
}
