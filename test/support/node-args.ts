/**
 * How every TypeScript child process starts: tsx for the source, and the react-server condition so that
 * `import "server-only"` (lib/db.ts and the other server modules) resolves to its empty module, as under Next.js.
 */
export const TSX_NODE_ARGS = ["--conditions=react-server", "--import", "tsx"];
