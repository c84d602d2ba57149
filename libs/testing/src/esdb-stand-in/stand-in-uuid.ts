import { UUID } from '@eventstore/db-client/generated/shared_pb';
import { DotnetException } from './stand-in-status';

const NIL = '00000000-0000-0000-0000-000000000000';
/** The forms .NET's Guid.Parse takes: D (8-4-4-4-12), N (32 digits), B ({D}) and P ((D)). */
const GUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^\(([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\)$/i,
];

/**
 * The server's `Uuid.FromDto` (Uuid.cs) as lower-case text, throwing what .NET throws: no id at all,
 * an id with neither form, a string Guid.Parse does not take.
 */
export function uuidFromDto(uuid: UUID | undefined): string {
  if (!uuid) throw new DotnetException("Value cannot be null. (Parameter 'dto')");
  switch (uuid.getValueCase()) {
    case UUID.ValueCase.STRUCTURED: {
      const structured = uuid.getStructured();
      const hex = (bits: string | undefined): string => BigInt.asUintN(64, BigInt(bits ?? '0')).toString(16).padStart(16, '0');
      const text = hex(structured?.getMostSignificantBits()) + hex(structured?.getLeastSignificantBits());
      return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
    }
    case UUID.ValueCase.STRING: {
      const text = uuid.getString().trim();
      for (const form of GUID_FORMS) {
        const parts = form.exec(text);
        if (parts) return parts.slice(1).join('-').toLowerCase();
      }
      throw new DotnetException('Unrecognized Guid format.');
    }
    default:
      throw new DotnetException("Invalid argument: None (Parameter 'dto')");
  }
}

/** The Event constructor's first check (Event.cs). */
export function assertNotEmptyEventId(id: string): void {
  if (id === NIL) throw new DotnetException("Empty eventId provided. (Parameter 'eventId')");
}

/** `Uuid.ToDto()`: the server always answers ids in the structured form unless asked for strings. */
export function structuredUuid(id: string): UUID {
  const hex = id.replace(/-/g, '');
  const bits = (part: string): string => BigInt.asIntN(64, BigInt(`0x${part}`)).toString();
  return new UUID().setStructured(
    new UUID.Structured().setMostSignificantBits(bits(hex.slice(0, 16))).setLeastSignificantBits(bits(hex.slice(16))),
  );
}
