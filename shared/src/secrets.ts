/** The fixed secret `npm run dev` uses when SESSION_SECRET is unset, so API and client
 *  agree without setup. It is public (it is in the repository): production refuses it. */
export const DEV_SESSION_SECRET = 'cloakroom-development-secret-never-use-in-production';
export const MIN_SECRET_LENGTH = 32;
