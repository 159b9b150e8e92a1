// SHA-256 on Web Crypto (Node 20, workerd and browsers alike): the one hash that names file
// versions, media ETags, cached feed parts and documents, and that compares publish tokens.

/** The SHA-256 of `bytes`, as raw bytes (32 of them). */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/**
 * Lowercase hex SHA-256 of `bytes`; `length` keeps only the hash's first so many bytes (a feed
 * document's ETag needs no more than 12).
 */
export async function sha256Hex(bytes: Uint8Array, length?: number): Promise<string> {
  const hash = await sha256(bytes);
  return Array.from(hash.subarray(0, length), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
