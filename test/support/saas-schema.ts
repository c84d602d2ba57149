import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * Microsoft's OpenAPI description of the SaaS Fulfillment API v2 lives beside the repository, never
 * in it: `SAAS_API_SPEC`, or `../shared/specs/saasapi.v2.json`, relative to the repository root.
 */
export const SAAS_API_SPEC = resolve(ROOT, process.env.SAAS_API_SPEC ?? '../shared/specs/saasapi.v2.json');

/** Members this system sends beyond Microsoft's schema, on purpose (the webhook payload's `operationRequestSource`). */
const DELIBERATE_EXTRAS: Record<string, string[]> = { SaaSOperation: ['operationRequestSource'] };

type JsonSchema = Record<string, unknown>;

/**
 * Closes every object schema (`additionalProperties: false`) so that a member Microsoft's schema does
 * not define fails validation too: success bodies must match the schemas exactly.
 */
function closed(schema: unknown, extras: string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((item) => closed(item));
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: JsonSchema = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if (copy.type === 'object' && typeof copy.properties === 'object' && copy.properties !== null) {
    copy.properties = { ...(copy.properties as JsonSchema), ...Object.fromEntries(extras.map((name) => [name, {}])) };
    copy.additionalProperties = false;
  }
  return copy;
}

export class SaasSchemas {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(spec: { components: { schemas: Record<string, unknown> } }) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv, ['uuid', 'date-time', 'email', 'uri', 'int32', 'int64']);
    const schemas = Object.fromEntries(
      Object.entries(spec.components.schemas).map(([name, schema]) => [name, closed(schema, DELIBERATE_EXTRAS[name])]),
    );
    this.ajv.addSchema({ components: { schemas } }, 'saasapi.v2.json');
  }

  get names(): string[] {
    return Object.keys((this.ajv.getSchema('saasapi.v2.json')!.schema as { components: { schemas: object } }).components.schemas);
  }

  /** The problems of `value` against `#/components/schemas/<name>`; empty when it conforms. */
  problems(name: string, value: unknown): string[] {
    let validate = this.validators.get(name);
    if (!validate) {
      validate = this.ajv.getSchema(`saasapi.v2.json#/components/schemas/${name}`);
      if (!validate) throw new Error(`${SAAS_API_SPEC} has no schema ${name}`);
      this.validators.set(name, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map(describe);
  }
}

const describe = (error: ErrorObject): string => `${error.instancePath || '/'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`;

/** The validator, or why there is none (the spec file is absent). */
export function loadSaasSchemas(): { schemas: SaasSchemas; missing: null } | { schemas: null; missing: string } {
  if (!existsSync(SAAS_API_SPEC)) return { schemas: null, missing: `Microsoft's SaaS Fulfillment API spec is not at ${SAAS_API_SPEC} (set SAAS_API_SPEC)` };
  return { schemas: new SaasSchemas(JSON.parse(readFileSync(SAAS_API_SPEC, 'utf8'))), missing: null };
}
