import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Cloakroom', template: '%s · Cloakroom' },
  description: 'Session-based sign-in, done properly.',
  robots: { index: false },
};

/** Every page renders per request: the CSP nonce is per response, and signed-in pages
 *  must never come from a cache. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
