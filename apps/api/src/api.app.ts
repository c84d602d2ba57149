import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Clock } from '@mfh/application';
import { AppConfig, createLogger, PinoNestLogger } from '@mfh/config';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiModule, ApiOverrides } from './api.module';
import { ProblemDetailsFilter, sendProblem } from './http/problem-details.filter';
import { AccessLogController } from './http/access-log';
import { installBodyParsers } from './http/body-parsers';
import { installHttpMetrics } from './http/metrics';
import { installTokenThrottle } from './auth/token-throttle';
import { genReqId, installRequestContext } from './http/request-context';
import { validationPipe } from './http/validation';

/**
 * No connection is held for a client that sends nothing: its request (headers and body) must
 * arrive within HTTP_REQUEST_TIMEOUT_MS, an idle keep-alive socket closes after
 * HTTP_KEEP_ALIVE_TIMEOUT_MS, and any socket silent for HTTP_CONNECTION_TIMEOUT_MS closes. A long
 * response (the auditors' NDJSON feed) is bounded only by that silence, not by its duration. Node
 * checks the request deadlines only every `connectionsCheckingInterval` (30 s by default).
 */
function httpTimeouts(config: AppConfig) {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    requestTimeout,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: requestTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(requestTimeout / 4))),
    },
  };
}

/** TRUST_PROXY as Fastify takes it: a boolean, or the list of trusted addresses and ranges. */
function trustProxyOf(setting: string): boolean | string[] {
  if (setting === 'true' || setting === 'false') return setting === 'true';
  return setting.split(',').map((entry) => entry.trim());
}

/** The API, configured and initialised but not yet listening. */
export async function createApiApp(config: AppConfig, overrides: ApiOverrides = {}): Promise<NestFastifyApplication> {
  const logger = createLogger(config, 'api');
  const problems = new Logger('Problem');
  const adapter = new FastifyAdapter({
    // Long enough for any id this API uses; longer path parameters are refused as 414.
    routerOptions: { maxParamLength: 200 },
    // Router errors (bad percent-encoding, over-long parameters) answer as problem details too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, request, error, problems),
    loggerInstance: logger,
    genReqId,
    logController: new AccessLogController(),
    bodyLimit: config.BODY_LIMIT_BYTES,
    return503OnClosing: true,
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    ...httpTimeouts(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, overrides), adapter, {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installBodyParsers(fastify, config.BODY_LIMIT_BYTES);
  installRequestContext(fastify, app.get(Clock));
  installHttpMetrics(fastify);
  // Before app.init(), which adds the routes the limits attach to.
  await installTokenThrottle(fastify, config);

  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Marketplace Fulfillment Hub')
      .setDescription(
        'Event-sourced marketplace back end: partners buy and manage SaaS subscriptions; publishers fulfil them. ' +
          'Get a token at POST /oauth2/token, then send Authorization: Bearer <token>. Errors are RFC 9457 problem details.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });

  await app.init();
  return app;
}
