// The fields NAT Lens reads from each kind, with their Kubernetes types: the rules are typed against
// `kubernetes-types`, so a field path or a type that does not exist there does not compile. A value of
// the wrong type is refused as the API server's decoder refuses it; `check` adds the API server's
// value validation where a value reaches kube-proxy's rule text (pkg/apis/core/validation).
import type {
  ClientIPConfig, Container, ContainerPort, EndpointAddress, EndpointPort as CoreEndpointPort, EndpointSubset, Endpoints, LoadBalancerIngress,
  LoadBalancerStatus, Node, NodeAddress, NodeSpec, NodeStatus, Pod, PodSpec, ReplicationController, ReplicationControllerSpec, PodStatus, PodTemplateSpec, Service, ServicePort, ServiceSpec, ServiceStatus, SessionAffinityConfig,
} from 'kubernetes-types/core/v1';
import type { LabelSelector, LabelSelectorRequirement, ObjectMeta } from 'kubernetes-types/meta/v1';
import type { Endpoint, EndpointConditions, EndpointHints, EndpointPort, EndpointSlice, ForZone } from 'kubernetes-types/discovery/v1';
import type { DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, ReplicaSet, ReplicaSetSpec, StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1';
import type { CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec } from 'kubernetes-types/batch/v1';
import type { IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1';
import { ianaServiceName, optionalDns1035Label, optionalDns1123Label, optionalDns1123Subdomain, optionalPortNumber, portNumber, portNumberOrName } from './formats';
import type { FormatDetail } from '../i18n/model.en';

export interface StringRule { readonly type: 'string'; readonly check?: (value: string) => FormatDetail[]; readonly enum?: readonly string[] }
export interface IntegerRule { readonly type: 'integer'; readonly check?: (value: number) => FormatDetail[] }
export interface BooleanRule { readonly type: 'boolean' }
export interface IntOrStringRule { readonly type: 'int-or-string'; readonly check?: (value: number | string) => FormatDetail[] }
export interface ListRule<E> { readonly type: 'list'; readonly items: Rule<E> }
export interface ObjectRule<T> { readonly type: 'object'; readonly fields: Fields<T>; readonly required?: readonly (keyof T & string)[] }
export interface StringMapRule { readonly type: 'string-map' }

/** The rule a field of TypeScript type T may have (non-distributive: `number | string` is int-or-string). */
export type Rule<T> =
  [T] extends [string] ? StringRule :
    [T] extends [boolean] ? BooleanRule :
    [T] extends [number] ? IntegerRule :
    [T] extends [number | string] ? IntOrStringRule :
    [T] extends [ReadonlyArray<infer E>] ? ListRule<E> :
    [T] extends [object] ? ObjectRule<T> | StringMapRule :
    never;

export type Fields<T> = { readonly [K in keyof T]?: Rule<NonNullable<T[K]>> };

export type AnyRule = StringRule | IntegerRule | BooleanRule | IntOrStringRule | { readonly type: 'list'; readonly items: AnyRule }
  | { readonly type: 'object'; readonly fields: Readonly<Record<string, AnyRule | undefined>>; readonly required?: readonly string[] } | StringMapRule;

const str = (check?: (value: string) => FormatDetail[]): StringRule => (check ? { type: 'string', check } : { type: 'string' });
const int = (check?: (value: number) => FormatDetail[]): IntegerRule => (check ? { type: 'integer', check } : { type: 'integer' });
const bool: BooleanRule = { type: 'boolean' };
const strings: ListRule<string> = { type: 'list', items: str() };
const stringMap: StringMapRule = { type: 'string-map' };
const list = <E>(items: Rule<E>): ListRule<E> => ({ type: 'list', items });
const object = <T>(fields: Fields<T>, required?: readonly (keyof T & string)[]): ObjectRule<T> => (required ? { type: 'object', fields, required } : { type: 'object', fields });
const protocol: StringRule = { type: 'string', enum: ['SCTP', 'TCP', 'UDP'] };

const metadata = (name: (value: string) => FormatDetail[]) => object<ObjectMeta>({
  name: str(name), namespace: str(optionalDns1123Label), labels: stringMap, annotations: stringMap,
});

const labelSelector = object<LabelSelector>({
  matchLabels: stringMap,
  matchExpressions: list(object<LabelSelectorRequirement>({ key: str(), operator: str(), values: strings })),
});

const containerPort = object<ContainerPort>({ name: str(name => (name === '' ? [] : ianaServiceName(name))), containerPort: int(portNumber), protocol }, ['containerPort']);
const container = object<Container>({ name: str(), ports: list(containerPort), restartPolicy: str() });
const podSpec = object<PodSpec>({ containers: list(container), initContainers: list(container), nodeName: str(), hostNetwork: bool });
const podTemplate = object<PodTemplateSpec>({ metadata: metadata(optionalDns1123Subdomain), spec: podSpec });

const servicePort = object<ServicePort>({
  name: str(optionalDns1123Label), protocol, port: int(portNumber), targetPort: { type: 'int-or-string', check: portNumberOrName },
  nodePort: int(optionalPortNumber), appProtocol: str(),
}, ['port']);

const service = object<Service>({
  metadata: metadata(optionalDns1035Label),
  spec: object<ServiceSpec>({
    type: str(), clusterIP: str(), clusterIPs: strings, externalIPs: strings, ports: list(servicePort), selector: stringMap,
    externalTrafficPolicy: str(), internalTrafficPolicy: str(), sessionAffinity: str(),
    sessionAffinityConfig: object<SessionAffinityConfig>({ clientIP: object<ClientIPConfig>({ timeoutSeconds: int() }) }),
    loadBalancerSourceRanges: strings, healthCheckNodePort: int(optionalPortNumber), allocateLoadBalancerNodePorts: bool,
    ipFamilies: strings, ipFamilyPolicy: str(), publishNotReadyAddresses: bool, externalName: str(), loadBalancerClass: str(),
  }),
  status: object<ServiceStatus>({ loadBalancer: object<LoadBalancerStatus>({ ingress: list(object<LoadBalancerIngress>({ ip: str(), hostname: str(), ipMode: str() })) }) }),
});

const endpointSlicePort = object<EndpointPort>({ name: str(optionalDns1123Label), port: int(portNumber), protocol, appProtocol: str() });
const endpointSlice = object<EndpointSlice>({
  metadata: metadata(optionalDns1123Subdomain),
  addressType: str(),
  endpoints: list(object<Endpoint>({
    addresses: strings, nodeName: str(), zone: str(), hostname: str(),
    conditions: object<EndpointConditions>({ ready: bool, serving: bool, terminating: bool }),
    // forNodes (v1.33) is newer than kubernetes-types 1.30: typed here as the API documents it
    hints: object<EndpointHints & { forNodes?: ForZone[] }>({ forZones: list(object<ForZone>({ name: str() })), forNodes: list(object<ForZone>({ name: str() })) }),
  })),
  ports: list(endpointSlicePort),
});

const endpointAddress = object<EndpointAddress>({ ip: str(), nodeName: str(), hostname: str() });
const endpoints = object<Endpoints>({
  metadata: metadata(optionalDns1035Label),
  subsets: list(object<EndpointSubset>({
    addresses: list(endpointAddress), notReadyAddresses: list(endpointAddress),
    ports: list(object<CoreEndpointPort>({ name: str(optionalDns1123Label), port: int(portNumber), protocol })),
  })),
});


const jobSpec = object<JobSpec>({ parallelism: int(), completions: int(), template: podTemplate, selector: labelSelector });

const policyPeer = object<NetworkPolicyPeer>({ ipBlock: object<IPBlock>({ cidr: str(), except: strings }), podSelector: labelSelector, namespaceSelector: labelSelector });
const policyPort = object<NetworkPolicyPort>({ port: { type: 'int-or-string' }, endPort: int(), protocol });

/** The schema of each kind the model reads. */
export const KIND_SCHEMAS = {
  Service: service,
  EndpointSlice: endpointSlice,
  Endpoints: endpoints,
  Pod: object<Pod>({ metadata: metadata(optionalDns1123Subdomain), spec: podSpec, status: object<PodStatus>({ podIP: str(), hostIP: str() }) }),
  Deployment: object<Deployment>({ metadata: metadata(optionalDns1123Subdomain), spec: object<DeploymentSpec>({ selector: labelSelector, template: podTemplate, replicas: int() }) }),
  StatefulSet: object<StatefulSet>({ metadata: metadata(optionalDns1123Subdomain), spec: object<StatefulSetSpec>({ selector: labelSelector, template: podTemplate, replicas: int(), serviceName: str() }) }),
  DaemonSet: object<DaemonSet>({ metadata: metadata(optionalDns1123Subdomain), spec: object<DaemonSetSpec>({ selector: labelSelector, template: podTemplate }) }),
  ReplicaSet: object<ReplicaSet>({ metadata: metadata(optionalDns1123Subdomain), spec: object<ReplicaSetSpec>({ selector: labelSelector, template: podTemplate, replicas: int() }) }),
  ReplicationController: object<ReplicationController>({ metadata: metadata(optionalDns1123Subdomain), spec: object<ReplicationControllerSpec>({ selector: stringMap, template: podTemplate, replicas: int() }) }),
  Job: object<Job>({ metadata: metadata(optionalDns1123Subdomain), spec: jobSpec }),
  CronJob: object<CronJob>({ metadata: metadata(optionalDns1123Subdomain), spec: object<CronJobSpec>({ jobTemplate: object<JobTemplateSpec>({ metadata: metadata(optionalDns1123Subdomain), spec: jobSpec }) }) }),
  // kubectl get nodes -o yaml: what defines a node of the model (model/nodes.ts)
  Node: object<Node>({
    metadata: metadata(optionalDns1123Subdomain),
    spec: object<NodeSpec>({ podCIDR: str(), podCIDRs: strings }),
    status: object<NodeStatus>({ addresses: list(object<NodeAddress>({ type: str(), address: str() })), allocatable: stringMap }),
  }),
  NetworkPolicy: object<NetworkPolicy>({
    metadata: metadata(optionalDns1123Subdomain),
    spec: object<NetworkPolicySpec>({
      podSelector: labelSelector, policyTypes: strings,
      ingress: list(object<NetworkPolicyIngressRule>({ from: list(policyPeer), ports: list(policyPort) })),
      egress: list(object<NetworkPolicyEgressRule>({ to: list(policyPeer), ports: list(policyPort) })),
    }),
  }),
} as const;
