import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toUtf8, type CsvEncoding } from '../src/sources/csv/decoding.js';

/** The decoder's output when `bytes` arrive in chunks of `size` bytes. */
async function decode(encoding: CsvEncoding, bytes: Buffer, size: number): Promise<string> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks, { objectMode: false }).pipe(toUtf8(encoding))) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('utf8');
}

const text = 'Net Amount(£),Café €5 “quoted” 😀\r\n1,2\r\n';

describe('toUtf8', () => {
  it.each<[CsvEncoding, Buffer, string]>([
    ['utf-8', Buffer.from(text, 'utf8'), text],
    ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), text],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), text],
    ['utf-16le', Buffer.from(text, 'utf16le'), text],
    // 0xA3 is £ and 0x80 is € in windows-1252; ISO-8859-1 has a control character at 0x80.
    ['windows-1252', Buffer.from([0x4e, 0xa3, 0x80, 0x93, 0x94, 0x0d, 0x0a]), 'N£€“”\r\n'],
    ['latin1', Buffer.from([0x4e, 0xa3, 0xe9, 0x80]), 'N£é\u0080'],
  ])('%s: %j decodes the same whatever the chunk size', async (encoding, bytes, expected) => {
    for (const size of [1, 2, 3, 5, 64 * 1024]) {
      expect(await decode(encoding, bytes, size)).toBe(expected);
    }
  });

  it('keeps a file shorter than a byte-order mark, and strips one that is the whole file', async () => {
    expect(await decode('utf-8', Buffer.from('a'), 1)).toBe('a');
    expect(await decode('utf-8', Buffer.from([0xef, 0xbb, 0xbf]), 1)).toBe('');
    expect(await decode('utf-8', Buffer.alloc(0), 1)).toBe('');
  });

  it('strips only a leading byte-order mark', async () => {
    const inner = Buffer.concat([Buffer.from('a'), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('b')]);
    expect(await decode('utf-8', inner, 2)).toBe('a\ufeffb');
  });

  it.each<[CsvEncoding, Buffer]>([
    ['windows-1252', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['latin1', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])],
    ['utf-8', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
  ])('a byte-order mark overrides the declared %s', async (encoding, bytes) => {
    for (const size of [1, 2, 4, 64 * 1024]) {
      expect(await decode(encoding, bytes, size)).toBe(text);
    }
  });
});
