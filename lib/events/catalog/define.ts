import { z } from "zod";

/** One event type of the catalog: its name, what it means, the schema of `data` and an example `data`. */
export type EventTypeDefinition<T extends string = string, S extends z.ZodType = z.ZodType> = {
  type: T;
  group: "Calls" | "Appointments" | "Voicemail";
  description: string;
  schema: S;
  example: z.input<S>;
};

/** Keeps the literal type name (`"call.ended"`, not `string`) and checks the example against the schema. */
export function defineEventType<const T extends string, S extends z.ZodType>(
  def: EventTypeDefinition<T, S>,
): EventTypeDefinition<T, S> {
  const checked = def.schema.safeParse(def.example);
  if (!checked.success)
    throw new Error(`catalog example of ${def.type} does not match its schema: ${checked.error.message}`);
  return def;
}

// Shared field shapes.
export const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 phone number");
export const isoDate = z.iso.datetime({ offset: true });
export const id = (prefix: string) => z.string().startsWith(`${prefix}_`).max(64);
export const customer = z.looseObject({
  name: z.string().min(1).max(200),
  phone,
  email: z.email().optional(),
});
