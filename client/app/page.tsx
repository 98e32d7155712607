import Link from 'next/link';
import { PAGES } from '@cloakroom/shared';
import { PublicShell } from './components/PublicShell';

export default function Home() {
  return (
    <PublicShell>
      <h1>Cloakroom</h1>
      <p className="lead">Hand over your credentials, get an opaque ticket. Everything else stays behind the counter.</p>
      <ul className="features">
        <li>Sessions live on the server; your browser only holds a ticket it cannot read.</li>
        <li>See every device signed in to your account, and sign any of them out.</li>
        <li>Idle sessions end on their own, and every session has a fixed limit besides.</li>
      </ul>
      <p className="actions">
        <Link className="button" href={PAGES.login}>
          Sign in
        </Link>
        <Link className="button secondary" href={PAGES.register}>
          Create an account
        </Link>
      </p>
    </PublicShell>
  );
}
