/**
 * How many characters a text has, counted as Unicode code points: an emoji is one character, where
 * `length` counts the two UTF-16 units it is stored in. Limits on names are limits in characters.
 */
export function characters(text: string): number {
  let count = 0;
  for (const _codePoint of text) count += 1;
  return count;
}
