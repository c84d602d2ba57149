import { characters } from './text';

describe('characters', () => {
  it.each([
    { name: 'nothing', text: '', count: 0 },
    { name: 'ASCII', text: 'Fabrikam', count: 8 },
    { name: 'a precomposed é', text: 'Caf\u00e9', count: 4 },
    { name: 'an emoji', text: '😀', count: 1 },
    { name: '128 emoji', text: '😀'.repeat(128), count: 128 },
    // A thumb and its skin tone: two code points, as JSON Schema's maxLength counts them.
    { name: 'an emoji with a modifier', text: '👍🏽', count: 2 },
    { name: 'a lone surrogate', text: '\ud800', count: 1 },
  ])('count $name as $count characters', ({ text, count }) => expect(characters(text)).toBe(count));
});
