import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';
import { resolve } from 'node:path';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

/** Every setting the system reads, from the environment only. Validated once, at boot. */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** Schema for every table (event store and read models); tests isolate themselves with it. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';

  /** `esdb://…` selects EventStoreDB, `postgres://…` PostgreSQL; unset: the DATABASE_URL database. */
  @IsOptional()
  @Matches(/^(esdb(\+discover)?|postgres(ql)?):\/\//, { message: 'EVENT_STORE_URL must start with esdb://, esdb+discover:// or postgres://' })
  EVENT_STORE_URL?: string;

  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every BullMQ key; tests isolate themselves with it. */
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  QUEUE_PREFIX = 'mfh';

  @IsString()
  CATALOG_FILE = resolve(process.cwd(), 'config/catalog.development.json');

  /** Base of absolute links this system hands out (Operation-Location, nextLink). */
  @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  TOKEN_TTL_SECONDS = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(30 * 86400)
  ACTIVATION_CODE_TTL_SECONDS = 86400;

  /** Private JWK (JSON) that signs access tokens and notifications; unset: generated once and kept in PostgreSQL. */
  @IsOptional()
  @IsString()
  SIGNING_KEY?: string;

  /** Secret (at least 32 characters) that seals activation codes; unset: generated once and kept in PostgreSQL. */
  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/, { message: 'ACTIVATION_CODE_SECRET must have at least 32 characters' })
  ACTIVATION_CODE_SECRET?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 64 * 1024;

  /**
   * Which peers' `X-Forwarded-For` to believe, as Fastify's `trustProxy` takes it: `false` (none, the
   * default), `true` (any), or a comma-separated list of addresses, CIDR ranges and `loopback`,
   * `linklocal`, `uniquelocal`. Behind a load balancer, the per-address token limits then count the
   * client's address, not the balancer's.
   */
  @Matches(/^(true|false|((\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(\/\d{1,3})?|loopback|linklocal|uniquelocal)(,\s*((\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(\/\d{1,3})?|loopback|linklocal|uniquelocal))*)$/, {
    message: 'TRUST_PROXY must be true, false, or a comma-separated list of addresses, CIDR ranges, loopback, linklocal, uniquelocal',
  })
  TRUST_PROXY = 'false';

  /** How long a connection may send and receive nothing, mid-request or mid-response (a stream that keeps writing is not cut). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_CONNECTION_TIMEOUT_MS = 30_000;

  /** How long a client has to send a whole request, headers and body; the response may take longer. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = 10_000;

  /** How long an idle keep-alive connection is held open for the client's next request. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;

  /**
   * The safety net behind the wake-ups (LISTEN/NOTIFY on PostgreSQL, a `$all` subscription on
   * EventStoreDB): this often the worker compares the log's head with its consumers' checkpoints
   * and wakes those behind. Idle consumers never poll the log itself.
   */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(600_000)
  PROJECTION_POLL_MS = 5_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE = 10;

  /** How long the API gets to finish an order itself before the worker completes what is missing. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  ORDER_COMPLETION_DELAY_MS = 5_000;

  /** How long a change waits for the publisher's PATCH before it is accepted anyway (Microsoft: 10 s). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  OPERATION_AUTO_ACCEPT_MS = 10_000;

  /** How long after its month ends an invoice is issued (SPEC §12), in business time: late charges of the month still make it. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(28 * 86_400_000)
  INVOICE_CLOSE_DELAY = 3_600_000;

  /** How long a suspended subscription waits to be reinstated before it is cancelled (SPEC §13), in business time; 30 days. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(366 * 86_400_000)
  SUSPENSION_GRACE = 30 * 86_400_000;

  /** Lines per file of a reconciliation export; an export's files are cut at what it was when the export was asked for. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RECONCILIATION_LINES_PER_FILE = 10_000;

  /** Sandbox features (SPEC §14: test clocks); off, their endpoints are 404 and `testClockId` is refused. */
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' || value === '' ? false : value))
  @IsBoolean({ message: 'SANDBOX must be true or false' })
  SANDBOX = false;

  /** How long one notification POST to a publisher may take. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  NOTIFICATION_TIMEOUT_MS = 10_000;

  /** First retry delay of a failed notification; each further retry doubles it, up to an hour. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  NOTIFICATION_RETRY_BASE_MS = 2_000;

  /** After this long without a successful delivery, a notification is dead-lettered (Microsoft: 8 hours). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(7 * 86_400_000)
  NOTIFICATION_RETRY_WINDOW_MS = 8 * 3_600_000;

  get eventStoreUrl(): string {
    return this.EVENT_STORE_URL ?? this.DATABASE_URL;
  }

  /** Window of the token endpoint's rate limits; a refused caller is told to retry when it ends. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  TOKEN_RATE_LIMIT_WINDOW_MS = 60_000;

  /** Token requests one client_id may make per window, from any address (tokens live an hour). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  TOKEN_RATE_LIMIT_PER_CLIENT = 20;

  /** Token requests one remote address (an IPv6 /64) may make per window, for any client. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  TOKEN_RATE_LIMIT_PER_ADDRESS = 100;

  /** Client-secret hashes (scrypt) one api process computes at once; the rest wait. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  TOKEN_HASH_CONCURRENCY = 2;

  /** Token requests that may wait for a hashing slot; beyond that, 503 at once. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  TOKEN_HASH_MAX_WAITING = 32;
}

const OPTIONAL_SETTINGS = ['EVENT_STORE_URL', 'SIGNING_KEY', 'ACTIVATION_CODE_SECRET'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the settings from `env` (process.env by default); throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = [...Object.keys(new AppConfig()), ...OPTIONAL_SETTINGS];
  const given = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => value !== undefined && value !== '' && known.includes(key)),
  );
  const config = plainToInstance(AppConfig, given);
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`)));
  }
  return config;
}
