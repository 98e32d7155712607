'use client';

import { useEffect, useState } from 'react';

const utc = (iso: string) => new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const local = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** A moment in the reader's own time zone (the server renders UTC until the browser
 *  takes over, so the first paint already makes sense). */
export function LocalTime({ iso }: { iso: string }) {
  const [text, setText] = useState(() => utc(iso));
  useEffect(() => setText(local(iso)), [iso]);
  return <time dateTime={iso}>{text}</time>;
}
