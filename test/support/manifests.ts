/** One small TraceConfiguration manifest and variants of it, shared by the API and handler tests. */

/** Accepted: traffic from 10.0.0.0/8 to port 80, every packet, to stdout; `team-a/web`. */
export const VALID_MANIFEST = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: web
  namespace: team-a
spec:
  traceConfigurations:
    - captureLevel: AllPackets
      from:
        - ipBlock:
            cidr: 10.0.0.0/8
      ports:
        - port: 80
  outputConfiguration:
    destination: stdout
`;

/** The same resource with a changed spec (port 8080): a new generation. */
export const CHANGED_MANIFEST = VALID_MANIFEST.replace('port: 80', 'port: 8080');

/** The same resource with an invalid CIDR at line 11: Errored. */
export const ERRORED_MANIFEST = VALID_MANIFEST.replace('cidr: 10.0.0.0/8', 'cidr: 10.0.0.0/99');
