/** Nothing to prepare before the server: each spec creates its own users (fresh DATA_DIR per run). */
export default function globalSetup(): void {}
