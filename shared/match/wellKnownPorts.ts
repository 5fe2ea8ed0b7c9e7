/**
 * Named ports resolved by well-known service name (IANA service names as Kubernetes users write
 * them) when the destination's identity carries no container ports.
 */
import type { PortProtocol } from '../config/model';

/** Port of each well-known name, per protocol. */
export const WELL_KNOWN_PORTS: Readonly<Record<string, Partial<Record<PortProtocol, number>>>> = {
  ftp: { TCP: 21 },
  ssh: { TCP: 22 },
  telnet: { TCP: 23 },
  smtp: { TCP: 25 },
  dns: { TCP: 53, UDP: 53 },
  domain: { TCP: 53, UDP: 53 },
  'dns-tcp': { TCP: 53 },
  http: { TCP: 80 },
  kerberos: { TCP: 88, UDP: 88 },
  pop3: { TCP: 110 },
  ntp: { UDP: 123 },
  imap: { TCP: 143 },
  snmp: { UDP: 161 },
  ldap: { TCP: 389 },
  https: { TCP: 443, UDP: 443 },
  smtps: { TCP: 465 },
  syslog: { UDP: 514 },
  submission: { TCP: 587 },
  ldaps: { TCP: 636 },
  imaps: { TCP: 993 },
  pop3s: { TCP: 995 },
  mysql: { TCP: 3306 },
  postgresql: { TCP: 5432 },
  postgres: { TCP: 5432 },
  amqp: { TCP: 5672 },
  redis: { TCP: 6379 },
  'http-alt': { TCP: 8080 },
  'https-alt': { TCP: 8443 },
  kafka: { TCP: 9092 },
  mongodb: { TCP: 27017 },
};

/** The well-known port of `name` for `protocol`, or undefined. */
export function wellKnownPort(name: string, protocol: PortProtocol): number | undefined {
  return Object.hasOwn(WELL_KNOWN_PORTS, name) ? WELL_KNOWN_PORTS[name]?.[protocol] : undefined;
}
