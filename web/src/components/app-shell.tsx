"use client";
/**
 * The signed-in frame: header (home, theme, sign out) and the redirect to sign-in when there
 * is no session.
 */

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { clearSession } from "@/lib/session";
import { LibraryLinks } from "./library/library-links";
import { Brand } from "./not-found";
import { ThemeToggle } from "./theme-toggle";
import { useSession } from "./use-session";

function navLink(pathname: string | null, href: string): string {
  const here = pathname?.startsWith(href);
  return `rounded px-1 py-0.5 underline-offset-4 hover:underline ${here ? "font-semibold underline" : "text-zinc-700 dark:text-zinc-300"}`;
}

export function AppShell({
  children,
  actions,
  assumeSignedIn = false,
  skipTo,
}: {
  children: ReactNode;
  actions?: ReactNode;
  /** The server already knows the visitor is signed in: render the content before hydration. */
  assumeSignedIn?: boolean;
  /** A second skip link, straight to the page's main content (the photos), past the header and forms. */
  skipTo?: { href: string; label: string };
}) {
  const session = useSession();
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (session === null) {
      const next = typeof window === "undefined" ? pathname : window.location.pathname + window.location.search;
      router.replace(`/signin?next=${encodeURIComponent(next)}`);
    }
  }, [session, router, pathname]);

  return (
    <div className="flex min-h-dvh flex-col">
      {skipTo ? (
        <a
          href={skipTo.href}
          className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-zinc-900"
        >
          {skipTo.label}
        </a>
      ) : null}
      <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/90">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-3 px-4 py-2.5">
          <Brand />
          {/* On a phone the links take a row of their own below the brand and wrap onto a second
              one if they must: every entry stays on the screen, none scrolls sideways. */}
          <nav aria-label="Library" className="order-1 flex w-full flex-wrap items-center gap-x-3 gap-y-1 text-sm sm:order-none sm:w-auto">
            <LibraryLinks pathname={pathname} />
            <Link href="/people" className={navLink(pathname, "/people")} aria-current={pathname?.startsWith("/people") ? "page" : undefined}>
              People
            </Link>
            <Link href="/places" className={navLink(pathname, "/places")} aria-current={pathname?.startsWith("/places") ? "page" : undefined}>
              Places
            </Link>
          </nav>
          <div className="order-2 w-full sm:order-none sm:w-auto sm:flex-1">{actions}</div>
          <div className="flex-1 sm:hidden" />
          <ThemeToggle />
          {session ? (
            <div className="flex items-center gap-2 text-sm">
              <span className="hidden text-zinc-600 sm:inline dark:text-zinc-400" data-testid="signed-in-user">
                {session.user}
              </span>
              <button
                type="button"
                onClick={() => {
                  clearSession();
                  router.replace("/signin");
                }}
                data-testid="sign-out"
                className="rounded-md border border-zinc-300 px-2.5 py-1.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                Sign out
              </button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-4">
        {session || (session === undefined && assumeSignedIn) ? children : <p className="py-10 text-center text-zinc-600 dark:text-zinc-400">Loading…</p>}
      </main>
    </div>
  );
}
