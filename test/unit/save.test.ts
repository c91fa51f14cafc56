import { test } from 'node:test';
import assert from 'node:assert/strict';
import { savedProbability, formatRule } from '../../extension/src/engine/proxy/iptables/save';
import { parseRule } from '../../extension/src/engine/proxy/iptables/ruleParser';
import { probability, serviceChains, endpointChain } from '../../extension/src/engine/proxy/iptables/names';
import { formatMark } from '../../extension/src/engine/proxy/iptables/generator';
import type { ServicePortInfo } from '../../extension/src/engine/model/service';

test('probabilities print like Go %0.10f, including the n=2048 tie', () => {
  assert.deepEqual([2, 3, 4, 6, 7].map(probability), ['0.5000000000', '0.3333333333', '0.2500000000', '0.1666666667', '0.1428571429']);
  assert.equal(probability(2048), '0.0004882812');
});

test('iptables-save prints the probability the kernel stored', () => {
  assert.deepEqual(['0.5000000000', '0.3333333333', '0.2000000000', '0.1666666667', '0.1428571429', '0.0010000000'].map(savedProbability),
    ['0.50000000000', '0.33333333349', '0.20000000019', '0.16666666651', '0.14285714272', '0.00100000016']);
});

test('the mark is formatted like Go %#08x', () => {
  assert.equal(formatMark(14), '0x00004000');
  assert.equal(formatMark(0), '0x00000001');
});

test('chain names hash like kube-proxy', () => {
  const sp = { nameString: 'ns1/svc1:p80', protocol: 'TCP' } as ServicePortInfo;
  assert.equal(serviceChains(sp).svc, 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(serviceChains({ nameString: 'ns1/svc1', protocol: 'TCP' } as ServicePortInfo).svc, 'KUBE-SVC-AQI2S6QIMU7PVVRP');
  assert.equal(endpointChain(sp, '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
});

test('rules are reordered the way iptables-save prints them', () => {
  const cases: [string, string][] = [
    ['-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-X',
      '-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-X'],
    ['-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000', '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000'],
    ['-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000', '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0'],
    ['-A KUBE-SVC-X -m comment --comment "a -> 1.2.3.4:80" -m recent --name KUBE-SEP-Y --rcheck --seconds 10800 --reap -j KUBE-SEP-Y',
      '-A KUBE-SVC-X -m comment --comment "a -> 1.2.3.4:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-Y --mask 255.255.255.255 --rsource -j KUBE-SEP-Y'],
    ['-A KUBE-SERVICES -m comment --comment "a has no endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j REJECT',
      '-A KUBE-SERVICES -d 1.2.3.4/32 -p tcp -m comment --comment "a has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable'],
    ['-A X -m comment --comment plain_word-1 -s 10.0.1.5/16 -j RETURN', '-A X -s 10.0.0.0/16 -m comment --comment plain_word-1 -j RETURN'],
  ];
  for (const [restore, saved] of cases) assert.equal(formatRule(parseRule('nat', restore, 0), 'IPv4'), saved);
});
