import http, { type Server, type ServerResponse } from 'node:http';
import type { Lifecycle } from './http/lifecycle';
import { createApp } from './app';
import { answerClientErrors } from './http/client-errors';
import { explainListenFailure } from './http/listen-error';
import { ConfigError, loadConfig, type Config } from './config/env';
import { closeInfrastructure, connectInfrastructure } from './infrastructure';
import { createLogger } from './logging/logger';
import { StartupError } from './startup';

/** First drains: for SHUTDOWN_DRAIN_MS /readyz says 503 (a load balancer takes the
 *  instance out of its pool) while every request that still arrives is served, each
 *  answer closing its connection so no keep-alive connection outlives the drain. Then
 *  stops accepting connections, lets in-flight requests finish, and closes Redis and the
 *  database. Idle keep-alive connections are closed so they cannot hold the exit. */
function shutdownOnSignal(server: Server, lifecycle: Lifecycle, close: () => Promise<void>, config: Config, log: (msg: string) => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    lifecycle.draining = true;
    server.prependListener('request', (_req, res: ServerResponse) => res.setHeader('Connection', 'close'));
    log(`${signal} received: draining for ${config.shutdownDrainMs} ms, then finishing in-flight requests`);
    setTimeout(() => closeServer(), config.shutdownDrainMs);
  };
  const closeServer = () => {
    const force = setTimeout(() => {
      log(`in-flight requests did not finish within ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(idle);
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`cloakroom: invalid configuration: ${err.message}`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  let infra;
  try {
    infra = await connectInfrastructure(config, logger);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    console.error(`cloakroom: ${err.message}`);
    process.exit(69);
  }

  const { handler, services, lifecycle } = createApp(infra);
  // Mails queued by this or any other instance (or left by one that stopped) go out.
  services.outbox.start();
  const onListening = () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = typeof address === 'object' && address ? address.address : config.host;
    const where = config.host ? `${host}:${port}` : `port ${port} (every interface)`;
    logger.info({ host, port, env: config.env, database: config.databaseUrl.split(':')[0] }, `cloakroom API listening on ${where}`);
  };
  // No host: Node listens on every interface, IPv6 and IPv4 alike. A process signing
  // with the public development secret gets loopback from the config unless HOST says
  // otherwise (config/env.ts).
  const server = http.createServer(handler);
  if (config.mail.transport === 'log') logger.info('mail: MAIL_TRANSPORT=log, so mails (links included) are written to this log instead of being sent');
  if (config.host) server.listen(config.port, config.host, onListening);
  else server.listen(config.port, onListening);
  answerClientErrors(server);
  server.on('error', (err: NodeJS.ErrnoException) => {
    console.error(`cloakroom: ${explainListenFailure(err, config.port, config.host)}`);
    process.exit(69);
  });
  shutdownOnSignal(
    server,
    lifecycle,
    async () => {
      await services.outbox.stop();
      await closeInfrastructure(infra);
    },
    config,
    (msg) => logger.info(msg),
  );
}

main().catch((err: unknown) => {
  console.error('cloakroom: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
