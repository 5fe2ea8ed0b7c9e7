import { AgentProgress } from '../../shared/agent/agentProgress';
import { ownEndpoints, resolveOwnEndpoints, withoutOwnTraffic } from '../../shared/agent/ownTraffic';

describe("the agent's own traffic", () => {
  it.each([
    [
      {
        connectionString:
          'Endpoint=sb://evhns.servicebus.windows.net/;SharedAccessKeyName=s;SharedAccessKey=k',
      },
      [{ host: 'evhns.servicebus.windows.net', ports: [5671, 443] }],
    ],
    [
      { connectionString: 'Endpoint=sb://127.0.0.1:5673;UseDevelopmentEmulator=true' },
      [{ host: '127.0.0.1', ports: [5673] }],
    ],
    [
      { namespace: 'evhns.servicebus.windows.net' },
      [
        { host: 'evhns.servicebus.windows.net', ports: [5671, 443] },
        { host: 'login.microsoftonline.com', ports: [443] },
        { host: '169.254.169.254', ports: [80] },
      ],
    ],
    [
      { namespace: 'x.servicebus.windows.net', authorityHost: 'https://login.microsoftonline.us/' },
      expect.arrayContaining([{ host: 'login.microsoftonline.us', ports: [443] }]),
    ],
    [{ connectionString: 'no endpoint here' }, []],
    [{}, []],
  ])('endpoints of %j', (options, expected) => {
    expect(ownEndpoints(options)).toEqual(expected);
  });

  it('resolves names, keeps literals, and leaves unresolvable names without addresses', async () => {
    const resolved = await resolveOwnEndpoints(
      [
        { host: 'evhns.servicebus.windows.net', ports: [5671] },
        { host: '10.1.2.3', ports: [443] },
        { host: 'nowhere.invalid', ports: [443] },
      ],
      async (host) =>
        host === 'evhns.servicebus.windows.net'
          ? ['20.0.0.2', '20.0.0.1', '20.0.0.1']
          : Promise.reject(new Error('ENOTFOUND')),
    );
    expect(resolved.map((r) => r.addresses)).toEqual([['20.0.0.1', '20.0.0.2'], ['10.1.2.3'], []]);
  });

  it.each([
    ['', [], ''],
    [
      '',
      [{ host: 'h', ports: [5671, 443], addresses: ['20.0.0.1'] }],
      'not ((host 20.0.0.1 and (tcp port 5671 or tcp port 443)))',
    ],
    [
      'tcp port 443',
      [
        { host: 'h', ports: [5671], addresses: ['20.0.0.1', '20.0.0.2'] },
        { host: 'gone', ports: [443], addresses: [] },
      ],
      '(tcp port 443) and not (((host 20.0.0.1 or host 20.0.0.2) and tcp port 5671))',
    ],
  ])('withoutOwnTraffic(%j)', (expression, endpoints, expected) => {
    expect(withoutOwnTraffic(expression, endpoints)).toBe(expected);
  });
});

describe('AgentProgress', () => {
  it('counts and reads tcpdump drop reports', () => {
    const progress = new AgentProgress();
    progress.packets = 10;
    progress.batches = 2;
    progress.addTcpdumpReport(
      '10 packets captured\n12 packets received by filter\n3 packets dropped by kernel\n',
    );
    progress.addTcpdumpReport('');
    expect(progress.line()).toBe('progress: 10 packets captured, 2 batches sent, 3 dropped\n');
    progress.problems = 1;
    expect(progress.line('stopped')).toBe(
      'stopped: 10 packets captured, 2 batches sent, 3 dropped, 1 capture problems\n',
    );
  });
});
