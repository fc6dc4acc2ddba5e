"use client";
/**
 * Sign-in: the local stack's development sign-in (a user name, token minted by the gateway's
 * /v1/dev/token), or a button that starts the OIDC flow in production.
 */

import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { postJson } from "@/lib/api";
import type { AuthConfig } from "@/lib/auth-config";
import { safeNext } from "@/lib/oidc";
import { ApiError, parseProblem } from "@/lib/problem";
import { saveSession, userIdFor } from "@/lib/session";
import { ProblemMessage } from "./problem-message";
import { ThemeToggle } from "./theme-toggle";
import { useSession } from "./use-session";

interface DevToken {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export function SignInScreen() {
  const params = useSearchParams();
  const router = useRouter();
  const session = useSession();
  const next = safeNext(params.get("next"));
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [user, setUser] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (session) router.replace(next);
  }, [session, next, router]);

  useEffect(() => {
    fetch("/api/config")
      .then(async (r) => {
        if (!r.ok) throw new ApiError(parseProblem(r.status, await r.text()));
        setConfig((await r.json()) as AuthConfig);
      })
      .catch(setError);
  }, []);

  const devSignIn = async () => {
    const name = user.trim().replace(/\s+/g, " ");
    const id = userIdFor(name);
    if (!id) {
      setError(new ApiError({ type: "about:blank", title: "Type a name", status: 400, detail: "Use at least one letter or digit." }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const token = await postJson<DevToken>("/v1/dev/token", { user: id });
      await saveSession(token.access_token, {
        user: name,
        expiresAt: Date.now() + token.expires_in * 1000,
        mode: "local",
      });
      router.replace(next);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setError(
          new ApiError({
            ...err.problem,
            title: "Development sign-in is off",
            detail: "The gateway is not running in local mode, so it does not mint development tokens. Configure OIDC (FOTOAI_OIDC_ISSUER and FOTOAI_OIDC_CLIENT_ID) for this web app.",
          }),
        );
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const oidcSignIn = async () => {
    if (!config) return;
    setBusy(true);
    try {
      const { startOidcSignIn } = await import("@/lib/oidc");
      await startOidcSignIn(config, next);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="flex min-h-dvh items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mb-4 flex items-center justify-between">
          <h1 className="text-2xl font-semibold">
            Foto<span className="text-accent-600 dark:text-accent-300">AI</span>
          </h1>
          <ThemeToggle />
        </div>
        <p className="mb-5 text-sm text-zinc-700 dark:text-zinc-300">
          Sign in to upload photos. FotoAI tags, enhances and catalogs them for you.
        </p>
        {error ? (
          <div className="mb-4">
            <ProblemMessage error={error} title={error instanceof ApiError ? error.problem.title : "Sign-in failed"} />
          </div>
        ) : null}
        {!config ? (
          error ? null : <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
        ) : config.mode === "local" ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void devSignIn();
            }}
          >
            <label htmlFor="user" className="block text-sm font-medium">
              User name
            </label>
            <input
              id="user"
              name="user"
              required
              autoFocus
              maxLength={64}
              autoComplete="username"
              value={user}
              onChange={(e) => setUser(e.target.value)}
              className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-950"
            />
            <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
              Development sign-in: the local stack trusts any name, such as “Maria Lopez”. It does not exist in production.
            </p>
            <button
              type="submit"
              disabled={busy}
              className="mt-4 w-full rounded-md bg-accent-600 px-3 py-2 font-medium text-white hover:bg-accent-500 disabled:opacity-60"
            >
              {busy ? "Signing in…" : "Sign in"}
            </button>
          </form>
        ) : (
          <button
            type="button"
            disabled={busy}
            onClick={() => void oidcSignIn()}
            className="w-full rounded-md bg-accent-600 px-3 py-2 font-medium text-white hover:bg-accent-500 disabled:opacity-60"
          >
            {busy ? "Redirecting…" : "Sign in with your organisation"}
          </button>
        )}
      </div>
    </main>
  );
}
