import Link from 'next/link';
import { PAGES } from '@cloakroom/shared';

export default function NotFound() {
  return (
    <main id="main" className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link href={PAGES.dashboard}>Go to your dashboard</Link>.
      </p>
    </main>
  );
}
