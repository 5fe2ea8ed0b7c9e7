/** Quotes a value for a POSIX shell (single quotes; an embedded quote closed, escaped, reopened). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Settings that tell a client where a service is: connection strings, endpoints, the API URL. */
export function isConnectionSetting(name: string): boolean {
  return /(^AzureWebJobsStorage$|Connection$|__connectionString$|__endpoint$|__tableServiceUri$|__blobServiceUri$|^TRACECTL_)/.test(
    name,
  );
}

/**
 * An `export NAME='value'` block, one setting a line in name order, for the user to paste into
 * another terminal (so `tracectl` and `func start` find what `npm run local` started).
 */
export function exportBlock(settings: Readonly<Record<string, string>>): string {
  return Object.keys(settings)
    .filter(isConnectionSetting)
    .sort()
    .map((name) => `export ${name}=${shellQuote(settings[name]!)}`)
    .join('\n');
}
