/** One line naming why the API could not listen, and what to do about it. */
export function explainListenFailure(err: NodeJS.ErrnoException, port: number, host: string | undefined): string {
  const where = host ? `${host}:${port}` : `port ${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: another process is using it (an API started earlier, \`npm run dev\` or \`docker compose up\`? \`ss -ltnp\` shows which). Stop it, or set PORT to a free port.`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine. Set HOST to one of its addresses, or unset it to listen on all.`;
    case 'EACCES':
      return `cannot listen on ${where}: this user may not use ports below 1024. Set PORT to 1024 or above.`;
    default:
      return `cannot listen on ${where}: ${err.message}`;
  }
}
