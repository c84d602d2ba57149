import type * as grpc from '@grpc/grpc-js';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';

/** Redaction has no client in @eventstore/db-client, but 24.10 serves it and lists it. */
const REDACTION_PATHS = [
  '/event_store.client.redaction.Redaction/GetEventPositions',
  '/event_store.client.redaction.Redaction/SwitchChunks',
];

/**
 * The answer of EventStoreDB 24.10's `ServerFeatures.GetSupportedMethods` (ServerFeatures.cs): every
 * gRPC method of a service whose name contains "client", service and method names lower-cased, with
 * these features: every PersistentSubscriptions method "stream" and "all", Streams.Read "position"
 * and "events", Streams.BatchAppend "deadline_duration", Projections.Create "track_emitted_streams";
 * the version is the first three parts of the server's version.
 */
export function supportedMethods(services: readonly grpc.ServiceDefinition[], serverVersion: string): SupportedMethods {
  const paths = [...services.flatMap((service) => Object.values(service).map((method) => method.path)), ...REDACTION_PATHS];
  const methods = [...new Set(paths)].map((path) => {
    const [, serviceName, methodName] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    return new SupportedMethod()
      .setServiceName(serviceName.toLowerCase())
      .setMethodName(methodName.toLowerCase())
      .setFeaturesList(featuresOf(serviceName, methodName));
  });
  return new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(serverVersion.split('.').slice(0, 3).join('.'));
}

function featuresOf(serviceName: string, methodName: string): string[] {
  if (serviceName.includes('PersistentSubscriptions')) return ['stream', 'all'];
  if (serviceName.includes('Streams') && methodName.includes('Read')) return ['position', 'events'];
  if (serviceName.includes('Streams') && methodName.includes('BatchAppend')) return ['deadline_duration'];
  if (serviceName.includes('Projections') && methodName.includes('Create')) return ['track_emitted_streams'];
  return [];
}
