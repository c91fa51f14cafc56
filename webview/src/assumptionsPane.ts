// The assumptions pane: the cluster profile the rules were generated for, editable in place (each
// edit is sent as a ProfilePatch; the host answers with a new state), the model's assumptions and
// the problems found.
import { h, icon, fill, setOptions } from './dom';
import type { NodeView, PreviewState, ProfilePatch, WebviewMessage } from '../../protocol/preview';
import { label, labelAttrs, labels } from './labels';

export interface AssumptionsPaneOptions {
  post(m: WebviewMessage): void;
}

function splitList(v: string): string[] {
  return v.split(/[\s,]+/).map(x => x.trim()).filter(Boolean);
}

export class AssumptionsPane {
  readonly element: HTMLElement;
  private readonly source = h('code', { id: 'profile-source' });
  private readonly nodeName = labelAttrs(h('select', { id: 'profile-node-name' }), { 'aria-label': 'nodeNameAria' });
  private readonly clusterCIDR = labelAttrs(h('input', { id: 'profile-cluster-cidr', type: 'text', spellcheck: 'false' }), { placeholder: 'clusterCidrPlaceholder' });
  private readonly masqueradeAll = h('input', { id: 'profile-masquerade-all', type: 'checkbox' });
  private readonly localhostNodePorts = h('input', { id: 'profile-localhost-nodeports', type: 'checkbox' });
  private readonly randomFully = h('input', { id: 'profile-random-fully', type: 'checkbox' });
  private readonly nodesBody = h('tbody', {});
  private readonly assumptions = h('ul', { class: 'list', id: 'assumptions-list' });
  private readonly problems = h('ul', { class: 'list problems', id: 'problems-list' });
  private readonly problemsSection: HTMLElement;

  constructor(private readonly options: AssumptionsPaneOptions) {
    const edit = (patch: ProfilePatch) => options.post({ type: 'editProfile', patch });
    this.nodeName.addEventListener('change', () => edit({ nodeName: this.nodeName.value }));
    this.clusterCIDR.addEventListener('change', () => edit({ clusterCIDR: this.clusterCIDR.value.trim() || null }));
    this.masqueradeAll.addEventListener('change', () => edit({ masqueradeAll: this.masqueradeAll.checked }));
    this.localhostNodePorts.addEventListener('change', () => edit({ localhostNodePorts: this.localhostNodePorts.checked }));
    this.randomFully.addEventListener('change', () => edit({ iptablesRandomFully: this.randomFully.checked }));
    const save = h('button', { type: 'button', class: 'button', id: 'save-profile' }, icon('save'), ' ', label('saveProfile'));
    save.addEventListener('click', () => options.post({ type: 'saveProfile' }));

    const check = (input: HTMLInputElement, text: string, hint: 'masqueradeAllHint' | 'localhostNodePortsHint' | 'randomFullyHint') =>
      labelAttrs(h('label', { class: 'check' }, input, h('span', {}, text)), { title: hint });
    this.problemsSection = h('div', { class: 'problems-section' }, h('h3', { class: 'sub-title' }, icon('warning'), ' ', label('problems')), this.problems);
    this.element = h('section', { class: 'pane assumptions-pane', id: 'assumptions-pane', 'aria-labelledby': 'assumptions-title' },
      h('h2', { class: 'pane-title', id: 'assumptions-title' }, icon('settings'), ' ', label('assumptions')),
      h('p', { class: 'source' }, label('profile'), this.source),
      h('div', { class: 'form' },
        h('label', { class: 'field' }, h('span', { class: 'label' }, label('thisNode')), this.nodeName),
        h('label', { class: 'field' }, h('span', { class: 'label' }, 'clusterCIDR'), this.clusterCIDR),
        check(this.masqueradeAll, 'masqueradeAll', 'masqueradeAllHint'),
        check(this.localhostNodePorts, 'localhostNodePorts', 'localhostNodePortsHint'),
        check(this.randomFully, 'random-fully', 'randomFullyHint')),
      h('table', { class: 'nodes', id: 'profile-nodes' },
        h('caption', {}, label('nodes')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, label('node')), h('th', { scope: 'col' }, label('ips')), h('th', { scope: 'col' }, label('podCidr')), h('th', { scope: 'col' }, label('podGateway')))),
        this.nodesBody),
      h('div', { class: 'actions' }, save),
      h('h3', { class: 'sub-title' }, label('modelAssumed')),
      this.assumptions,
      this.problemsSection);
  }

  /** Sets an input's value unless the user is typing in it. */
  private static setValue(input: HTMLInputElement, value: string): void {
    if (document.activeElement !== input) input.value = value;
  }

  private nodeRow(n: NodeView, existing: HTMLTableRowElement | null): HTMLTableRowElement {
    const row = existing ?? (() => {
      const input = (field: string, name: string) => {
        const el = h('input', { type: 'text', spellcheck: 'false', 'data-field': field, 'aria-label': labels().fieldOfNode({ field: name, node: n.name }) });
        el.addEventListener('change', () => {
          const v = el.value.trim();
          const node: NonNullable<ProfilePatch['node']> = { name: n.name };
          if (field === 'ips') node.ips = splitList(v);
          else if (field === 'podCIDR') node.podCIDR = v || null;
          else node.podGateway = v || null;
          this.options.post({ type: 'editProfile', patch: { node } });
        });
        return el;
      };
      return h('tr', { 'data-node': n.name },
        h('th', { scope: 'row' }, n.name),
        h('td', {}, input('ips', labels().ipAddresses())),
        h('td', {}, input('podCIDR', labels().podCidr())),
        h('td', {}, input('podGateway', labels().podGateway())));
    })();
    const get = (f: string) => row.querySelector(`input[data-field="${f}"]`) as HTMLInputElement;
    AssumptionsPane.setValue(get('ips'), n.ips.join(', '));
    AssumptionsPane.setValue(get('podCIDR'), n.podCIDR ?? '');
    AssumptionsPane.setValue(get('podGateway'), n.podGateway ?? '');
    return row;
  }

  update(state: PreviewState): void {
    const p = state.profile;
    this.source.textContent = p.source || labels().profileDefaults();
    setOptions(this.nodeName, p.nodes.map(n => ({ value: n.name, label: n.name })), p.nodeName);
    AssumptionsPane.setValue(this.clusterCIDR, p.clusterCIDR ?? '');
    this.masqueradeAll.checked = p.masqueradeAll;
    this.localhostNodePorts.checked = p.localhostNodePorts;
    this.randomFully.checked = p.iptablesRandomFully;
    const rows = new Map(Array.from(this.nodesBody.rows).map(r => [r.getAttribute('data-node') ?? '', r]));
    const wanted = p.nodes.map(n => this.nodeRow(n, rows.get(n.name) ?? null));
    if (wanted.length !== this.nodesBody.rows.length || wanted.some((r, i) => this.nodesBody.rows[i] !== r)) this.nodesBody.replaceChildren(...wanted);
    fill(this.assumptions, ...(state.assumptions.length ? state.assumptions.map(a =>
      h('li', {}, h('span', { class: 'subject' }, a.subject), ' ', h('code', {}, a.field), ' = ', h('code', {}, a.value), h('div', { class: 'reason' }, a.reason)))
      : [h('li', { class: 'muted' }, labels().nothingAssumed())]));
    this.problemsSection.hidden = state.problems.length === 0;
    fill(this.problems, ...state.problems.map(m => h('li', {}, m)));
  }
}
