// kube-proxy IPVS mode: virtual servers, ipsets and the iptables payload for one node.
export * from './generator';
export { DEFAULT_IPVS_SETTINGS, ipvsSettings, ipvsSysctls, type IpvsSettings, type IpvsSysctl } from './settings';
export { IPSET, IPSET_INFO, ipsetName, CHAIN, DUMMY_DEVICE, type IpsetKey, type IpsetType } from './names';
export { renderIpvsadmList, renderIpvsadmRules, compareServices, compareDests, glibcMergeSort } from './ipvsadm';
export { renderIpsetSave, savedEntry } from './ipset';
