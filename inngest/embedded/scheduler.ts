import { nextCronTime } from "@/inngest/embedded/cron";
import type { FunctionDef } from "@/inngest/embedded/protocol";
import { deterministicRunId, normalizeEvent, type Router, SCHEDULED_TIMER } from "@/inngest/embedded/router";
import type { CronRow, RunStore } from "@/inngest/embedded/store";
import { log } from "@/lib/log";

/**
 * Cron triggers: one durable schedule row per (function, cron) in the run
 * table, fired by whichever executor sees its slot due first (store.ts
 * fireDueCrons: one run per slot across instances), at the slot and at
 * least every minute.
 */

export type SchedulerHost = {
  readonly store: RunStore;
  functions(): readonly FunctionDef[];
  router(): Router;
  isStopping(): boolean;
  /** Runs were created and are due now. */
  wakeSoon(): void;
};

export class CronScheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: SchedulerHost) {}

  /** Registers the schedules of the synced functions (and drops those of functions gone). */
  async sync(now = Date.now()): Promise<void> {
    const rows: CronRow[] = [];
    for (const d of this.host.functions()) {
      for (const c of d.crons) {
        const nextMs = nextCronTime(c.schedule, now);
        if (nextMs !== undefined)
          rows.push({
            id: `cron_${deterministicRunId(d.id, c.cron).slice(4)}`,
            functionId: d.id,
            cron: c.cron,
            nextMs,
          });
      }
    }
    await this.host.store.syncCrons(
      rows,
      this.host.functions().map((f) => f.id),
    );
  }

  /** Arms the timer for the next slot of any cron. */
  schedule(): void {
    if (this.host.isStopping()) return;
    const now = Date.now();
    let next = Infinity;
    for (const d of this.host.functions())
      for (const c of d.crons) next = Math.min(next, nextCronTime(c.schedule, now - 1) ?? Infinity);
    if (next === Infinity) return;
    // Fire at the slot, and re-check at least every minute (slots registered by other instances, missed timers).
    const delay = Math.max(0, Math.min(next - now, 60_000)) + 5;
    this.timer = setTimeout(() => void this.fire().finally(() => this.schedule()), delay);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts one run for every due slot (once across instances) and moves each schedule on. */
  async fire(): Promise<void> {
    const withCrons = this.host.functions().filter((f) => f.crons.length);
    if (this.host.isStopping() || withCrons.length === 0) return;
    const router = this.host.router();
    try {
      const created = await this.host.store.fireDueCrons(
        withCrons.map((f) => f.id),
        (row) => {
          const def = router.byId.get(row.functionId);
          const trigger = def?.crons.find((c) => c.cron === row.cron);
          if (!def || !trigger) return undefined;
          const nextMs =
            nextCronTime(trigger.schedule, Math.max(Date.now(), row.dueMs)) ?? Date.now() + 365 * 86_400_000;
          const slot = new Date(row.dueMs).toISOString();
          const incoming = normalizeEvent(
            { name: SCHEDULED_TIMER, data: { cron: row.cron }, id: `cron-${row.id}-${slot}` },
            Date.now(),
          );
          const jitter = trigger.jitterMs ? Math.floor(Math.random() * trigger.jitterMs) : 0;
          const run = router.newRun(
            def,
            { ...incoming, userId: false },
            ["cron", row.id, slot],
            jitter ? Date.now() + jitter : undefined,
          );
          return { run, nextMs };
        },
      );
      if (created) this.host.wakeSoon();
    } catch (err) {
      log.error("embedded executor cron error", { err });
    }
  }
}
