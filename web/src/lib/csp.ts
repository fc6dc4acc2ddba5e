/**
 * The web app's Content Security Policy: scripts only with this response's nonce (and what
 * they load, `strict-dynamic`), no plugins, no <base>, no framing, forms only to this origin.
 * Images come from this origin and the object store that presigns them.
 */

export interface CspEnv {
  FOTOAI_WEB_STORAGE_ORIGINS?: string;
  FOTOAI_S3_PUBLIC_ENDPOINT?: string;
  FOTOAI_S3_ENDPOINT?: string;
  FOTOAI_OIDC_ISSUER?: string;
  /** Map tiles, a URL template with {z}/{x}/{y}; off (no tiles, only the offline outline) when unset. */
  FOTOAI_WEB_MAP_TILES?: string;
  NODE_ENV?: string;
}

function origin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const o = new URL(url).origin;
    return o === "null" ? null : o;
  } catch {
    return null;
  }
}

/** Where presigned image URLs point: set explicitly, else the stack's S3 endpoints. */
export function storageOrigins(env: CspEnv): string[] {
  const explicit = (env.FOTOAI_WEB_STORAGE_ORIGINS ?? "").split(/[\s,]+/).map((u) => origin(u)).filter((o): o is string => o !== null);
  if (explicit.length) return [...new Set(explicit)];
  return [...new Set([origin(env.FOTOAI_S3_PUBLIC_ENDPOINT), origin(env.FOTOAI_S3_ENDPOINT)].filter((o): o is string => o !== null))];
}

/** The configured tile URL template, when it is an http(s) URL with {z}, {x} and {y}; else null. */
export function mapTilesFromEnv(env: CspEnv): string | null {
  const template = env.FOTOAI_WEB_MAP_TILES?.trim();
  if (!template || !/^https?:\/\//.test(template) || !["{z}", "{x}", "{y}"].every((p) => template.includes(p))) return null;
  return origin(template.replace(/\{[a-z]\}/g, "a")) ? template : null;
}

export function contentSecurityPolicy(nonce: string, env: CspEnv): string {
  const storage = storageOrigins(env);
  // Unknown storage: images from any http(s) origin (they cannot run script) rather than none.
  const tiles = mapTilesFromEnv(env);
  const tileOrigin = tiles ? origin(tiles.replace(/\{[a-z]\}/g, "a")) : null;
  const images = (storage.length ? storage.join(" ") : "https: http:") + (tileOrigin && storage.length ? ` ${tileOrigin}` : "");
  const issuer = origin(env.FOTOAI_OIDC_ISSUER);
  const dev = env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (aspect ratios, the slider's clip) cannot run script.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${images}`,
    "font-src 'self'",
    `connect-src 'self'${storage.length ? " " + storage.join(" ") : ""}${issuer ? " " + issuer : ""}`,
    "media-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self'${issuer ? " " + issuer : ""}`,
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
  ].join("; ");
}

/** A fresh nonce per response (128 random bits). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
