"use client";
/**
 * The OIDC redirect target: finishes the code exchange, stores the session, moves on.
 */

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { AuthConfig } from "@/lib/auth-config";
import { saveSession } from "@/lib/session";
import { ProblemMessage } from "./problem-message";

export function OidcCallback() {
  const router = useRouter();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    // The authorisation code is single-use: strict mode's double effect must not spend it twice.
    if (started.current) return;
    started.current = true;
    (async () => {
      const config = (await (await fetch("/api/config")).json()) as AuthConfig;
      const { finishOidcSignIn } = await import("@/lib/oidc");
      const { session, accessToken, next } = await finishOidcSignIn(config);
      await saveSession(accessToken, session);
      router.replace(next);
    })().catch(setError);
  }, [router]);
  return (
    <main id="main" className="mx-auto max-w-md p-6">
      <h1 className="mb-3 text-xl font-semibold">Signing you in…</h1>
      {error ? (
        <>
          <ProblemMessage error={error} title="Sign-in did not complete" />
          <a href="/signin" className="mt-3 inline-block underline">
            Back to sign-in
          </a>
        </>
      ) : null}
    </main>
  );
}
