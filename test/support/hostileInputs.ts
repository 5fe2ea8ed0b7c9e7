/** Hostile inputs shared by the hostile-input tests: credential shapes, deep nesting, bombs. */
import { writePcap } from '../../shared/capture/pcapWriter';
import { craftFrame } from '../../shared/packet/craftFrame';

// Token shapes are assembled at run time so no file of the repository holds one verbatim.
const repeat = (text: string, n: number) => text.repeat(n);
/** One fake credential of every shape the detector knows, with a label. */
export const FAKE_SECRETS: readonly [string, string][] = [
  [
    'account key connection string',
    `DefaultEndpointsProtocol=https;AccountName=a;Account${'Key'}=${repeat('A', 86)}==`,
  ],
  ['bare account key', `${repeat('Ab1+', 21)}Ab==`],
  ['SharedAccessKey', `Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccess${'Key'}=abc`],
  ['SAS sig=', `https://a.blob.core.windows.net/c?sv=2024&s${'ig'}=abcd`],
  ['password=', `Server=x;Pass${'word'}=hunter2`],
  ['bearer', `Bear${'er'} abc.def`],
  ['JWT', `ey${'J'}hbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc`],
  ['PEM', `-----BEGIN RSA PRIVATE ${'KEY'}-----\nMIIE\n-----END RSA PRIVATE KEY-----`],
  ['GitHub classic', `gh${'p'}_${repeat('a1B2', 9)}`],
  ['GitHub OAuth', `gh${'o'}_${repeat('a1B2', 9)}`],
  ['GitHub fine-grained', `github_${'pat'}_${repeat('A1b_', 20)}`],
  ['Slack', `xo${'xb'}-1234567890-abcdefghij`],
  ['URL credentials', `https://user:${'pass'}@collector.example.com/v1/logs`],
];

/** Names that are not Kubernetes names: path characters, control characters, absurd lengths. */
export const HOSTILE_NAMES: readonly [string, string][] = [
  ['backslash', 'a\\b'],
  ['hash', 'a#b'],
  ['question mark', 'a?b'],
  ['slash', 'a/b'],
  ['control character', 'a\u0001b'],
  ['newline', 'a\nb'],
  ['2000 characters', 'a'.repeat(2000)],
  ['upper case', 'Web'],
  ['unicode', 'wéb'],
  ['dot dot', '..'],
];

/** Three aliases deep, nine wide: 9^10 nodes if expanded ("billion laughs"). */
export function aliasBomb(levels = 10): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
}

/** Request bodies that broke limits, with the status and message they must get. */
export const HOSTILE_BODIES: readonly [string, string, number, RegExp][] = [
  ['900 nested [', '['.repeat(900), 400, /nests collections about 900 levels deep/],
  ['2000 levels of {"a":', '{"a":'.repeat(2000), 400, /levels deep/],
  ['5000 levels of YAML [', `${'['.repeat(5000)}${']'.repeat(5000)}`, 400, /levels deep/],
  [
    '1000 block levels',
    Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}- a`).join('\n'),
    400,
    /levels deep/,
  ],
  ['alias bomb', aliasBomb(), 400, /aliases expand too much/],
  [
    'a 5000-character value',
    `apiVersion: retina.sh/v1alpha1\nkind: TraceConfiguration\nmetadata: {name: web, namespace: team-a}\nspec: {x: ${'y'.repeat(5000)}}\n`,
    400,
    /5000 characters/,
  ],
  ['two documents', 'a: 1\n---\nb: 2\n', 400, /exactly one TraceConfiguration document/],
  ['200 documents', Array.from({ length: 200 }, () => 'a: 1').join('\n---\n'), 400, /200 YAML documents/],
  ['binary garbage', '\u0000\u0001\u00ff{[', 400, /./],
  ['empty', '', 400, /holds 0/],
];

/** A small deterministic PRNG (mulberry32), so every fuzz failure can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A classic pcap of `packets` UDP packets (Ethernet, IPv4) with random payloads: incompressible,
 * so its gzip form spans many stream chunks.
 */
export function syntheticCapture(packets: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const records = Array.from({ length: packets }, (_, i) => ({
    timestampSec: 1_764_000_000 + i,
    timestampNsec: 0,
    data: craftFrame({
      source: `10.0.${(i >> 8) & 255}.${i & 255}`,
      destination: '10.1.0.1',
      transport: { protocol: 'udp', sourcePort: 1024 + (i % 60_000), destinationPort: 53 },
      payload: Uint8Array.from({ length: 200 + Math.floor(random() * 1000) }, () =>
        Math.floor(random() * 256),
      ),
    }),
  }));
  return writePcap({ linkType: 1 }, records);
}

/** `bytes` with `count` random bytes overwritten after the first `keep` (headers survive). */
export function corrupt(bytes: Uint8Array, random: () => number, count: number, keep = 10): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = 0; i < count; i++)
    out[keep + Math.floor(random() * (out.length - keep))] = Math.floor(random() * 256);
  return out;
}
