import { ConfigError, loadConfig } from './app-config';
import { parseDuration } from './iso-duration';
import { hashSecret, isSecretHash, verifySecret } from './secret-hash';

describe('loadConfig', () => {
  it('defaults to local PostgreSQL and Redis, with the event store in the same database', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATABASE_SCHEMA: 'public', REDIS_URL: 'redis://127.0.0.1:6379', BODY_LIMIT_BYTES: 65536 });
    expect(config.DATABASE_URL).toMatch(/^postgres:\/\/.*127\.0\.0\.1:5432/);
    expect(config.eventStoreUrl).toBe(config.DATABASE_URL);
  });

  it('reads numbers and an EventStoreDB URL from the environment', () => {
    const config = loadConfig({ PORT: '8080', EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false', TOKEN_TTL_SECONDS: '600' });
    expect(config.PORT).toBe(8080);
    expect(config.TOKEN_TTL_SECONDS).toBe(600);
    expect(config.eventStoreUrl).toBe('esdb://eventstore:2113?tls=false');
  });

  it('closes silent connections within seconds by default, and takes other HTTP timeouts from the environment', () => {
    expect(loadConfig({})).toMatchObject({ HTTP_CONNECTION_TIMEOUT_MS: 30_000, HTTP_REQUEST_TIMEOUT_MS: 10_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000 });
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '2500' }).HTTP_REQUEST_TIMEOUT_MS).toBe(2500);
    for (const name of ['HTTP_CONNECTION_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS', 'HTTP_KEEP_ALIVE_TIMEOUT_MS']) {
      for (const value of ['0', '99', '600001', 'soon', '1.5']) expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
  });

  it('trusts no proxy by default, and takes true, false or a list of addresses and ranges for TRUST_PROXY', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe('false');
    for (const value of ['true', 'false', '10.0.0.1', '172.16.0.0/12, loopback', 'uniquelocal', '::1,fd00::/8']) expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
    for (const value of ['yes', 'everyone', '10.0.0.1;rm', 'http://lb']) expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ HOME: '/root', SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', EVENT_STORE_URL: 'http://x', DATABASE_SCHEMA: 'Robert; DROP' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'EVENT_STORE_URL', 'DATABASE_SCHEMA']) expect(problems).toContain(name);
  });
});

describe('parseDuration', () => {
  it.each([
    ['PT72H', 72 * 3_600_000],
    ['P14D', 14 * 86_400_000],
    ['P1DT2H30M15S', ((24 + 2) * 3600 + 30 * 60 + 15) * 1000],
    ['PT0S', 0],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'P', 'PT', '72H', 'P1M', 'P1Y', 'PT1.5H', 'p14d'])('refuses %p', (text) => expect(parseDuration(text)).toBeNull());
});

describe('secret hashes', () => {
  it('verify the secret they were made from and nothing else', async () => {
    const hash = await hashSecret('s3cret');
    expect(isSecretHash(hash)).toBe(true);
    expect(await verifySecret('s3cret', hash)).toBe(true);
    expect(await verifySecret('s3cret ', hash)).toBe(false);
    expect(await hashSecret('s3cret')).not.toBe(hash);
  });

  it('never verify against something that is not a hash', async () => {
    expect(await verifySecret('s3cret', 's3cret')).toBe(false);
    expect(await verifySecret('', '')).toBe(false);
  });
});
