"use client";
/**
 * The header's links to the library's views (albums, favourites, archive, trash), the current
 * one marked for screen readers and by weight.
 */

import Link from "next/link";

const LINKS = [
  { href: "/albums", label: "Albums" },
  { href: "/favorites", label: "Favourites" },
  { href: "/archive", label: "Archive" },
  { href: "/trash", label: "Trash" },
] as const;

export function LibraryLinks({ pathname }: { pathname: string | null }) {
  return (
    <>
      {LINKS.map(({ href, label }) => {
        const here = pathname === href || pathname?.startsWith(`${href}/`);
        return (
          <Link
            key={href}
            href={href}
            aria-current={here ? "page" : undefined}
            className={`shrink-0 rounded px-1 py-0.5 underline-offset-4 hover:underline ${here ? "font-semibold underline" : "text-zinc-700 dark:text-zinc-300"}`}
          >
            {label}
          </Link>
        );
      })}
    </>
  );
}
