import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

/** Where Scalar's standalone bundle is: copied beside the build for the image (which has
 *  no dev dependencies, see server/Dockerfile), else in node_modules (development, tests). */
export const BUNDLE_COPY = path.join(__dirname, '../../vendor/scalar-api-reference.js');

function locate(): string {
  if (fs.existsSync(BUNDLE_COPY)) return BUNDLE_COPY;
  try {
    return require.resolve('@scalar/api-reference/browser/standalone.js');
  } catch {
    throw new Error(`Scalar's API reference bundle is missing: install the dev dependencies, or copy it to ${BUNDLE_COPY} (see server/Dockerfile)`);
  }
}

export interface ReferenceBundle {
  /** The bundle, gzipped when the client accepts it; read and compressed once, on first use. */
  read(gzipped: boolean): Promise<Buffer>;
}

/** Found at start (a missing bundle is a broken build, said at once), read on first use:
 *  3.5 MB nobody may ever ask for stays on disk. */
export function referenceBundle(): ReferenceBundle {
  const file = locate();
  let plain: Promise<Buffer> | undefined;
  let compressed: Promise<Buffer> | undefined;
  return {
    read(gzipped) {
      plain ??= fs.promises.readFile(file);
      if (!gzipped) return plain;
      return (compressed ??= plain.then((b) => gzip(b)));
    },
  };
}
