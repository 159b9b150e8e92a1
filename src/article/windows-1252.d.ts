// The package ships `windows-1252.d.ts` but its `exports` map points only at the `.mjs`, so
// bundler resolution never finds the types; this declares the one function we use.
declare module 'windows-1252' {
  /** Decodes Windows-1252 bytes; the default `replacement` mode never throws. */
  export function decode(input: Uint8Array, options?: { mode?: 'fatal' | 'replacement' }): string;
}
