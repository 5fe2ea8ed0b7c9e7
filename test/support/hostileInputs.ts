/** Hostile inputs shared by the hostile-input tests: credential shapes, deep nesting, bombs. */

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
