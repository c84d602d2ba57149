import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig, createLogger, PinoNestLogger } from '@mfh/config';
import { FastifyInstance, LogController } from 'fastify';
import { ApiModule, ApiOverrides } from './api.module';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { installHttpMetrics } from './http/metrics';
import { genReqId, installRequestContext } from './http/request-context';
import { validationPipe } from './http/validation';

/** The API, configured and initialised but not yet listening. */
export async function createApiApp(config: AppConfig, overrides: ApiOverrides = {}): Promise<NestFastifyApplication> {
  const logger = createLogger(config, 'api');
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    genReqId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, overrides), adapter, {
    logger: new PinoNestLogger(logger),
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  installRequestContext(fastify, overrides.clock);
  installHttpMetrics(fastify);

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
