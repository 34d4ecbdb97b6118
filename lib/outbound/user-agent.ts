import pkg from "@/package.json" with { type: "json" };

/** Where receivers learn what these requests are (the `+URL` of the User-Agent). */
export const DOCS_URL = "https://akol.example/docs/webhooks";

/** The User-Agent of every outbound request (deliveries, tests, replays, probes). */
export const USER_AGENT = `Akol-Webhooks/${pkg.version} (+${DOCS_URL})`;
