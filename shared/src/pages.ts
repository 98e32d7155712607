/** The Next client's pages, in one place for the client, its proxy and any server code
 *  that links to them. */
export const PAGES = {
  home: '/',
  login: '/login',
  register: '/register',
  dashboard: '/dashboard',
  security: '/security',
  admin: '/admin',
} as const;

export type PagePath = (typeof PAGES)[keyof typeof PAGES];

/** Where to go once signed in, as the `next` query parameter of the sign-in pages. */
export const NEXT_PARAM = 'next';

/** A sign-in page (login or register) that returns to `next` afterwards; the page alone
 *  when there is nowhere to return to. */
export function withNext(page: typeof PAGES.login | typeof PAGES.register, next: string | null | undefined): string {
  return next ? `${page}?${new URLSearchParams({ [NEXT_PARAM]: next }).toString()}` : page;
}

/** The sign-in page, coming back to `next` (a path on this site, with its query) afterwards. */
export const signInUrl = (next?: string | null): string => withNext(PAGES.login, next);
