/** The Next client's pages, in one place for the client, its proxy and any server code
 *  that links to them. */
export const PAGES = {
  home: '/',
  login: '/login',
  register: '/register',
  dashboard: '/dashboard',
  security: '/security',
  admin: '/admin',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  verifyEmail: '/verify-email',
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

/** The name of the fragment parameter that carries a one-time token in mailed links
 *  (`/reset-password#token=…`): a fragment never reaches a server log or a Referer. */
export const TOKEN_FRAGMENT_PARAM = 'token';

/** A mailed link to one of the token pages: the token rides in the fragment. */
export function tokenLink(origin: string, page: typeof PAGES.resetPassword | typeof PAGES.verifyEmail, token: string): string {
  return `${origin}${page}#${new URLSearchParams({ [TOKEN_FRAGMENT_PARAM]: token }).toString()}`;
}
