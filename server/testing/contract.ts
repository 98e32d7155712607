/**
 * Every answer the test kit's handler gives, checked against the OpenAPI document the API
 * serves: the status is documented for that operation, the body matches its schema (ajv,
 * JSON Schema 2020-12, as OpenAPI 3.1 uses), the media type is the documented one, and
 * required headers are there. Answers outside any operation follow the rules the
 * document's introduction states: 404 for an unknown path, 405 with Allow for a method a
 * path does not have, 204 for a preflight, and the errors raised before routing.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** One request and its answer, as the handler gave it. */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  pattern: RegExp;
  /** JSON pointer to the operation in the document. */
  pointer: string;
  responses: Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/** Errors the API raises before routing (body reading, CSRF), so on any path. */
const BEFORE_ROUTING = (method: string) => [
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
  ...(STATE_CHANGING.has(method) ? ['csrf_rejected'] : []),
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pointerPart = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Matching as Express 5 routes: case-insensitive, an optional trailing slash, a
 *  parameter is one non-empty segment. */
function templatePattern(path: string): RegExp {
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : escape(part)))
    .join('');
  return new RegExp(`^${source}/?$`, 'i');
}

function resolvePointer(doc: Json, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

export type ContractCheck = (exchange: Exchange) => string[];

/** Builds the check for one document. */
export function contractCheck(doc: Json): ContractCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let fn = compiled.get(pointer);
    if (!fn) compiled.set(pointer, (fn = ajv.compile({ $ref: `openapi${pointer}` })));
    return fn;
  };
  /** A $ref to a component is followed, keeping the pointer to where the object is. */
  const deref = (value: unknown, pointer: string): { node: Json; pointer: string } => {
    const ref = (value as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref === 'string') return deref(resolvePointer(doc, ref), ref);
    return { node: value as Json, pointer };
  };

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      operations.push({
        method,
        path,
        pattern: templatePattern(path),
        pointer: `#/paths/${pointerPart(path)}/${method}`,
        responses: op.responses as Record<string, unknown>,
      });
    }
  }

  const errorCodeOf = (ex: Exchange): string | undefined => {
    try {
      const parsed = JSON.parse(ex.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
      return typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string' ? parsed.error.code : undefined;
    } catch {
      return undefined;
    }
  };

  /** An answer outside any operation: one of `codes`, in the error shape. */
  const expectError = (ex: Exchange, method: string, codes: string[], what: string): string[] => {
    if (method === 'head') return ex.status >= 400 ? [] : [`${what}: answered ${ex.status}`];
    const code = errorCodeOf(ex);
    return code && codes.includes(code)
      ? []
      : [`${what}: answered ${ex.status} ${code ?? ex.body.toString('utf8').slice(0, 200)}, expected one of ${codes.join(', ')}`];
  };

  return (ex) => {
    const method = ex.method.toLowerCase();
    const path = ex.url.split('?')[0]!;
    const label = `${ex.method} ${ex.url} → ${ex.status}`;

    // A preflight is answered by the CORS policy on any path: 204 from an allowed origin,
    // 403 csrf_rejected from any other (the document's CORS section); any other OPTIONS is
    // a method like another (404 off the paths, 405 on them).
    if (method === 'options' && ex.status === 204 && ex.body.length === 0) return [];
    if (method === 'options' && ex.status === 403 && errorCodeOf(ex) === 'csrf_rejected') return [];

    // A concrete path is matched before a templated one (OpenAPI 3.1 "Path Templating
    // Matching"), as Express matches it (the route table mounts literal paths first):
    // `/passkeys/login` is not `/passkeys/{id}`. Of the matching paths, the one with the
    // fewest parameters answers.
    const matching = operations.filter((op) => op.pattern.test(path));
    const templates = (p: string) => (p.match(/\{/g) ?? []).length;
    const fewest = Math.min(...matching.map((op) => templates(op.path)));
    const onPath = matching.filter((op) => templates(op.path) === fewest);
    if (onPath.length === 0) return expectError(ex, method, ['not_found', ...BEFORE_ROUTING(method)], `${label} (no documented path)`);

    const op = onPath.find((o) => o.method === (method === 'head' ? 'get' : method));
    if (!op) {
      const problems = expectError(ex, method, ['method_not_allowed', ...BEFORE_ROUTING(method)], `${label} (method not documented for ${onPath[0]!.path})`);
      if (ex.status === 405) {
        const documented = [...new Set(onPath.map((o) => o.method.toUpperCase()))];
        const allow = [...documented, ...(documented.includes('GET') ? ['HEAD'] : [])].sort().join(', ');
        const sent = (ex.headers.allow ?? '').split(/,\s*/).sort().join(', ');
        if (sent !== allow) problems.push(`${label}: Allow is "${ex.headers.allow}", the document says ${allow}`);
      }
      return problems;
    }

    const where = `${op.method.toUpperCase()} ${op.path}`;
    const declared = op.responses[String(ex.status)];
    if (!declared) return [`${label}: status ${ex.status} is not documented for ${where} (documented: ${Object.keys(op.responses).join(', ')})`];
    const { node: response, pointer } = deref(declared, `${op.pointer}/responses/${ex.status}`);
    const problems: string[] = [];

    const headers = (response.headers ?? {}) as Record<string, unknown>;
    for (const [name, header] of Object.entries(headers)) {
      if (deref(header, '').node.required === true && ex.headers[name.toLowerCase()] === undefined)
        problems.push(`${label}: the required header ${name} is missing`);
    }
    if (method === 'head') return problems;

    const content = (response.content ?? {}) as Record<string, unknown>;
    const mediaTypes = Object.keys(content);
    const sentType = (ex.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaTypes.length === 0) {
      if (ex.body.length > 0) problems.push(`${label}: ${where} documents no body for ${ex.status}, got ${ex.body.length} bytes`);
      return problems;
    }
    if (!mediaTypes.includes(sentType)) return [...problems, `${label}: content type "${sentType}", documented: ${mediaTypes.join(', ')}`];
    if (sentType !== 'application/json') return problems;

    let body: unknown;
    try {
      body = JSON.parse(ex.body.toString('utf8'));
    } catch {
      return [...problems, `${label}: the body is not JSON`];
    }
    const validate = validator(`${pointer}/content/${pointerPart(sentType)}/schema`);
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
      problems.push(`${label}: the body does not match ${where} ${ex.status}: ${errors.join('; ')} in ${JSON.stringify(body).slice(0, 300)}`);
    }
    return problems;
  };
}
