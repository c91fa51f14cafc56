// The shape of a diagnostic rule module (one file per rule, as ESLint's rules are): its id, the
// metadata the catalog, the settings schema and the docs are generated from, and its check.
import type { ManifestFile, ManifestObject } from '../../manifest/manifest';
import type { SourceRange } from '../../manifest/source';
import type { ClusterModel, ServiceEntry } from '../../model/cluster';
import type { DefaultedService } from '../../model/service';
import type { CniConfig } from '../../egress/types';
import type { Walker } from '../../walk/walk';
import type { ServiceFacts } from '../../facts/service';
import type { TextEdit } from '../edits';
import type { Messages } from '../../i18n';

export type FindingSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface RuleMeta {
  readonly title: string;
  /** The default; the natlens.severity setting overrides it. */
  readonly severity: FindingSeverity;
  /** api: the API server would reject the object; nat: what kube-proxy's NAT does to it. */
  readonly category: 'api' | 'nat';
  /** The rule's section of docs/diagnostics.md (markdown, after the generated "**API, error.**"). */
  readonly docs: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  readonly preferred: boolean;
  readonly kind: 'quickfix' | 'refactor';
}

/** What a check reports; the runner adds the rule id, the severity and the subject. */
export interface Report {
  readonly message: string;
  readonly range: SourceRange;
  readonly fixes: readonly Fix[];
  /** Lower than the rule's default where the files do not prove the problem (the setting still overrides it). */
  readonly severity?: FindingSeverity;
}

/** A Service as its manifest says it, with the helpers every Service rule locates and fixes with. */
export interface ServiceContext {
  readonly obj: ManifestObject<'Service'>;
  readonly file: ManifestFile;
  readonly model: ClusterModel;
  /** The workspace's manifest files: evidence beyond the model (custom resources an operator turns into pods). */
  readonly workspace: readonly ManifestFile[];
  /** The language the messages are written in. */
  readonly m: Messages;
  readonly spec: NonNullable<ManifestObject<'Service'>['object']['spec']>;
  readonly defaulted: DefaultedService;
  /** The range of a field, falling back to `spec:` and then to the object. */
  at(path: readonly (string | number)[], part?: 'key' | 'value'): SourceRange;
  /** A quick fix that removes a field, or none when it cannot be removed. */
  remove(title: string, path: readonly (string | number)[], preferred?: boolean): Fix[];
  /** A (not preferred) quick fix that sets spec.type. */
  setType(type: string): Fix[];
  /** The range of ports[i]'s `port:` key, else of the port. */
  portRange(i: number): SourceRange;
}

/** A Service that has rules: its model entry, a walker over them and its facts. */
export interface ServiceNatContext extends ServiceContext {
  readonly entry: ServiceEntry;
  readonly walker: Walker;
  /** The Service's facts (cached with the model): what a message says traffic does comes from them. */
  facts(): ServiceFacts;
  /** A quick fix that sets externalTrafficPolicy. */
  setPolicy(value: 'Local' | 'Cluster', title: string, preferred: boolean): Fix[];
}

export interface NetworkPolicyContext {
  readonly obj: ManifestObject<'NetworkPolicy'>;
  readonly model: ClusterModel;
  /** The workspace's manifest files, whose CNI objects decide egress SNAT. */
  readonly workspace: readonly ManifestFile[];
  /** The CNI configuration of the profile and the workspace (resolved once per file, on first use). */
  cni(): CniConfig;
  /** The language the messages are written in. */
  readonly m: Messages;
}

interface RuleBase<Id extends string> {
  readonly id: Id;
  readonly meta: RuleMeta;
}

export interface ServiceApiRule<Id extends string = string> extends RuleBase<Id> {
  readonly subject: 'Service';
  readonly needsRules: false;
  check(ctx: ServiceContext): Report[];
}

export interface ServiceNatRule<Id extends string = string> extends RuleBase<Id> {
  readonly subject: 'Service';
  readonly needsRules: true;
  check(ctx: ServiceNatContext): Report[];
}

export interface NetworkPolicyRule<Id extends string = string> extends RuleBase<Id> {
  readonly subject: 'NetworkPolicy';
  check(ctx: NetworkPolicyContext): Report[];
}

/** A file as part of the model: what the model did with its objects (kept, set aside as duplicates). */
export interface FileContext {
  readonly file: ManifestFile;
  readonly model: ClusterModel;
  /** The language the messages are written in. */
  readonly m: Messages;
}

export interface FileRule<Id extends string = string> extends RuleBase<Id> {
  readonly subject: 'File';
  check(ctx: FileContext): (Report & { readonly subject: string })[];
}

export type RuleModule<Id extends string = string> = ServiceApiRule<Id> | ServiceNatRule<Id> | NetworkPolicyRule<Id> | FileRule<Id>;
