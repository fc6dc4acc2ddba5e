import type { NextConfig } from "next";

// The gateway URL is read at request time by the /api proxy, never baked into the bundle.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
};

export default nextConfig;
