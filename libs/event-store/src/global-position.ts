import type { GlobalPosition } from './event-store.port';

export const START: GlobalPosition = Object.freeze({ commit: -1n, prepare: -1n });

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** `"<commit>-<prepare>"`: the form positions take in URLs, JSON and checkpoints. */
export function formatPosition(position: GlobalPosition): string {
  return `${position.commit}-${position.prepare}`;
}

const POSITION = /^(\d{1,20})-(\d{1,20})$/;

/** Parses {@link formatPosition}'s output; null for anything else. */
export function parsePosition(text: string): GlobalPosition | null {
  const match = POSITION.exec(text);
  if (!match) return null;
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}
