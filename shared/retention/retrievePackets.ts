/**
 * Retrieval of retained packets (`tracectl pcap`): lists the indexes in range, reads only the
 * captures whose index names a matching frame, and merges the frames into one time-ordered pcapng
 * with an interface per node, trace point and link type.
 */
import { readCapture } from '../capture/readCapture';
import { PcapngWriter } from '../capture/pcapngWriter';
import type { CaptureDirection } from '../packet/decodedPacket';
import { errorMessage } from '../errors';
import { matchingFrames, rangeOverlaps, type PacketQuery } from './packetQuery';
import { pathSegment, RETAINED_PREFIX } from './retainedBlobName';
import type { RetentionStore } from './retentionStore';

/** How far a retrieval has got, reported as it goes. */
export interface RetrievalProgress {
  /** Index blobs listed (in the cluster prefix). */
  indexesListed: number;
  /** Index blobs downloaded (the others were outside the time range). */
  indexesRead: number;
  /** Capture blobs downloaded (only those with matching frames). */
  capturesRead: number;
  /** Bytes downloaded so far (indexes are not counted). */
  bytesRead: number;
  /** Matching packets found so far. */
  packets: number;
}

/** Options of {@link retrievePackets}. */
export interface RetrieveOptions {
  /** Called after every blob read. */
  onProgress?: (progress: RetrievalProgress) => void;
}

/** The merged capture and what it took. */
export interface RetrievedPackets {
  /** One pcapng (uncompressed). */
  pcapng: Uint8Array;
  progress: RetrievalProgress;
  /** Blobs that could not be read or parsed, each naming the blob (the rest is still returned). */
  problems: string[];
}

interface Frame {
  cluster: string;
  node: string;
  linkType: number;
  name: string | undefined;
  snapLength: number;
  sec: number;
  nsec: number;
  data: Uint8Array;
  originalLength: number;
  direction: CaptureDirection;
  comments: string[] | undefined;
}

/** Retrieves the retained packets matching `query`; see the module comment. */
export async function retrievePackets(
  store: RetentionStore,
  query: PacketQuery,
  options: RetrieveOptions = {},
): Promise<RetrievedPackets> {
  const progress: RetrievalProgress = {
    indexesListed: 0,
    indexesRead: 0,
    capturesRead: 0,
    bytesRead: 0,
    packets: 0,
  };
  const problems: string[] = [];
  const frames: Frame[] = [];
  const prefix =
    query.cluster === undefined ? RETAINED_PREFIX : `${RETAINED_PREFIX}${pathSegment(query.cluster)}/`;
  for await (const info of store.listIndexes(prefix)) {
    progress.indexesListed += 1;
    if (!rangeOverlaps(query, info.fromNs, info.toNs)) continue;
    try {
      const index = await store.readIndex(info.name);
      progress.indexesRead += 1;
      const wanted = matchingFrames(index, query);
      if (wanted.length > 0) {
        const body = await store.readCapture(index.blob);
        progress.capturesRead += 1;
        progress.bytesRead += body.length;
        const capture = readCapture(body);
        for (const problem of capture.problems) problems.push(`${index.blob}: ${problem.message}`);
        const want = new Set(wanted);
        for (const packet of capture.packets) {
          if (!want.has(packet.frame)) continue;
          want.delete(packet.frame);
          frames.push({
            cluster: index.cluster,
            node: index.node,
            linkType: packet.interface.linkType,
            name: packet.interface.name,
            snapLength: packet.interface.snapLength,
            sec: packet.timestampSec,
            nsec: packet.timestampNsec,
            data: packet.data,
            originalLength: packet.originalLength,
            direction: packet.direction,
            comments: packet.comments,
          });
          progress.packets += 1;
        }
        if (want.size > 0)
          problems.push(
            `${index.blob}: index names frames ${[...want].join(', ')} that the capture does not hold`,
          );
      }
    } catch (caught) {
      problems.push(`${info.name}: ${errorMessage(caught)}`);
    }
    options.onProgress?.({ ...progress });
  }
  return { pcapng: mergeFrames(frames), progress, problems };
}

/** Writes frames in time order (stable: ties keep blob and frame order) with one interface per node, name and link type. */
export function mergeFrames(frames: Frame[]): Uint8Array {
  const ordered = frames
    .map((frame, order) => ({ frame, order }))
    .sort((a, b) => a.frame.sec - b.frame.sec || a.frame.nsec - b.frame.nsec || a.order - b.order);
  const writer = new PcapngWriter({ userApplication: 'tracectl pcap (retina-trace-backend)' });
  const interfaces = new Map<string, number>();
  for (const { frame } of ordered) {
    const key = `${frame.cluster}\u0000${frame.node}\u0000${frame.linkType}\u0000${frame.name ?? ''}`;
    let index = interfaces.get(key);
    if (index === undefined) {
      index = writer.addInterface({
        linkType: frame.linkType,
        ...(frame.name !== undefined ? { name: frame.name } : {}),
        description: `${frame.cluster}/${frame.node}`,
        snapLength: frame.snapLength,
      });
      interfaces.set(key, index);
    }
    writer.addPacket({
      interfaceIndex: index,
      timestampSec: frame.sec,
      timestampNsec: frame.nsec,
      data: frame.data,
      originalLength: frame.originalLength,
      direction: frame.direction,
      ...(frame.comments !== undefined ? { comments: frame.comments } : {}),
    });
  }
  return writer.toBytes();
}
