/** Prints `-o json|yaml` data; the YAML library is loaded only when YAML is asked for. */
export async function printData(format: "json" | "yaml", data: unknown): Promise<void> {
  if (format === "json") {
    process.stdout.write(JSON.stringify(data, null, 2) + "\n");
    return;
  }
  const { toYAML } = await import("../yaml.js");
  process.stdout.write(toYAML(data));
}
