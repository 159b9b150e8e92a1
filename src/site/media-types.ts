// Media files (images, audio, video) inside the articles folder: which names are served, with
// which type, and the source interface each runtime implements (Node: the folder; Workers: R2).
// No IO here.

/**
 * The allow-list: extension -> Content-Type. No SVG (it can carry script) and nothing a browser
 * renders as a document (HTML, XML, PDF); anything else is never served.
 */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
};

/** Default MEDIA_MAX_BYTES: the largest media file served, published or copied. */
export const DEFAULT_MEDIA_MAX_BYTES = 32 * 1024 * 1024;

/** What a runtime knows of one media file. */
export interface MediaInfo {
  /** Bytes. */
  size: number;
  /** From MEDIA_TYPES. */
  type: string;
  /** SHA-256 of the bytes, hex: the strong ETag, and what content-addressed names are checked against. */
  sha256: string;
  lastModified: Date;
}

/** A runtime's media files, by path inside the articles folder (POSIX separators, no leading slash). */
export interface MediaSource {
  /** The file's info; undefined when there is none (or it is not a regular file inside the folder). */
  info(path: string): Promise<MediaInfo | undefined>;
  /**
   * The bytes from `start` to `end` inclusive (the whole file without a range), or undefined when
   * the file is gone or is no longer the version `info` described (`sha256`).
   */
  body(path: string, info: MediaInfo, range?: { start: number; end: number }): Promise<ReadableStream<Uint8Array> | undefined>;
}

/** The Content-Type for a file name, or undefined when the extension is not on the allow-list. */
export function mediaType(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return MEDIA_TYPES[name.slice(dot + 1).toLowerCase()];
}

const MAX_PATH_LENGTH = 1024;

/**
 * True for a path (inside the articles folder, POSIX separators, no leading slash) that may be
 * served: every segment a plain name (no `.`/`..`, no dot-names such as `.wirefeed`, no `\`, no
 * control characters), and an allowed extension.
 */
export function isMediaPath(path: string): boolean {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) return false;
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '' || segment.startsWith('.') || segment.includes('\\') || /[\u0000-\u001f\u007f]/.test(segment)) return false;
  }
  return mediaType(segments.at(-1)!) !== undefined;
}

/**
 * The media path a URL path names (`/science/chip.jpg` -> `science/chip.jpg`), decoding each
 * segment once; undefined when it names no servable media file (the app then tries its other routes).
 */
export function mediaPathOf(urlPath: string): string | undefined {
  if (!urlPath.startsWith('/')) return undefined;
  const last = urlPath.slice(urlPath.lastIndexOf('/') + 1);
  // The cheap test first: most requests are not for media.
  if (mediaType(last) === undefined) return undefined;
  let segments: string[];
  try {
    segments = urlPath.slice(1).split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  // An encoded `/` inside a segment would name another path than the one requested.
  if (segments.some((segment) => segment.includes('/'))) return undefined;
  const path = segments.join('/');
  return isMediaPath(path) ? path : undefined;
}

/**
 * True when the file name carries its own content hash: a run of 8 to 64 hex digits before the
 * extension, after a `.` or `-` (`chip.3f2a9c1b.jpg`, `chip-3f2a9c1b.jpg`), that starts the file's
 * SHA-256. Such a name never names other bytes, so it can be cached for good.
 */
export function isContentAddressed(path: string, sha256: string): boolean {
  const match = /[.-]([0-9a-f]{8,64})\.[^./]+$/i.exec(path);
  return match !== null && sha256.startsWith(match[1]!.toLowerCase());
}

/**
 * The media path of `url` when it is one of the site's own media files (`{baseUrl}/science/chip.jpg`
 * -> `science/chip.jpg`; query and fragment ignored), else undefined.
 */
export function ownMediaPath(baseUrl: string, url: string): string | undefined {
  const root = `${baseUrl}/`;
  if (!url.startsWith(root)) return undefined;
  const end = url.search(/[?#]/);
  return mediaPathOf(`/${url.slice(root.length, end === -1 ? undefined : end)}`);
}

/** The Content-Type an URL's extension names on the allow-list, if any (for remote images). */
export function urlMediaType(url: string): string | undefined {
  const end = url.search(/[?#]/);
  return mediaType((end === -1 ? url : url.slice(0, end)).split('/').at(-1) ?? '');
}
