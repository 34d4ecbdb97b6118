import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz";

/**
 * Random bytes drawn from the CSPRNG 4 KiB at a time (256 ids per system call instead of one, as Node's own
 * randomUUID does): a batch of deliveries makes three ids per delivery. Each byte is used once.
 */
const POOL = Buffer.allocUnsafe(4096);
let used = POOL.length;

/**
 * Prefixed, time-ordered ids (`whk_…`, `dlv_…`, `msg_…`): 10 characters of
 * millisecond time then 16 random ones, so ids sort by creation.
 */
export function newId(prefix: string): string {
  let t = Date.now();
  let time = "";
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  if (used + 16 > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  let rand = "";
  for (let i = used; i < used + 16; i++) rand += ALPHABET[POOL[i]! % ALPHABET.length];
  used += 16;
  return `${prefix}_${time}${rand}`;
}
