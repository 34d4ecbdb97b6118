import { format } from "node:util";

/**
 * Records everything the process writes to stdout/stderr (the logger writes
 * JSON lines to process.stderr) and everything passed to console.* while
 * active. By default the output is swallowed; `passThrough` also writes it.
 */

type WriteCallback = (err?: Error | null) => void;
type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
type ConsoleMethod = (typeof CONSOLE_METHODS)[number];

export type OutputCapture = {
  /** Everything captured so far. */
  text(): string;
  /** Puts the original writers back (idempotent). */
  restore(): void;
};

export function captureOutput(opts: { passThrough?: boolean } = {}): OutputCapture {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(
      typeof chunk === "string"
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString("utf8")
          : String(chunk),
    );
  };

  const patchStream = (stream: NodeJS.WriteStream): (() => void) => {
    const original = stream.write;
    const patched = (
      chunk: string | Uint8Array,
      encodingOrCb?: BufferEncoding | WriteCallback,
      cb?: WriteCallback,
    ): boolean => {
      record(chunk);
      if (opts.passThrough) return original.call(stream, chunk, encodingOrCb as BufferEncoding, cb);
      const done = typeof encodingOrCb === "function" ? encodingOrCb : cb;
      if (done) queueMicrotask(() => done(null));
      return true;
    };
    stream.write = patched as Write;
    return () => {
      stream.write = original;
    };
  };

  const consoleOriginals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const m of CONSOLE_METHODS) {
    const original = console[m] as (...args: unknown[]) => void;
    consoleOriginals.set(m, original);
    console[m] = (...args: unknown[]) => {
      record(`${format(...args)}\n`);
      if (opts.passThrough) original.apply(console, args);
    };
  }
  const restorers = [patchStream(process.stdout), patchStream(process.stderr)];
  let restored = false;
  return {
    text: () => chunks.join(""),
    restore: () => {
      if (restored) return;
      restored = true;
      for (const r of restorers) r();
      for (const [m, original] of consoleOriginals) console[m] = original;
    },
  };
}
