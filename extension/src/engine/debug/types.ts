// The shape of a debug check, and what a proxy back end's node checks are given: neutral types that
// the debug commands and the back ends (proxy/*/debug.ts) share.
import type { ClusterModel, PortEntry } from '../model/cluster';
import type { Messages } from '../i18n';

export interface DebugCommand {
  readonly title: string;
  /** One shell command line (POSIX sh quoting). */
  readonly command: string;
  /** What the output should show if NAT Lens's prediction holds. */
  readonly lookFor: string;
  /** Where to run it: the workstation (kubectl), a node (a root shell there), or outside the cluster. */
  readonly where: 'workstation' | 'node' | 'outside';
  /** The same in words, with why when it matters: "node node-a (the client's node: ...)". */
  readonly runOn: string;
  /** Output lines NAT Lens predicts (its generated rules), when it has them. */
  readonly expected?: readonly string[] | undefined;
}

/** A Service on one node, as a back end's checks address it. */
export interface ServiceOnNode {
  readonly model: ClusterModel;
  readonly namespace: string;
  readonly name: string;
  /** The node whose rules the checks read, and where its commands run. */
  readonly nodeName: string;
  readonly onNode: Pick<DebugCommand, 'where' | 'runOn'>;
  readonly v6: boolean;
  /** The language of titles and look-fors. */
  readonly m: Messages;
  add(c: DebugCommand): void;
}

/** The same, for one port that kube-proxy programs. */
export interface PortOnNode extends ServiceOnNode {
  readonly port: PortEntry;
  /** The node's address of the profile's family, for node-port checks. */
  readonly nodeIP: string | null;
  /** A command line some earlier check already runs. */
  has(command: string): boolean;
}

/** The checks of one proxy back end: its rules on the node, read with its own tools. */
export interface DebugChecks {
  /** The node's rules for the port: chains, sets or virtual servers, with the lines NAT Lens generated. */
  portRules(at: PortOnNode): void;
  /** A Service kube-proxy skips (ExternalName, headless): the node's rules hold nothing of it. */
  nothingProgrammed(at: ServiceOnNode, why: string): void;
}
