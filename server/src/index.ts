/** @cloakroom/server: what other packages (the test kit, bench) may use of the API. */
export { createApp, type Api, type ApiHandler, type Infrastructure, type OpenApiDocument, type Services } from './app';
export { loadConfig, ConfigError, type Config } from './config/env';
export { closeInfrastructure, connectInfrastructure } from './infrastructure';
export { answerClientErrors } from './http/client-errors';
export { createLogger } from './logging/logger';
export type { Role, UserRow } from './db/users';
export { scanKeys, sendRaw, type Redis } from './redis/client';
export { definedScripts } from './redis/script';
export { newSessionId, sessionKeyOf, sessionRef } from './auth/session/session-id';
