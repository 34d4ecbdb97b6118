import { describe, expect, it } from "vitest";
import { fieldRows, jsonSchemaOf } from "@/lib/docs/fields";
import { CATALOG, catalogView } from "@/lib/events/catalog";

/** The field lists of /docs/events, derived from the schemas GET /api/v1/event-types publishes. */

function row(type: string, path: string) {
  const def = CATALOG.find((d) => d.type === type);
  if (!def) throw new Error(`no ${type}`);
  const r = fieldRows(def.schema).find((f) => f.path === path);
  if (!r) throw new Error(`no ${path} in ${type}`);
  return r;
}

describe("fieldRows", () => {
  it("lists every property of every catalog type, nested ones with dotted paths, with the schema's required flags", () => {
    for (const def of CATALOG) {
      const schema = jsonSchemaOf(def.schema);
      const rows = fieldRows(def.schema);
      const top = rows.filter((r) => r.depth === 0);
      expect(top.map((r) => r.path)).toEqual(Object.keys(schema.properties ?? {}));
      for (const r of top) expect(r.required).toBe((schema.required ?? []).includes(r.path));
      for (const r of rows) expect(r.type).not.toBe("any");
    }
  });

  it("uses the same JSON Schema as the API", () => {
    const view = catalogView();
    for (const def of CATALOG) expect(jsonSchemaOf(def.schema)).toEqual(view.find((v) => v.type === def.type)?.schema);
  });

  it("describes formats and constraints in words", () => {
    expect(row("call.ended", "endReason").notes).toContain(
      'One of "caller_hung_up", "assistant_hung_up", "transferred", "error", "voicemail"',
    );
    expect(row("call.ended", "callId").notes).toEqual(["Starts with call_", "At most 64 characters"]);
    expect(row("call.ended", "from")).toMatchObject({ type: "string (phone)", required: true });
    expect(row("call.ended", "startedAt").type).toBe("string (date-time)");
    expect(row("call.ended", "durationSeconds")).toMatchObject({ type: "integer", notes: ["≥ 0"] });
    expect(row("call.ended", "summary")).toMatchObject({ required: false, notes: ["At most 10,000 characters"] });
    expect(row("call.ended", "recordingUrl").type).toBe("string (URL)");
    expect(row("appointment.scheduled", "customer")).toMatchObject({ type: "object", required: true, depth: 0 });
    expect(row("appointment.scheduled", "customer.name")).toMatchObject({
      depth: 1,
      required: true,
      notes: ["1–200 characters"],
    });
    expect(row("appointment.scheduled", "customer.email")).toMatchObject({ type: "string (email)", required: false });
  });
});
