import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/fixtures/seeded-random.js';
import { EventBoundary } from './event-boundary.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The definition, on text: a block before a blank line (LF or CRLF endings) with a line that is not a comment. */
function hasEvent(text: string): boolean {
  const blocks = text.split(/\r?\n\r?\n/);
  blocks.pop();
  return blocks.some((block) => block.split(/\r?\n/).some((line) => line !== '' && !line.startsWith(':')));
}

function fedUntilEvent(chunks: string[]): number {
  const boundary = new EventBoundary();
  return chunks.findIndex((chunk) => boundary.feed(bytes(chunk)));
}

describe('EventBoundary', () => {
  it('finds an event ended by a blank line', () => {
    expect(fedUntilEvent(['data: {"x":1}\n\n'])).toBe(0);
    expect(fedUntilEvent(['data: {"x":1}\r\n\r\n'])).toBe(0);
  });

  it('waits for the blank line, across chunks', () => {
    expect(fedUntilEvent(['data: {"x":1}', '\n', '\n'])).toBe(2);
    expect(fedUntilEvent(['data: 1\r', '\n\r', '\n'])).toBe(2);
  });

  it('does not take comments or blank lines for an event', () => {
    expect(fedUntilEvent([': keep-alive\n\n', '\n\n', ':x\r\n\r\n'])).toBe(-1);
    expect(fedUntilEvent([': keep-alive\n\n', 'event: ping\n\n'])).toBe(1);
  });

  it('counts a block with a comment and a field', () => {
    expect(fedUntilEvent([': hi\ndata: 1\n\n'])).toBe(0);
  });

  it('takes a CR not followed by LF as a byte of the line, also at the end of a chunk', () => {
    expect(fedUntilEvent(['\r', 'x\n\n'])).toBe(1);
    expect(fedUntilEvent([':a\r', '', 'b\n\n'])).toBe(-1);
    expect(fedUntilEvent(['\r', '', '\n\n'])).toBe(-1);
  });

  it('stays true once an event was seen', () => {
    const boundary = new EventBoundary();
    expect(boundary.feed(bytes('data: 1\n\n'))).toBe(true);
    expect(boundary.feed(bytes(': more'))).toBe(true);
  });

  it('agrees with the definition on text for random streams cut at random places', () => {
    const random = mulberry32(0x5eed);
    const alphabet = ['d', ':', ' ', '\r', '\n', '\n', 'é'];
    for (let run = 0; run < 3000; run++) {
      let text = '';
      const length = Math.floor(random() * 14);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const cuts = [0, ...Array.from({ length: 3 }, () => Math.floor(random() * (text.length + 1)))].sort(
        (a, b) => a - b,
      );
      const chunks = cuts.map((start, i) => text.slice(start, cuts[i + 1] ?? text.length));
      const expected = chunks.findIndex((_, i) => hasEvent(chunks.slice(0, i + 1).join('')));
      expect(fedUntilEvent(chunks), JSON.stringify(chunks)).toBe(expected);
    }
  });
});
