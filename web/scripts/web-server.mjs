/**
 * Starts the built web app (next start) on a free loopback port for scripts that need one,
 * and a fake gateway when asked; both stop with the returned function.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on("error", rej);
  });
}

export async function waitFor(url, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer in time`);
}

function start(args, env, readyUrl) {
  const child = spawn(process.execPath, args, { cwd: WEB_DIR, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return {
    child,
    ready: waitFor(readyUrl),
    stop: () => new Promise((res) => (child.exitCode !== null ? res() : (child.once("exit", res), child.kill("SIGTERM")))),
  };
}

export async function startFakeGateway(extraArgs = []) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const s = start([join(WEB_DIR, "scripts", "fake-gateway.mjs"), "--port", String(port), ...extraArgs], {}, `${url}/healthz`);
  await s.ready;
  return { url, stop: s.stop };
}

export async function startWeb(gatewayUrl) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const s = start([join(WEB_DIR, "scripts", "server.mjs")], { FOTOAI_GATEWAY_URL: gatewayUrl, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), FOTOAI_WEB_HOST: "127.0.0.1" }, `${url}/signin`);
  await s.ready;
  return { url, stop: s.stop };
}
