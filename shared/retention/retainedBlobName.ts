/** Names of retained capture blobs: `retained/<cluster>/<node>/<yyyy>/<MM>/<dd>/<HH>/<batch>.pcapng.gz`. */

/** Prefix of every retained blob. */
export const RETAINED_PREFIX = 'retained/';

/** Keeps a name one path segment: `/` and control characters are percent-encoded, everything else kept. */
export function pathSegment(name: string): string {
  const text = name === '' ? '_' : name;
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[%/\\\u0000-\u001f\u007f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
  );
}

/**
 * The blob of one retained batch. The hour is that of the batch's first retained packet (UTC), so
 * a time range narrows the listing; `batchId` is derived from the content, so a redelivered batch
 * rewrites the same blob instead of adding a copy.
 */
export function retainedBlobName(
  cluster: string,
  node: string,
  firstPacketMs: number,
  batchId: string,
): string {
  const iso = new Date(firstPacketMs).toISOString();
  const yyyy = iso.slice(0, 4);
  const mm = iso.slice(5, 7);
  const dd = iso.slice(8, 10);
  const hh = iso.slice(11, 13);
  return `${RETAINED_PREFIX}${pathSegment(cluster)}/${pathSegment(node)}/${yyyy}/${mm}/${dd}/${hh}/${batchId}.pcapng.gz`;
}

/** The hour a retained blob's name places it in (epoch ms of the hour's start), or undefined for other names. */
export function retainedBlobHourMs(name: string): number | undefined {
  const match = /^retained\/[^/]+\/[^/]+\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+$/.exec(name);
  if (match === null) return undefined;
  const [, yyyy, mm, dd, hh] = match;
  return Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd), Number(hh));
}

/** `CaptureRef` of a frame: `<blob>#<frame>` (1-based frame number within the blob). */
export function captureRef(blob: string, frame: number): string {
  return `${blob}#${frame}`;
}

/** Splits a `CaptureRef`; undefined when it is not `<blob>#<frame>`. */
export function parseCaptureRef(ref: string): { blob: string; frame: number } | undefined {
  const hash = ref.lastIndexOf('#');
  if (hash <= 0) return undefined;
  const frame = Number(ref.slice(hash + 1));
  if (!Number.isInteger(frame) || frame < 1) return undefined;
  return { blob: ref.slice(0, hash), frame };
}
