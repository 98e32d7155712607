import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '@cloakroom/shared';

/** Requests so malformed that Node's HTTP parser rejects them before Express sees them
 *  (headers over the size limit, a broken request line, invalid header characters).
 *  Node would answer with a bare status line; here they get the contract's error shape
 *  too. Connections that simply timed out or went away are closed without an answer. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body: ErrorBody = {
      error: { code: 'validation_failed', message: tooLarge ? 'The request headers are too large' : 'The request could not be read as HTTP' },
    };
    const text = JSON.stringify(body);
    // An answer to HEAD carries no body, even when the rest of the request was unreadable.
    const head = (err as { rawPacket?: Buffer }).rawPacket?.toString('latin1', 0, 5) === 'HEAD ';
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${head ? '' : text}`,
    );
  });
}
