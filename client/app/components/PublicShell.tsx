import Link from 'next/link';
import type { ReactNode } from 'react';

export function PublicShell({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="app-header">
        <Link href="/" className="brand">
          Cloakroom
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/login">Sign in</Link>
            </li>
            <li>
              <Link href="/register">Create account</Link>
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
