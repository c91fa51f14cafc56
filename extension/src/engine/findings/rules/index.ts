// Every diagnostic rule, in catalog order (the order of the settings schema and of docs/diagnostics.md).
import { etpNotExternal } from './etp-not-external';
import { policyValue } from './policy-value';
import { healthCheckNodePortInvalid } from './health-check-node-port-invalid';
import { nodePortOnClusterIp } from './node-port-on-cluster-ip';
import { nodePortRange } from './node-port-range';
import { nodePortDuplicate } from './node-port-duplicate';
import { portNameRequired } from './port-name-required';
import { portNameDuplicate } from './port-name-duplicate';
import { affinityTimeoutRange } from './affinity-timeout-range';
import { sourceRangesNotLoadBalancer } from './source-ranges-not-load-balancer';
import { sourceRangeNotCidr } from './source-range-not-cidr';
import { headlessExternal } from './headless-external';
import { clientIpLost } from './client-ip-lost';
import { localPolicyImbalance } from './local-policy-imbalance';
import { internalLocalDropped } from './internal-local-dropped';
import { selectorMatchesNothing } from './selector-matches-nothing';
import { targetPortNotExposed } from './target-port-not-exposed';
import { externalIpsRisk } from './external-ips-risk';
import { affinityBehindSnat } from './affinity-behind-snat';
import { policyIpBlockBehindSnat } from './policy-ip-block-behind-snat';
import { policyEgressIpBlockSnat } from './policy-egress-ip-block-snat';
import { exposedAdminPort } from './exposed-admin-port';
import { ipFamilyNotServed } from './ip-family-not-served';
import { duplicateObject } from './duplicate-object';

export const RULE_MODULES = [
  etpNotExternal,
  policyValue,
  healthCheckNodePortInvalid,
  nodePortOnClusterIp,
  nodePortRange,
  nodePortDuplicate,
  portNameRequired,
  portNameDuplicate,
  affinityTimeoutRange,
  sourceRangesNotLoadBalancer,
  sourceRangeNotCidr,
  headlessExternal,
  clientIpLost,
  localPolicyImbalance,
  internalLocalDropped,
  selectorMatchesNothing,
  targetPortNotExposed,
  externalIpsRisk,
  affinityBehindSnat,
  policyIpBlockBehindSnat,
  policyEgressIpBlockSnat,
  exposedAdminPort,
  ipFamilyNotServed,
  duplicateObject,
] as const;
