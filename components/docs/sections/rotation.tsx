import { C, Callout, P, Section } from "@/components/docs/ui";

export function RotationSection() {
  return (
    <Section id="rotation" title="Rotating the secret">
      <P>
        Rotate a secret you suspect has leaked, or on a schedule, from the webhook&apos;s page or with{" "}
        <C>POST /api/v1/webhooks/:id/rotate-secret</C>. The new secret is shown once.
      </P>
      <Callout tone="warning" title="The old secret stops working immediately">
        <p>
          Every attempt after the rotation, including retries of older messages, is signed with the new secret only.
          Prepare your handler to read the new secret before you rotate, and deploy it right after. Deliveries that fail
          verification in between are not lost: they are retried on the schedule, and you can replay them from the log.
        </p>
      </Callout>
    </Section>
  );
}
