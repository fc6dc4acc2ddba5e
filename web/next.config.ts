import type { NextConfig } from "next";

/** On every answer, pages and API alike (pages add their nonce CSP in src/proxy.ts). */
const HARDENING = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

// The gateway URL is read at request time by the /api proxy, never baked into the bundle.
const nextConfig: NextConfig = {
  // FOTOAI_WEB_DIST lets several checkouts' builds live side by side (default .next).
  distDir: process.env.FOTOAI_WEB_DIST || ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  async headers() {
    return [
      { source: "/:path*", headers: HARDENING },
      // JSON and problem answers never render as a document.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
