// Content encoders for the Node server, on zlib's thread pool so compression never blocks serving.
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Encoder, Encoding } from '../../http/compression.ts';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Brotli at quality 5 and gzip at level 6: each variant is made once per feed change, and
 * quality 11 would cost a second per megabyte on every change for a few percent of size.
 */
export const NODE_ENCODERS: Record<Encoding, Encoder> = {
  br: async (data) =>
    toArrayBuffer(
      await brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 5,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
        },
      }),
    ),
  gzip: async (data) => toArrayBuffer(await gzipAsync(data, { level: 6 })),
};

function toArrayBuffer(buffer: Buffer): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return copy;
}
