"use client";
/**
 * What the app says when a thing is not there (an unknown page, photo, album, person, or a share
 * link that no longer works): a heading, a sentence in words, and a way on. Pages without a
 * session (the 404 page, shared albums) wear the app's header through `PublicFrame`.
 */

import Link from "next/link";
import type { ReactNode } from "react";
import { focusHeading } from "./library/use-selection";

/** The FotoAI word mark; a link home where the visitor has a home to go to. */
export function Brand({ link = true }: { link?: boolean }) {
  const mark = (
    <>
      Foto<span className="text-accent-600 dark:text-accent-300">AI</span>
    </>
  );
  return link ? (
    <Link href="/" className="text-lg font-semibold tracking-tight">
      {mark}
    </Link>
  ) : (
    <span className="text-lg font-semibold tracking-tight">{mark}</span>
  );
}

/** The frame of a page that needs no session: the app's header (word mark, then `header`), and the page as main. */
export function PublicFrame({
  link = true,
  header,
  testId,
  wide = false,
  footer,
  children,
}: {
  link?: boolean;
  header?: ReactNode;
  testId?: string;
  /** The full width of the header (a page of photos), rather than a column of text. */
  wide?: boolean;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mx-auto flex max-w-7xl items-center gap-3 px-4 py-2.5">
          <Brand link={link} />
          {header}
        </div>
      </header>
      <main id="main" className={`mx-auto w-full flex-1 px-4 ${wide ? "max-w-7xl py-4" : "max-w-xl"}`} data-testid={testId}>
        {children}
      </main>
      {footer}
    </div>
  );
}

/** The panel: what is missing (the view's heading, focused), why it may be, and where to go instead. */
export function NotFound({
  title,
  children,
  back,
  testId = "not-found",
}: {
  title: string;
  children?: ReactNode;
  back?: { href: string; label: string };
  testId?: string;
}) {
  return (
    <div className="mx-auto max-w-xl py-16 text-center" data-testid={testId}>
      <h1 ref={focusHeading} tabIndex={-1} className="text-2xl font-semibold outline-none">
        {title}
      </h1>
      {children ? <p className="mt-3 text-zinc-700 dark:text-zinc-300">{children}</p> : null}
      {back ? (
        <p className="mt-6">
          <Link href={back.href} className="rounded-md bg-accent-600 px-4 py-2 font-medium text-white hover:bg-accent-500">
            {back.label}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
