// Content encodings of feed documents: the encoder type every runtime supplies (Node's zlib in
// src/node/server/encoders.ts) and the Web-standard one that works everywhere.

/** The content codings a feed document is offered in besides identity. */
export type Encoding = 'br' | 'gzip';

/** Compresses one body; made once per document version and kept. */
export type Encoder = (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>;

/** An encoder on the Web-standard CompressionStream (Node 18+, workerd, browsers). */
export function compressionStreamEncoder(format: 'gzip'): Encoder {
  return async (data) => {
    const stream = new Blob([data]).stream().pipeThrough(new CompressionStream(format));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };
}
