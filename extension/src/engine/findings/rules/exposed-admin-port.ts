// exposed-admin-port: a LoadBalancer or NodePort Service that offers a database or admin port to every
// source address. Information only: whether that is meant, and who can route to the nodes or the load
// balancer, is outside the files.
import { addField } from '../edits';
import type { Report, ServiceNatRule } from './types';

/** Well-known ports of servers that hold data or take administrative commands, often without authentication by default. */
export const ADMIN_PORTS: Readonly<Record<number, string>> = {
  1433: 'Microsoft SQL Server',
  1521: 'Oracle Database',
  2181: 'ZooKeeper',
  2379: 'etcd (client API)',
  2380: 'etcd (peer API)',
  3306: 'MySQL',
  5432: 'PostgreSQL',
  5984: 'CouchDB',
  6379: 'Redis',
  8001: 'the Kong Admin API',
  8086: 'InfluxDB',
  8444: 'the Kong Admin API (TLS)',
  9042: 'Cassandra (CQL)',
  9092: 'Kafka',
  9200: 'Elasticsearch (HTTP API)',
  9300: 'Elasticsearch (transport)',
  11211: 'memcached',
  15672: 'the RabbitMQ management API',
  27017: 'MongoDB',
  28015: 'RethinkDB (client driver)',
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
  check({ obj, defaulted: d }) {
    const svc = obj.object;
    if (d.type !== 'LoadBalancer' && d.type !== 'NodePort') return [];
    if ((svc.spec?.loadBalancerSourceRanges?.length ?? 0) > 0) return [];
    const annotations = svc.metadata?.annotations ?? {};
    if (Object.entries(RESTRICTING_ANNOTATIONS).some(([k, re]) => typeof annotations[k] === 'string' && re.test(annotations[k]!))) return [];
    const out: Report[] = [];
    d.ports.forEach((p, i) => {
      const server = ADMIN_PORTS[p.port] ?? (typeof p.targetPort === 'number' ? ADMIN_PORTS[p.targetPort] : undefined);
      if (!server || p.protocol !== 'TCP') return;
      const nodePort = p.nodePort ? `node port ${p.nodePort}` : 'its node port';
      const where = d.type === 'LoadBalancer' ? `the load balancer's address and on ${nodePort} of every node` : `${nodePort} of every node`;
      const edit = d.type === 'LoadBalancer' ? addField(obj, ['spec'], 'loadBalancerSourceRanges', `[${PLACEHOLDER_RANGE}]`) : null;
      out.push({
        range: obj.rangeOf(['spec', 'ports', i, 'port']) ?? obj.rangeOf(['spec', 'ports', i]) ?? obj.range,
        message: `Port ${p.port} is ${server}, and this ${d.type} Service accepts it from every source address on ${where}: ` +
          'nothing in the Service limits who connects' + (d.type === 'LoadBalancer' ? ' (no loadBalancerSourceRanges)' : '') +
          '. NAT Lens cannot see firewalls or security groups in front of the cluster.',
        fixes: edit ? [{ title: `Accept only some sources: add loadBalancerSourceRanges (replace ${PLACEHOLDER_RANGE} with your clients' ranges)`, edits: [edit], preferred: false, kind: 'quickfix' }] : [],
      });
    });
    return out;
  },
};
