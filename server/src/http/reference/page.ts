import { createHash } from 'node:crypto';
import { API_ROUTES } from '@cloakroom/shared';

/** The API reference page: Scalar's standalone bundle, served by the API itself, reading
 *  this API's OpenAPI document. Relative paths, so the page works on the API's origin and
 *  behind the client's same-origin /api rewrite alike. */

const CONFIGURATION = {
  url: API_ROUTES.openApiDocument.path,
  // Nothing from elsewhere: system fonts instead of Scalar's hosted ones, no telemetry,
  // no hosted assistant, no hosted request proxy ("try it" asks this origin directly).
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: 'never',
};

const INIT = `Scalar.createApiReference('#reference', ${JSON.stringify(CONFIGURATION)});`;

export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cloakroom API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<div id="reference"></div>
<script src="${API_ROUTES.apiReferenceScript.path}"></script>
<script>${INIT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's own policy, instead of the API's `default-src 'none'`: scripts from this
 *  origin plus the one inline initialisation (by hash), the document and "try it"
 *  requests to this origin only. The bundle injects its styles at run time, which a nonce
 *  or hash cannot cover: inline styles are allowed, on this page alone. Nothing may frame
 *  it, and it submits no forms. */
export const REFERENCE_CSP = [
  "default-src 'none'",
  `script-src 'self' ${sha256(INIT)}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
