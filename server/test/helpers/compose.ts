/** docker-compose.yml as Docker Compose reads it, for tests on a machine without a Docker
 *  engine: the parsed file, Compose's variable interpolation, and the compose-spec JSON
 *  schema that `docker compose config` validates the file against. */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { ROOT } from './processes';

export type Env = Record<string, string | undefined>;

export interface Service {
  image?: string;
  profiles?: string[];
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE_PATH = path.join(ROOT, 'docker-compose.yml');
/** The scale-out stack: HAProxy, API replicas, Redis Sentinel, PostgreSQL, the client. */
export const SCALE_COMPOSE_PATH = path.join(ROOT, 'docker-compose.scale.yml');

export function readCompose(file = COMPOSE_PATH): ComposeFile {
  return parse(fs.readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index of the `}` that closes the `{` at `open`, nested braces included. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in ${JSON.stringify(text)}`);
}

/** `${NAME…}`'s body: NAME, then optionally `-`/`:-` (default), `+`/`:+` (alternative) or
 *  `?`/`:?` (required), the colon forms treating an empty value as unset. */
function substitute(body: string, env: Env): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+?])([\s\S]*))?$/.exec(body);
  if (!m) throw new Error(`invalid interpolation \${${body}}`);
  const [, name, colon, op, rest = ''] = m;
  const value = env[name!];
  if (value === undefined || (colon === ':' && value === '')) {
    if (op === '-') return interpolate(rest, env);
    if (op === '?') throw new Error(`required variable ${name} is missing: ${interpolate(rest, env)}`);
    return '';
  }
  return op === '+' ? interpolate(rest, env) : value;
}

/** Compose's interpolation (compose-spec "Interpolation"): `$$`, `$NAME`, `${NAME}` and the
 *  forms above, nested in defaults too (`${A:-http://x:${B:-1}}`). */
export function interpolate(text: string, env: Env): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (text[i] !== '$') {
      out += text[i++];
    } else if (text[i + 1] === '$') {
      out += '$';
      i += 2;
    } else if (text[i + 1] === '{') {
      const end = closing(text, i + 1);
      out += substitute(text.slice(i + 2, end), env);
      i = end + 1;
    } else if (name) {
      out += env[name] ?? '';
      i += 1 + name.length;
    } else {
      out += text[i++];
    }
  }
  return out;
}

/** Every string value of the file interpolated, as Compose does before validating it. */
export function interpolateAll<T>(value: T, env: Env): T {
  if (typeof value === 'string') return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateAll(v, env)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)])) as T;
  return value;
}

/** A service's environment as compose hands it to the container, given the caller's. */
export function environmentOf(service: Service, env: Env = {}): Record<string, string> {
  const raw = service.environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string])
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v ?? '', env)]));
}

/** Services Compose starts by default: those without profiles. */
export function defaultServices(compose: ComposeFile): Array<[string, Service]> {
  return Object.entries(compose.services).filter(([, service]) => !service.profiles?.length);
}

/** The compose-spec schema (server/test/vendor/compose-spec/, see its README), compiled
 *  with ajv: the errors for a parsed file, empty when the file is valid. */
export function composeSchemaErrors(): (document: unknown) => ErrorObject[] {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'server/test/vendor/compose-spec/compose-spec.json'), 'utf8')) as { $schema: string };
  // strictTypes off: the schema uses union types and untyped object keywords on purpose.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  // The schema names draft-07 by its https address; ajv knows draft-07 by the http one.
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  const validate = ajv.compile(schema);
  return (document) => (validate(document) ? [] : (validate.errors ?? []));
}
