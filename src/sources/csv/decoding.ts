import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import type { CsvSpec } from '../../config/schema.js';

export type CsvEncoding = CsvSpec['encoding'];

/** Turns chunks of bytes into text (or UTF-8 bytes); `end` returns what a split character held back. */
interface ChunkDecoder {
  decode(chunk: Buffer): Buffer | string;
  end(): string;
}

const passThrough: ChunkDecoder = { decode: (chunk) => chunk, end: () => '' };

function decoderFor(encoding: CsvEncoding): ChunkDecoder {
  switch (encoding) {
    case 'utf-8':
      return passThrough;
    case 'latin1':
      // WHATWG's TextDecoder treats "latin1" as windows-1252; true ISO-8859-1 is Buffer's latin1,
      // which maps every byte on its own and so needs no state across chunks.
      return { decode: (chunk) => chunk.toString('latin1'), end: () => '' };
    case 'cp850':
    case 'cp437': {
      // DOS code pages, in which byte 0x9C is £: WHATWG's TextDecoder knows neither.
      const decoder = iconv.getDecoder(encoding);
      return { decode: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
    }
    case 'windows-1252':
    case 'utf-16le': {
      // `stream: true` holds back a code unit or surrogate pair split across chunks.
      const decoder = new TextDecoder(encoding);
      return { decode: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
    }
  }
}

/**
 * A byte-order mark says how a file is encoded better than the pipeline can: one council's
 * exports change from Windows-1252 to UTF-8 with a BOM over the years, and one pipeline reads them all.
 */
function sniff(head: Buffer, declared: CsvEncoding): { decoder: ChunkDecoder; skip: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { decoder: passThrough, skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { decoder: decoderFor('utf-16le'), skip: 2 };
  return { decoder: decoderFor(declared), skip: 0 };
}

/**
 * A byte stream in `encoding` (or the encoding its byte-order mark names) as text without the mark,
 * which is what csv-parse reads fastest: UTF-8 input passes through untouched after its first bytes.
 */
export function toUtf8(encoding: CsvEncoding): Transform {
  let decoder: ChunkDecoder | undefined;
  // The first chunk may be shorter than a mark, so bytes are held until three arrive.
  let head: Buffer = Buffer.alloc(0);
  const start = (bytes: Buffer): Buffer | string => {
    const sniffed = sniff(bytes, encoding);
    decoder = sniffed.decoder;
    return decoder.decode(bytes.subarray(sniffed.skip));
  };
  const emit = (callback: TransformCallback, out: Buffer | string) => callback(null, out.length > 0 ? out : undefined);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (decoder) return emit(callback, decoder.decode(chunk));
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 3) return callback();
      emit(callback, start(head));
    },
    flush(callback: TransformCallback) {
      const rest = decoder ? '' : start(head);
      emit(callback, typeof rest === 'string' ? rest + decoder!.end() : Buffer.concat([rest, Buffer.from(decoder!.end())]));
    },
  });
}
