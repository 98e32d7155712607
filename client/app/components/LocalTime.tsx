'use client';

import { useSyncExternalStore } from 'react';

const utc = (iso: string) => new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const local = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

const never = () => () => undefined;

/** A moment in the reader's own time zone (the server renders UTC until the browser
 *  takes over, so the first paint already makes sense). */
export function LocalTime({ iso }: { iso: string }) {
  // false while rendering on the server and hydrating, true in the browser afterwards.
  const inBrowser = useSyncExternalStore(
    never,
    () => true,
    () => false,
  );
  return <time dateTime={iso}>{inBrowser ? local(iso) : utc(iso)}</time>;
}
