"use client";
/**
 * React binding of the browser session (see lib/session.ts).
 */

import { useSyncExternalStore } from "react";
import { readSession, subscribeSession, type Session } from "@/lib/session";

/** The session, or null when signed out; undefined during server rendering and hydration. */
export function useSession(): Session | null | undefined {
  return useSyncExternalStore(
    subscribeSession,
    () => readSession(),
    () => undefined,
  );
}
