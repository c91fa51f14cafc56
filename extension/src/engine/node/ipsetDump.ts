// `ipset save` and `ipset list` as pasted from a node: each set's type, family and members.

export interface ImportedIpset {
  readonly name: string;
  /** hash:ip, hash:ip,port, hash:net, bitmap:port, list:set, ... */
  readonly type: string;
  readonly family: 'inet' | 'inet6' | null;
  /** Members as ipset prints them, without per-member options (`timeout 0`, `nomatch`). */
  readonly members: { readonly entry: string; readonly nomatch: boolean; readonly line: number }[];
  readonly line: number;
}

export function isIpsetLine(text: string): boolean {
  return /^(create|add)\s+\S+\s+\S/.test(text) || /^Name:\s+\S/.test(text);
}

/** A member is one word (address, net, proto:port, set name), then options such as "timeout 0". */
const MEMBER = /^[\w.:,/[\]-]+(\s|$)/;
const LIST_FIELDS = /^(Type|Revision|Header|Size in memory|References|Number of entries|Members):/;

export class IpsetDumpReader {
  readonly sets = new Map<string, ImportedIpset>();
  /** Inside `ipset list`'s "Members:" block of this set. */
  private listing: ImportedIpset | null = null;
  private members = false;

  /** A blank line, a prompt or another tool's output ends `ipset list`'s member block. */
  end(): void {
    this.listing = null;
    this.members = false;
  }

  /** Inside `ipset list`, a line that belongs to the set being listed. */
  accepts(text: string): boolean {
    return this.listing !== null && ((!this.members && LIST_FIELDS.test(text)) || (this.members && MEMBER.test(text)));
  }

  accept(text: string, line: number): boolean {
    const words = text.split(/\s+/);
    if (words[0] === 'create' && words.length >= 3) {
      this.end();
      this.sets.set(words[1]!, { name: words[1]!, type: words[2]!, family: familyOf(words), members: [], line });
      return true;
    }
    if (words[0] === 'add' && words.length >= 3 && !this.members) {
      const set = this.sets.get(words[1]!) ?? this.implicit(words[1]!, line);
      set.members.push({ entry: words[2]!, nomatch: words.includes('nomatch'), line });
      return true;
    }
    const name = /^Name:\s+(\S+)/.exec(text);
    if (name) {
      this.end();
      this.listing = { name: name[1]!, type: '', family: null, members: [], line };
      this.sets.set(name[1]!, this.listing);
      return true;
    }
    if (!this.listing) return false;
    const field = LIST_FIELDS.exec(text);
    if (field && !this.members) {
      const value = text.slice(field[0].length).trim();
      if (field[1] === 'Type') this.listing = this.replace({ ...this.listing, type: value });
      if (field[1] === 'Header') this.listing = this.replace({ ...this.listing, family: familyOf(value.split(/\s+/)) });
      if (field[1] === 'Members') this.members = true;
      return true;
    }
    if (this.members && MEMBER.test(text)) {
      this.listing.members.push({ entry: text.split(/\s+/)[0]!, nomatch: /\bnomatch\b/.test(text), line });
      return true;
    }
    return false;
  }

  private replace(set: ImportedIpset): ImportedIpset {
    this.sets.set(set.name, set);
    return set;
  }

  /** `add` lines whose `create` was cut off: the type is unknown. */
  private implicit(name: string, line: number): ImportedIpset {
    const set: ImportedIpset = { name, type: '', family: null, members: [], line };
    this.sets.set(name, set);
    return set;
  }
}

function familyOf(words: readonly string[]): 'inet' | 'inet6' | null {
  const k = words.indexOf('family');
  const f = k >= 0 ? words[k + 1] : undefined;
  return f === 'inet' || f === 'inet6' ? f : null;
}
