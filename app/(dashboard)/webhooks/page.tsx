export const metadata = { title: "Webhooks" };

export default function Page() {
  return (
    <section>
      <h1 className="text-2xl font-semibold">Webhooks</h1>
    </section>
  );
}
