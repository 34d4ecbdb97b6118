import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { startReceiver, testTls, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import { TSX_NODE_ARGS } from "@/test/support/node-args";

/**
 * Setup shared by the crash tests (lib/delivery/crash.test.ts, lib/recovery/crash.test.ts):
 * an HTTPS receiver on 127.0.0.1 (allowed as a target) for the whole file, and `startApp()`,
 * which spawns the engine in its own process (test/support/executor-process.ts) with a short
 * lease so a test can SIGKILL it and start another. Every process it started is killed after
 * the file, then the receiver is closed.
 */
export function useCrashableApp(env: Record<string, string>): {
  startApp: () => Promise<ChildProcess>;
  receiver: () => Receiver;
} {
  const apps: ChildProcess[] = [];
  let receiver: Receiver | undefined;
  let restore: () => void = () => {};
  beforeAll(async () => {
    restore = useTestTargets("127.0.0.1");
    receiver = await startReceiver();
  });
  afterAll(async () => {
    for (const c of apps) c.kill("SIGKILL");
    await receiver?.close();
    restore();
  });

  function startApp(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [...TSX_NODE_ARGS, "test/support/executor-process.ts"], {
      env: {
        ...process.env,
        WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
        NODE_EXTRA_CA_CERTS: testTls().caPath,
        TEST_LEASE_MS: "2000",
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    apps.push(child);
    return new Promise((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("READY") && resolve(child));
      child.on("exit", (code) => reject(new Error(`app exited early (${code})`)));
    });
  }

  return {
    startApp,
    receiver: () => {
      if (!receiver) throw new Error("the receiver starts in beforeAll");
      return receiver;
    },
  };
}
