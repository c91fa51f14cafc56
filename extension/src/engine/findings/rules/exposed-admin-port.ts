// exposed-admin-port: a LoadBalancer or NodePort Service that offers a database or admin port to every
// source address. Information only: whether that is meant, and who can route to the nodes or the load
// balancer, is outside the files.
import { addField } from '../edits';
import type { Report, ServiceNatRule } from './types';
import type { AdminServer } from '../../i18n/rules.en';

/** Well-known ports of servers that hold data or take administrative commands, often without authentication by default. */
export const ADMIN_PORTS: Readonly<Record<number, AdminServer>> = {
  1433: { name: 'Microsoft SQL Server', api: false },
  1521: { name: 'Oracle Database', api: false },
  2181: { name: 'ZooKeeper', api: false },
  2379: { name: 'etcd (client API)', api: false },
  2380: { name: 'etcd (peer API)', api: false },
  3306: { name: 'MySQL', api: false },
  5432: { name: 'PostgreSQL', api: false },
  5984: { name: 'CouchDB', api: false },
  6379: { name: 'Redis', api: false },
  8001: { name: 'Kong Admin API', api: true },
  8086: { name: 'InfluxDB', api: false },
  8444: { name: 'Kong Admin API (TLS)', api: true },
  9042: { name: 'Cassandra (CQL)', api: false },
  9092: { name: 'Kafka', api: false },
  9200: { name: 'Elasticsearch (HTTP API)', api: false },
  9300: { name: 'Elasticsearch (transport)', api: false },
  11211: { name: 'memcached', api: false },
  15672: { name: 'RabbitMQ management API', api: true },
  27017: { name: 'MongoDB', api: false },
  28015: { name: 'RethinkDB (client driver)', api: false },
};

/** Annotations that make a cloud load balancer internal or restrict its sources outside spec.loadBalancerSourceRanges. */
const RESTRICTING_ANNOTATIONS: Readonly<Record<string, RegExp>> = {
  'service.beta.kubernetes.io/load-balancer-source-ranges': /./,
  'service.beta.kubernetes.io/aws-load-balancer-internal': /^(true|0\.0\.0\.0\/0)$/i,
  'service.beta.kubernetes.io/aws-load-balancer-scheme': /^internal$/i,
  'service.beta.kubernetes.io/azure-load-balancer-internal': /^true$/i,
  'networking.gke.io/load-balancer-type': /^internal$/i,
  'cloud.google.com/load-balancer-type': /^internal$/i,
  'service.beta.kubernetes.io/oci-load-balancer-internal': /^true$/i,
};

/** A documentation range (RFC 5737), so that the inserted list is visibly a placeholder. */
const PLACEHOLDER_RANGE = '203.0.113.0/24';

export const exposedAdminPort: ServiceNatRule<'exposed-admin-port'> = {
  id: 'exposed-admin-port',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'A database or admin port open to every source address',
    severity: 'information',
    category: 'nat',
    docs: `A LoadBalancer or NodePort Service offers a well-known database or admin port
(etcd 2379/2380, Elasticsearch 9200/9300, the Kong Admin API 8001/8444, Redis 6379, PostgreSQL 5432,
MySQL 3306, MongoDB 27017, ...) to every source address: no \`loadBalancerSourceRanges\`, and no
annotation that makes the load balancer internal or limits its sources. NAT Lens cannot see firewalls
or security groups in front of the cluster. Fix (not preferred; replace the placeholder range):
\`loadBalancerSourceRanges\`.`,
  },
  check({ obj, defaulted: d, m }) {
    const svc = obj.object;
    const type = d.type;
    if (type !== 'LoadBalancer' && type !== 'NodePort') return [];
    if ((svc.spec?.loadBalancerSourceRanges?.length ?? 0) > 0) return [];
    const annotations = svc.metadata?.annotations ?? {};
    if (Object.entries(RESTRICTING_ANNOTATIONS).some(([k, re]) => typeof annotations[k] === 'string' && re.test(annotations[k]!))) return [];
    const out: Report[] = [];
    d.ports.forEach((p, i) => {
      const server = ADMIN_PORTS[p.port] ?? (typeof p.targetPort === 'number' ? ADMIN_PORTS[p.targetPort] : undefined);
      if (!server || p.protocol !== 'TCP') return;
      const edit = d.type === 'LoadBalancer' ? addField(obj, ['spec'], 'loadBalancerSourceRanges', `[${PLACEHOLDER_RANGE}]`) : null;
      out.push({
        range: obj.rangeOf(['spec', 'ports', i, 'port']) ?? obj.rangeOf(['spec', 'ports', i]) ?? obj.range,
        message: m.ruleExposedAdminPort({ port: p.port, server, type, nodePort: p.nodePort || null }),
        fixes: edit ? [{ title: m.fixSourceRanges({ placeholder: PLACEHOLDER_RANGE }), edits: [edit], preferred: false, kind: 'quickfix' }] : [],
      });
    });
    return out;
  },
};
