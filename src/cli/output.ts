/**
 * Prints `-o json|yaml` data. YAML is loaded only here, when asked for: it is
 * the biggest module most commands would otherwise load for nothing.
 */
export async function printData(format: "json" | "yaml", data: unknown): Promise<void> {
  if (format === "json") {
    process.stdout.write(JSON.stringify(data, null, 2) + "\n");
    return;
  }
  const yaml = await import("yaml");
  // Bundled, the CommonJS build of `yaml` arrives as the default export of a dynamic import.
  const stringify = yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify;
  process.stdout.write(stringify(data));
}
