import { DomainError } from '@mfh/domain';

export const SandboxErrors = {
  /** Test clocks exist only in a sandbox; production never takes a field that would put a customer on one. */
  disabled: (field: string) =>
    new DomainError('sandbox-disabled', 'validation', `${field} is only accepted when the system runs as a sandbox (SANDBOX=true).`, {}, field),
};
