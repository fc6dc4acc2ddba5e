/**
 * Where the browser suite finds the stack: FOTOAI_WEB_URL and FOTOAI_GATEWAY_URL from the
 * environment, else from the launcher's stack.env (FOTOAI_STACK_ENV, else $FOTOAI_HOME/stack.env,
 * else the default stack's .fotoai/stack.env). With a gateway but no web URL it
 * serves the built web app itself (scripts/server.mjs on a free port) for the length of the run.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The launcher's dotenv file of the stack to test: a helper's own stack when its FOTOAI_HOME is set. */
export function stackEnvFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FOTOAI_STACK_ENV) return resolve(env.FOTOAI_STACK_ENV);
  if (env.FOTOAI_HOME) return resolve(env.FOTOAI_HOME, "stack.env");
  return resolve(WEB_DIR, "..", ".fotoai", "stack.env");
}

/** Parses the dotenv file the launcher writes (KEY=value, optional quotes, # comments). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    let value = m[2];
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out[m[1]] = value;
  }
  return out;
}

export function stackEnv(): { web?: string; gateway?: string } {
  const path = stackEnvFile();
  const file = existsSync(path) ? parseDotenv(readFileSync(path, "utf8")) : {};
  return {
    web: process.env.FOTOAI_WEB_URL || file.FOTOAI_WEB_URL,
    gateway: process.env.FOTOAI_GATEWAY_URL || file.FOTOAI_GATEWAY_URL,
  };
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
    srv.on("error", rej);
  });
}

async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`web server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export interface RunningWeb {
  url: string;
  gateway: string;
  stop(): Promise<void>;
}

export async function ensureWeb(): Promise<RunningWeb> {
  const { web, gateway } = stackEnv();
  if (!gateway) {
    throw new Error(
      `FOTOAI_GATEWAY_URL is not set and ${stackEnvFile()} does not exist: start the stack (\`make up\`) before \`npm run test:e2e\`.`,
    );
  }
  if (web) {
    await waitForHttp(`${web.replace(/\/$/, "")}/signin`, 60_000);
    return { url: web.replace(/\/$/, ""), gateway, stop: async () => {} };
  }
  if (!existsSync(join(WEB_DIR, process.env.FOTOAI_WEB_DIST || ".next", "BUILD_ID"))) {
    throw new Error("FOTOAI_WEB_URL is not set and the web app is not built: run `npm run build` first.");
  }
  const port = await freePort();
  const child = spawn(process.execPath, [join(WEB_DIR, "scripts", "server.mjs")], {
    cwd: WEB_DIR,
    env: { ...process.env, FOTOAI_GATEWAY_URL: gateway, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), FOTOAI_WEB_HOST: "127.0.0.1" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/signin`, 90_000, child);
  return {
    url,
    gateway,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
      }),
  };
}
