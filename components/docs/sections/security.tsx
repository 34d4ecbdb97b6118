import { A, C, List, Section } from "@/components/docs/ui";
import { MAX_URL_LENGTH } from "@/lib/docs/facts";

export function SecuritySection() {
  return (
    <Section id="security" title="Network and TLS">
      <List>
        <li>
          <strong>HTTPS only.</strong> URLs must start with <C>https://</C>, carry no credentials (<C>user:pass@</C>)
          and be at most {MAX_URL_LENGTH} characters.
        </li>
        <li>
          <strong>Certificates are always verified</strong> against the public root authorities bundled with Node.js
          (TLS 1.2 or newer, SNI). In production, self-signed and private-CA certificates fail with a TLS error: use a
          certificate from a public CA, such as Let&apos;s Encrypt. For a trial on your machine, <C>npm run dev</C>
          trusts the local test receiver&apos;s own authority (see <A href="#try-it-locally">Try it locally</A>).
        </li>
        <li>
          <strong>Public addresses only.</strong> Every time we open a connection we resolve the host and refuse it if
          any of its addresses is private (10/8, 172.16/12, 192.168/16), loopback, link-local (169.254/16, including
          cloud metadata), shared (100.64/10), unspecified, multicast, reserved or for documentation, or an IPv6
          unique-local, link-local or loopback address, or an IPv4-mapped, 6to4 or NAT64 form of those. We then connect
          only to the addresses we checked, so DNS rebinding cannot slip past. IP literals are checked in every
          notation.
        </li>
        <li>
          <strong>Redirects are never followed</strong>: a <C>3xx</C> is a failed attempt.
        </li>
        <li>
          <strong>Source addresses.</strong> Deliveries come from this deployment&apos;s servers, whose addresses are
          not guaranteed to stay the same. Authenticate requests by their signature, not by IP address.
        </li>
      </List>
    </Section>
  );
}
