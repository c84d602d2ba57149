import { parse as uuidParse, v5 as uuidv5 } from 'uuid';

/** Namespace of every id this system derives from another (uuid v5). */
export const DERIVED_ID_NAMESPACE = 'a8a6f3e2-5b0e-4d59-9d3a-2f1c7e0b6c41';

// Parsed once: every callback and job id is derived, and parsing the namespace each time was a third of the cost.
const NAMESPACE_BYTES = uuidParse(DERIVED_ID_NAMESPACE);

/** A stable id named by its parts: the same parts give the same id, so a re-run appends or queues nothing new. */
export const derivedId = (...parts: (string | number)[]): string => uuidv5(parts.join('/'), NAMESPACE_BYTES);
