import { DocsShell, type TocItem } from "@/components/docs/docs-shell";
import { A, C, CodeBlock, DocTable, P, PhoneOnly, Section } from "@/components/docs/ui";
import { exampleEnvelope, prettyJson } from "@/lib/docs/examples";
import { EVENT_TYPES_PATH, OPENAPI_PATH } from "@/lib/docs/facts";
import { fieldRows } from "@/lib/docs/fields";
import { CATALOG } from "@/lib/events/catalog";
import type { EventTypeDefinition } from "@/lib/events/catalog/define";
import { OPERATIONAL_EVENTS } from "@/lib/operational/events";

export function eventAnchor(type: string): string {
  return `event-${type.replace(/\./g, "-")}`;
}

function groups(): { name: EventTypeDefinition["group"]; events: EventTypeDefinition[] }[] {
  const out: { name: EventTypeDefinition["group"]; events: EventTypeDefinition[] }[] = [];
  for (const def of CATALOG) {
    const g = out.find((x) => x.name === def.group);
    if (g) g.events.push(def);
    else out.push({ name: def.group, events: [def] });
  }
  return out;
}

export const CATALOG_TOC: TocItem[] = [
  { id: "all-types", title: "All event types" },
  ...CATALOG.map((def) => ({ id: eventAnchor(def.type), title: def.type })),
  { id: "operational-events", title: "Operational events" },
  ...OPERATIONAL_EVENTS.map((def) => ({ id: eventAnchor(def.type), title: def.type })),
];

/** What the event docs need of a definition (catalog and operational events alike). */
type DocumentedEvent = Pick<EventTypeDefinition, "type" | "description" | "schema" | "example">;

function EventType({ def }: { def: DocumentedEvent }) {
  const fields = fieldRows(def.schema);
  return (
    <div
      id={eventAnchor(def.type)}
      className="scroll-mt-6 space-y-4 rounded-lg border border-slate-200 bg-surface/60 p-4 sm:p-5"
    >
      <div>
        <h3 className="font-mono text-base font-semibold text-slate-900">{def.type}</h3>
        <p className="mt-1 text-[15px] leading-7 text-slate-700">{def.description}</p>
      </div>
      <DocTable
        caption={`Fields of data in ${def.type}`}
        columns={["Field", "Type", "Required", "Notes"]}
        hideOnPhone={[1, 2]}
        rows={fields.map((f) => ({
          key: f.path,
          cells: [
            <span key="f" className="block" style={{ paddingLeft: `${f.depth * 1.25}rem` }}>
              <C>{f.path}</C>
              <PhoneOnly>
                {f.type} · {f.required ? "required" : "optional"}
              </PhoneOnly>
            </span>,
            <span key="t" className="whitespace-nowrap">
              {f.type}
            </span>,
            f.required ? (
              <span className="font-medium text-slate-900">Required</span>
            ) : (
              <span className="text-slate-500">Optional</span>
            ),
            f.notes.length ? f.notes.join(". ") : <span className="text-slate-500">—</span>,
          ],
        }))}
      />
      <CodeBlock
        caption={`Example ${def.type} body`}
        copyLabel={`Copy ${def.type} example`}
        code={prettyJson(exampleEnvelope(def))}
      />
    </div>
  );
}

export function EventCatalogDoc() {
  return (
    <DocsShell
      current="/docs/events"
      title="Event catalog"
      toc={CATALOG_TOC}
      intro={
        <>
          Every event type a webhook can subscribe to, with the fields of its <C>data</C> and an example of the full
          body we send.
        </>
      }
    >
      <Section id="all-types" title="All event types">
        <P>
          Each delivery&apos;s body is the envelope <C>{"{type, timestamp, data}"}</C> described in the{" "}
          <A href="/docs/webhooks#request">webhook protocol</A>; test events add <C>{'"test": true'}</C>. The fields
          below are those of <C>data</C>. Objects may gain new optional fields over time: ignore the ones you do not
          know.
        </P>
        <DocTable
          caption="Event types"
          columns={["Type", "Group", "When it is sent"]}
          hideOnPhone={[1]}
          rows={CATALOG.map((def) => ({
            key: def.type,
            cells: [
              <a
                key="t"
                href={`#${eventAnchor(def.type)}`}
                className="font-mono text-indigo-700 underline decoration-indigo-300 underline-offset-2"
              >
                {def.type}
              </a>,
              def.group,
              def.description,
            ],
          }))}
        />
        <P>
          The same catalog is available as JSON, with each type&apos;s JSON Schema and example, from{" "}
          <C>GET {EVENT_TYPES_PATH}</C> (see the <A href={OPENAPI_PATH}>OpenAPI document</A>). The <C>webhook.probe</C>{" "}
          type is not part of the catalog: it only checks that an endpoint answers (
          <A href="/docs/webhooks#probe">the endpoint probe</A>).
        </P>
      </Section>

      {groups().map((g) => (
        <Section key={g.name} id={`group-${g.name.toLowerCase()}`} title={g.name}>
          {g.events.map((def) => (
            <EventType key={def.type} def={def} />
          ))}
        </Section>
      ))}

      <Section id="operational-events" title="Operational events (not subscribable)">
        <P>
          These are not part of the catalog above: no webhook can subscribe to them, and <C>POST /api/v1/events</C>{" "}
          refuses them. They tell <strong>you</strong> about your own endpoints and are sent only to your
          workspace&apos;s <A href="/docs/webhooks#disabled-notices">operational webhook</A>, signed with its own
          secret, in the same <C>{"{type, timestamp, data}"}</C> envelope and with the same Standard Webhooks headers.
        </P>
        {OPERATIONAL_EVENTS.map((def) => (
          <EventType key={def.type} def={def} />
        ))}
      </Section>
    </DocsShell>
  );
}
