/** What the reference agent has done so far, printed periodically so an operator sees it working. */

/** Running totals of a capture. */
export class AgentProgress {
  /** Packets read from the capture. */
  packets = 0;
  /** Trace batches (events) published. */
  batches = 0;
  /** Packets the kernel dropped (as tcpdump reports them at exit), or that could not be published. */
  drops = 0;
  /** Capture problems (damaged records) seen. */
  problems = 0;

  /** Adds the kernel drops tcpdump reports on stderr (`N packets dropped by kernel`). */
  addTcpdumpReport(stderr: string): void {
    const match = /(\d+) packets? dropped by kernel/.exec(stderr);
    if (match !== null) this.drops += Number(match[1]);
  }

  /** One line: `progress: 1200 packets captured, 14 batches sent, 0 dropped`. */
  line(label = 'progress'): string {
    const problems = this.problems === 0 ? '' : `, ${this.problems} capture problems`;
    return `${label}: ${this.packets} packets captured, ${this.batches} batches sent, ${this.drops} dropped${problems}\n`;
  }
}
