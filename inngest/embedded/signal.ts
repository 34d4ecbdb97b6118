/** Wakes the claim loop early: notify() now, or earlier() when a nearer deadline appears while it waits. */
export class Signal {
  private pending = false;
  private resolve: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private deadline = Infinity;

  notify(): void {
    this.pending = true;
    this.fire();
  }

  earlier(deadline: number): void {
    if (this.resolve && deadline < this.deadline) this.arm(deadline);
  }

  async wait(deadline: number): Promise<void> {
    if (!this.pending && deadline > Date.now()) {
      await new Promise<void>((resolve) => {
        this.resolve = resolve;
        this.arm(deadline);
      });
    }
    this.pending = false;
    this.deadline = Infinity;
  }

  private arm(deadline: number): void {
    this.deadline = deadline;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)));
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  }
}
