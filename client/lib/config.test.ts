import { DEV_SESSION_SECRET } from '@cloakroom/shared';
import { ClientConfigError, DEFAULT_API_INTERNAL_URL, DEFAULT_API_PROXY_TIMEOUT_MS, loadClientConfig } from './config';

const SECRET = 'x'.repeat(40);
const problem = (env: Record<string, string>, nodeEnv = 'production') => {
  try {
    loadClientConfig(env, nodeEnv);
  } catch (err) {
    if (err instanceof ClientConfigError) return err.message;
    throw err;
  }
  return null;
};

describe('client configuration', () => {
  test('production refuses to start without any secret, naming the variable', () => {
    expect(problem({})).toMatch(/^IDENTITY_HEADER_SECRET \(or SESSION_SECRET\) is required in production/);
  });

  test('production refuses the development secret and short secrets', () => {
    expect(problem({ SESSION_SECRET: DEV_SESSION_SECRET })).toMatch(/^SESSION_SECRET is the public development secret/);
    expect(problem({ IDENTITY_HEADER_SECRET: 'short' })).toMatch(/^IDENTITY_HEADER_SECRET must be at least 32 characters/);
  });

  test('IDENTITY_HEADER_SECRET wins; otherwise the first SESSION_SECRET serves', () => {
    expect(loadClientConfig({ IDENTITY_HEADER_SECRET: SECRET, SESSION_SECRET: 'y'.repeat(40) }, 'production').identitySecret).toEqual({
      value: SECRET,
      source: 'IDENTITY_HEADER_SECRET',
    });
    expect(loadClientConfig({ SESSION_SECRET: ` ${SECRET} , ${'z'.repeat(40)}` }, 'production').identitySecret).toEqual({
      value: SECRET,
      source: 'SESSION_SECRET',
    });
  });

  test('development falls back to the shared development secret, with a warning', () => {
    const config = loadClientConfig({}, 'development');
    expect(config.identitySecret).toEqual({ value: DEV_SESSION_SECRET, source: 'development' });
    expect(config.warnings.join(' ')).toMatch(/Never do this in production/);
  });

  test('CLOAKROOM_ENV says what a production build is really running as', () => {
    expect(loadClientConfig({ CLOAKROOM_ENV: 'development' }, 'production').production).toBe(false);
    expect(problem({ CLOAKROOM_ENV: 'production' }, 'development')).toMatch(/is required in production/);
  });

  test('API_INTERNAL_URL: default, trailing slash, and refusals', () => {
    expect(loadClientConfig({}, 'development').apiInternalUrl).toBe(DEFAULT_API_INTERNAL_URL);
    expect(loadClientConfig({ API_INTERNAL_URL: 'http://api:4000/' }, 'development').apiInternalUrl).toBe('http://api:4000');
    expect(problem({ API_INTERNAL_URL: 'api:4000' }, 'development')).toMatch(/^API_INTERNAL_URL must be an http\(s\)/);
    expect(problem({ API_INTERNAL_URL: 'http://api:4000/v1' }, 'development')).toMatch(/^API_INTERNAL_URL must be an http\(s\) origin without path/);
    expect(problem({ API_TIMEOUT_MS: '0' }, 'development')).toMatch(/^API_TIMEOUT_MS must be a whole number/);
  });

  test('API_PROXY_TIMEOUT_MS: how long /api waits for the API to start answering', () => {
    expect(loadClientConfig({}, 'development').apiProxyTimeoutMs).toBe(DEFAULT_API_PROXY_TIMEOUT_MS);
    expect(loadClientConfig({ API_PROXY_TIMEOUT_MS: '2500' }, 'development').apiProxyTimeoutMs).toBe(2500);
    for (const bad of ['10', '60001', '2.5', 'soon']) {
      expect(problem({ API_PROXY_TIMEOUT_MS: bad }, 'development')).toMatch(/^API_PROXY_TIMEOUT_MS must be a whole number of milliseconds from 50 to 60000/);
    }
  });

  test('PROXY_GATE=off works in development, and production only with the benchmark allowance', () => {
    expect(loadClientConfig({ PROXY_GATE: 'off' }, 'development').gateOff).toBe(true);
    expect(problem({ PROXY_GATE: 'off', IDENTITY_HEADER_SECRET: SECRET })).toMatch(/^PROXY_GATE is "off", which production refuses/);
    const bench = loadClientConfig({ PROXY_GATE: 'off', PROXY_GATE_OFF_ALLOWED: 'benchmark', IDENTITY_HEADER_SECRET: SECRET }, 'production');
    expect(bench.gateOff).toBe(true);
    expect(bench.warnings.join(' ')).toMatch(/NOT gated/);
    expect(problem({ PROXY_GATE: 'maybe' }, 'development')).toMatch(/^PROXY_GATE must be "on" or "off"/);
    expect(loadClientConfig({}, 'development').gateOff).toBe(false);
  });
});
