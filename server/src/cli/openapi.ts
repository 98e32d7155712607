/** `npm run openapi [-- FILE]`: the OpenAPI 3.1 document, as GET /api/openapi.json serves
 *  it, written to FILE (or to stdout), for code generators and `npm run lint:openapi`.
 *  Needs neither Redis nor a database: the document comes from the route table alone. */
import fs from 'node:fs';
import path from 'node:path';
import { createOpenApiDocument } from '../http/openapi/document';
import { runCli } from './run';

const file = process.argv[2];
const json = `${JSON.stringify(createOpenApiDocument(), null, 2)}\n`;
if (file) {
  runCli('openapi', () => {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, json);
    return Promise.resolve(`wrote ${file}`);
  });
} else {
  process.stdout.write(json);
}
