/**
 * The signed-in session in the browser. The access token itself lives only in an HttpOnly,
 * SameSite=Strict cookie set by the web server (`POST /api/session`): scripts never read it, so
 * an injected script cannot steal it. The /api proxy turns the cookie into the bearer header.
 * What the screens need to know (who, until when) is kept in localStorage without the token.
 */

export interface Session {
  user: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  mode: "local" | "oidc";
}

const KEY = "fotoai.session";
/** Sent on every call through the proxy: a cross-site page can neither send it nor read answers. */
export const REQUEST_HEADER = "x-fotoai-request";
const listeners = new Set<() => void>();
let cachedRaw: string | null | undefined;
let cached: Session | null = null;

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function readSession(now = Date.now()): Session | null {
  const raw = storage()?.getItem(KEY) ?? null;
  if (raw !== cachedRaw) {
    cachedRaw = raw;
    try {
      const parsed = raw ? (JSON.parse(raw) as Session & { accessToken?: unknown }) : null;
      // A session saved by an older version carried the token: drop it, sign in again.
      cached = parsed && parsed.accessToken === undefined ? parsed : null;
    } catch {
      cached = null;
    }
  }
  if (cached && cached.expiresAt <= now) return null;
  return cached;
}

function emit(): void {
  for (const l of listeners) l();
}

/** Hands the token to the web server (HttpOnly cookie), then remembers who is signed in. */
export async function saveSession(accessToken: string, session: Session): Promise<void> {
  const response = await fetch("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json", [REQUEST_HEADER]: "1" },
    body: JSON.stringify({ access_token: accessToken, expires_at: session.expiresAt }),
  });
  if (!response.ok) throw new Error(`the web server did not keep the session (${response.status})`);
  rememberSession(session);
}

/** Who is signed in, until when (never the token). */
export function rememberSession(session: Session): void {
  storage()?.setItem(KEY, JSON.stringify(session));
  emit();
}

export function clearSession(): void {
  const had = (storage()?.getItem(KEY) ?? null) !== null;
  storage()?.removeItem(KEY);
  if (had && typeof fetch !== "undefined" && typeof window !== "undefined") {
    void fetch("/api/session", { method: "DELETE", headers: { [REQUEST_HEADER]: "1" } }).catch(() => undefined);
  }
  emit();
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

/**
 * The gateway's user id for a name as people type it: "Maria Lopez" → "maria.lopez". The
 * development sign-in accepts any name; the gateway only ids of letters, digits and `._@-`.
 */
export function userIdFor(name: string): string {
  const trimmed = name.trim();
  const slug = trimmed
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._@-]+/g, ".")
    .replace(/^[.]+|[.]+$/g, "")
    .slice(0, 64);
  if (slug || !trimmed) return slug;
  // A name in another script ("李"): its UTF-8 bytes in hex keep it distinct and valid.
  const hex = [...new TextEncoder().encode(trimmed)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `user.${hex}`.slice(0, 64);
}
