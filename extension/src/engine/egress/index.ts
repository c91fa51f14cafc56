// Egress SNAT by the CNI: settings (profile `cni`, workspace CNI objects, documented defaults), the
// decision for one pod and destination, and hovers on the CNI objects' NAT fields.
export * from './types';
export { egressDecision, egressDeciderFor, nodeAddress, type EgressPod } from './decide';
export {
  resolveCniProfile, resolveCni, DEFAULT_CNI_PROFILE, CNI_PROFILE_KEYS, IP_MASQ_AGENT_DEFAULT_CIDRS, RESERVED_RANGES,
  CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS, type CniProfile, type CniProfilePool, type CniReport, type ResolvedCni,
} from './profile';
export { readCniConfig, rawObjects, embeddedConfig, type CniWorkspace, type RawObject, type EmbeddedConfig } from './workspace';
export { egressHoverAt, hostIn, type EgressHoverContext } from './hover';
