/** The two pages the proxy answers by itself, without rendering the app: the API may be
 *  down (so nothing may depend on it) and a 403 must carry its status. Plain HTML with
 *  the response's nonce on its only style and script. */

import { API_ROUTES, PAGES } from '@cloakroom/shared';

const page = (nonce: string, title: string, body: string, script = '') => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Cloakroom</title>
<style nonce="${nonce}">
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:34rem;margin:10vh auto;padding:2rem;background:#fff;border:1px solid #d9dde3;border-radius:8px}
h1{margin-top:0;font-size:1.5rem}a,button{font:inherit;color:#1f4fd1}
button{background:none;border:0;padding:0;text-decoration:underline;cursor:pointer}
</style>
</head>
<body>
<main>${body}</main>${script ? `\n<script nonce="${nonce}">${script}</script>` : ''}
</body>
</html>`;

export function serviceUnavailablePage(nonce: string): string {
  return page(
    nonce,
    'Service unavailable',
    `<h1>Service unavailable</h1>
<p>Cloakroom cannot check your session right now, so this page stays closed.</p>
<p>The service is unavailable. Please try again in a moment.</p>
<p><a href="">Try again</a></p>`,
  );
}

/** Signing out here needs the same JSON POST the app's own button sends. */
const SIGN_OUT_SCRIPT = `document.getElementById('sign-out').addEventListener('click',function(){fetch(${JSON.stringify(API_ROUTES.logout.path)},{method:'POST',credentials:'same-origin'}).finally(function(){location.assign(${JSON.stringify(PAGES.login)})})})`;

export function forbiddenPage(nonce: string): string {
  return page(
    nonce,
    'Forbidden',
    `<h1>Forbidden</h1>
<p>You are signed in, but this page is for administrators only.</p>
<p><a href="${PAGES.dashboard}">Back to your dashboard</a> · <button type="button" id="sign-out">Sign out</button></p>`,
    SIGN_OUT_SCRIPT,
  );
}
