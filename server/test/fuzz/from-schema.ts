import fc from 'fast-check';

type Schema = Record<string, unknown>;

/** Values that satisfy a JSON Schema (the subset the OpenAPI document uses: $ref, enum,
 *  const, type unions, string formats and lengths, integer ranges, arrays, objects, anyOf),
 *  so that generated requests get past validation into the handlers too. */
export function arbitraryFor(schema: unknown, resolve: (ref: string) => unknown, depth = 0): fc.Arbitrary<unknown> {
  const s = (schema ?? {}) as Schema;
  if (typeof s.$ref === 'string') return arbitraryFor(resolve(s.$ref), resolve, depth);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (union) return fc.oneof(...union.map((u) => arbitraryFor(u, resolve, depth + 1)));
  if (Array.isArray(s.type)) return fc.oneof(...(s.type as string[]).map((type) => arbitraryFor({ ...s, type }, resolve, depth)));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: Number(s.minimum ?? -1000), max: Math.min(Number(s.maximum ?? 1000), 1_000_000) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'string': {
      if (s.format === 'email') return fc.emailAddress();
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      const minLength = Number(s.minLength ?? 0);
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(Number(s.maxLength ?? 40), 40)) });
    }
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(arbitraryFor(s.items, resolve, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = (s.required ?? []) as string[];
      const record = Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, arbitraryFor(p, resolve, depth + 1)]));
      return fc.record(record, { requiredKeys: required.filter((name) => name in properties) });
    }
    default:
      return fc.string({ maxLength: 20 });
  }
}
