/**
 * The signed-in session in the browser: the bearer token and who it is for, kept in
 * localStorage and mirrored into a SameSite=Strict cookie, so plain download links carry it and
 * the server can put the gallery's first page into its HTML.
 */

import { TOKEN_COOKIE } from "./proxy-headers";

export interface Session {
  accessToken: string;
  user: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  mode: "local" | "oidc";
}

const KEY = "fotoai.session";
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
      cached = raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      cached = null;
    }
  }
  if (cached && cached.expiresAt <= now) return null;
  return cached;
}

function writeCookie(session: Session | null): void {
  if (typeof document === "undefined") return;
  if (session) {
    const maxAge = Math.max(0, Math.floor((session.expiresAt - Date.now()) / 1000));
    document.cookie = `${TOKEN_COOKIE}=${encodeURIComponent(session.accessToken)}; Path=/; Max-Age=${maxAge}; SameSite=Strict`;
  } else {
    document.cookie = `${TOKEN_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict`;
  }
}

function emit(): void {
  for (const l of listeners) l();
}

export function saveSession(session: Session): void {
  storage()?.setItem(KEY, JSON.stringify(session));
  writeCookie(session);
  emit();
}

export function clearSession(): void {
  storage()?.removeItem(KEY);
  writeCookie(null);
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
