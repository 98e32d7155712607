import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { Exchange } from './contract';

/** Headers as writeHead was given them: an object, or a flat [name, value, …] list. */
function headersFrom(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i]).toLowerCase()] = String(value[i + 1]);
  } else if (value && typeof value === 'object') {
    for (const [name, v] of Object.entries(value as OutgoingHttpHeaders))
      if (v !== undefined) out[name.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

const toBuffer = (chunk: unknown, encoding?: unknown): Buffer | undefined => {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
};

/** The handler, unchanged, with every complete answer handed to `seen` just before its
 *  last bytes go out (so a test that has its answer has had it checked). */
export function recording<H extends RequestListener>(handler: H, seen: (exchange: Exchange) => void): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const chunks: Buffer[] = [];
    let written: Record<string, string> = {};

    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = (...args: unknown[]) => {
      written = { ...written, ...headersFrom(typeof args[1] === 'string' ? args[2] : args[1]) };
      return writeHead(...args);
    };

    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      const chunk = toBuffer(args[0], args[1]);
      if (chunk) chunks.push(chunk);
      return write(...args);
    }) as typeof res.write;

    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const chunk = toBuffer(args[0], args[1]);
      if (chunk) chunks.push(chunk);
      const headers = { ...headersFrom(res.getHeaders()), ...written };
      seen({ method, url, status: res.statusCode, headers, body: Buffer.concat(chunks) });
      return end(...args);
    }) as typeof res.end;

    handler(req, res);
  };
}
