"use client";
/**
 * A title per view, kept current as the view changes on the client (a search, a photo that
 * finished loading); the server renders the same title for the first paint.
 */

import { useEffect } from "react";

export const APP_NAME = "FotoAI";

export function titleFor(view: string): string {
  return view ? `${view} · ${APP_NAME}` : APP_NAME;
}

export function useTitle(view: string): void {
  useEffect(() => {
    const title = titleFor(view);
    document.title = title;
    // The route's metadata may still stream in after this (a generic "Photo"): the view, which
    // knows more, keeps the last word.
    const keep = () => {
      if (document.title !== title) document.title = title;
    };
    const observer = typeof MutationObserver === "undefined" ? null : new MutationObserver(keep);
    observer?.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => observer?.disconnect();
  }, [view]);
}
