// Metalink (RFC 5854, version 4, and the older metalinker.org version 3): the file's name, size,
// SHA-256 and URLs, best first. A Metalink comes from anyone (a mirror, a link), so it is read by a
// small hand-written XML tokenizer for this subset rather than a general XML parser: there is no DTD
// support to turn off (a DOCTYPE is refused outright, so no entity can expand: the "billion laughs"
// cannot start), only the five predefined entities and numeric references are known, and every scan
// moves forward (work linear in the input), with bounds on size, depth, elements and URLs.
import { CodedError } from '../jobs/errors.ts';

export interface ParsedMetalink {
  readonly name: string;
  readonly sizeBytes: number | null;
  /** Lower-case hex, when the Metalink gives a SHA-256. */
  readonly sha256: string | null;
  /** Best first: RFC 5854 4.2.16.1 `priority` (1 is the best, none is the worst), or version 3's `preference` (100 is the best). */
  readonly urls: string[];
}

/** A Metalink describes one file in a few KiB; a larger one is not read. Text decoded from this many bytes has at most as many characters (UTF-16 units), the parser's bound. */
export const maxMetalinkBytes = 1024 * 1024;
const maxDepth = 16;
const maxElements = 10_000;
const maxUrls = 1000;
const maxTextChars = 8192;

const predefinedEntities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

interface RankedUrl {
  readonly url: string;
  /** Lower is better. */
  readonly rank: number;
  readonly order: number;
}

/** What the tokenizer gathers from the first <file> element. */
class FileCollector {
  fileCount = 0;
  name: string | null = null;
  sizeBytes: number | null = null;
  sha256: string | null = null;
  readonly urls: RankedUrl[] = [];
  #text = '';
  #textAttributes: Readonly<Record<string, string>> = {};

  /** True while inside the first <file>: only then does text matter. */
  get isCollecting(): boolean {
    return this.fileCount === 1;
  }

  start(name: string, attributes: Readonly<Record<string, string>>): void {
    if (name === 'file') {
      this.fileCount += 1;
      if (this.fileCount === 1) this.name = attributes.name ?? null;
    }
    this.#text = '';
    this.#textAttributes = attributes;
  }

  text(text: string, offset: number): void {
    if (!this.isCollecting) return;
    this.#text += text;
    if (this.#text.length > maxTextChars) throw badMetalink(`an element's text is longer than ${maxTextChars} characters`, offset);
  }

  end(name: string, offset: number): void {
    if (!this.isCollecting) return;
    const text = this.#text.trim();
    if (name === 'size') {
      if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)))
        throw badMetalink(`size ${JSON.stringify(text.slice(0, 40))} is not a byte count`, offset);
      this.sizeBytes = Number(text);
    } else if (name === 'hash' && /^sha-?256$/i.test(this.#textAttributes.type ?? '')) {
      if (!/^[0-9a-fA-F]{64}$/.test(text)) throw badMetalink(`its SHA-256 ${JSON.stringify(text.slice(0, 80))} is not 64 hex digits`, offset);
      this.sha256 = text.toLowerCase();
    } else if (name === 'url' && text !== '') {
      if (this.urls.length >= maxUrls) throw badMetalink(`more than ${maxUrls} URLs`, offset);
      this.urls.push({ url: text, rank: rankOf(this.#textAttributes), order: this.urls.length });
    }
    this.#text = '';
  }
}

/** RFC 5854 4.2.16.1: priority 1..999999, lower first, absent last; version 3: preference 0..100, higher first. */
function rankOf(attributes: Readonly<Record<string, string>>): number {
  const priority = attributes.priority === undefined ? Number.NaN : Number(attributes.priority);
  if (Number.isInteger(priority) && priority >= 1 && priority <= 999_999) return priority;
  const preference = attributes.preference === undefined ? Number.NaN : Number(attributes.preference);
  if (Number.isInteger(preference) && preference >= 0 && preference <= 100) return 1_000_000 - preference;
  return 2_000_000;
}

/** RFC 5854: the first file of a Metalink; `bad-metalink` (naming the character offset) for anything not well-formed or hostile. */
export function parseMetalink(xml: string): ParsedMetalink {
  if (xml.length > maxMetalinkBytes) throw new CodedError('too-large', `a Metalink of ${xml.length} characters is over the ${maxMetalinkBytes} read`);
  const collector = new FileCollector();
  const rootName = tokenize(xml, collector);
  if (rootName !== 'metalink') throw badMetalink(`its root element is <${rootName}>, not <metalink>`, 0);
  if (collector.fileCount === 0) throw badMetalink('it describes no <file>', 0);
  if (collector.name === null || collector.name.trim() === '') throw badMetalink('its <file> has no name', 0);
  const urls = [...collector.urls].sort((a, b) => a.rank - b.rank || a.order - b.order).map((ranked) => ranked.url);
  return { name: collector.name, sizeBytes: collector.sizeBytes, sha256: collector.sha256, urls };
}

/** Walks the XML once, handing elements and text to the collector; returns the root element's local name. */
function tokenize(xml: string, collector: FileCollector): string {
  const stack: string[] = [];
  let rootName: string | null = null;
  let elementCount = 0;
  let offset = xml.startsWith('\uFEFF') ? 1 : 0;
  while (offset < xml.length) {
    const open = xml.indexOf('<', offset);
    const textEnd = open === -1 ? xml.length : open;
    if (textEnd > offset) {
      const text = xml.slice(offset, textEnd);
      if (stack.length === 0 && text.trim() !== '') throw badMetalink('text outside the root element', offset);
      if (stack.length > 0) collector.text(decodeEntities(text, offset), offset);
    }
    if (open === -1) break;
    offset = open;
    if (xml.startsWith('<?', offset)) offset = skipPast(xml, '?>', offset);
    else if (xml.startsWith('<!--', offset)) offset = skipPast(xml, '-->', offset);
    else if (xml.startsWith('<![CDATA[', offset)) {
      const end = skipPast(xml, ']]>', offset);
      if (stack.length === 0) throw badMetalink('CDATA outside the root element', offset);
      collector.text(xml.slice(offset + 9, end - 3), offset);
      offset = end;
    } else if (xml.startsWith('<!', offset)) {
      throw badMetalink('a DOCTYPE or other declaration is refused (no entity is ever expanded)', offset);
    } else if (xml.startsWith('</', offset)) {
      const end = skipPast(xml, '>', offset);
      const name = localName(xml.slice(offset + 2, end - 1).trim());
      if (stack.pop() !== name) throw badMetalink(`</${name}> closes no open <${name}>`, offset);
      collector.end(name, offset);
      offset = end;
    } else {
      const tag = readStartTag(xml, offset);
      elementCount += 1;
      if (elementCount > maxElements) throw badMetalink(`more than ${maxElements} elements`, offset);
      if (stack.length === 0 && rootName !== null) throw badMetalink('a second root element', offset);
      rootName ??= tag.name;
      if (stack.length >= maxDepth) throw badMetalink(`elements nested deeper than ${maxDepth}`, offset);
      collector.start(tag.name, tag.attributes);
      if (tag.selfClosing) collector.end(tag.name, offset);
      else stack.push(tag.name);
      offset = tag.end;
    }
  }
  if (stack.length > 0) throw badMetalink(`<${stack.at(-1)}> is never closed`, xml.length);
  if (rootName === null) throw badMetalink('no element at all', 0);
  return rootName;
}

interface StartTag {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly selfClosing: boolean;
  readonly end: number;
}

const nameChars = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const attributePattern = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const tagEnd = /\s*(\/?)>/y;

function readStartTag(xml: string, start: number): StartTag {
  nameChars.lastIndex = start + 1;
  const nameMatch = nameChars.exec(xml);
  if (nameMatch === null) throw badMetalink('a "<" that starts no element', start);
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  let offset = nameChars.lastIndex;
  for (;;) {
    tagEnd.lastIndex = offset;
    const close = tagEnd.exec(xml);
    if (close !== null) return { name: localName(nameMatch[0]), attributes, selfClosing: close[1] === '/', end: tagEnd.lastIndex };
    attributePattern.lastIndex = offset;
    const attribute = attributePattern.exec(xml);
    if (attribute === null) throw badMetalink(`<${nameMatch[0]}> is not a well-formed start tag`, start);
    if (Object.keys(attributes).length >= 32) throw badMetalink(`<${nameMatch[0]}> has more than 32 attributes`, start);
    const attributeName = attribute[1] ?? ''; // unprefixed in both versions: a prefixed one is another attribute
    if (attributeName in attributes) throw badMetalink(`<${nameMatch[0]}> repeats the attribute ${attributeName}`, offset);
    attributes[attributeName] = decodeEntities(attribute[2] ?? attribute[3] ?? '', offset);
    offset = attributePattern.lastIndex;
  }
}

/** The name without its namespace prefix (`ml:url` is `url`): both versions' elements are read by local name. */
function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

function skipPast(xml: string, terminator: string, offset: number): number {
  const at = xml.indexOf(terminator, offset);
  if (at === -1) throw badMetalink(`no closing ${terminator}`, offset);
  return at + terminator.length;
}

/** XML 1.0 4.6 and 4.1: the predefined entities and character references; any other entity needs a DTD, which is refused. */
function decodeEntities(text: string, offset: number): string {
  return text.replace(/&([^;&\s]{0,12});?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw badMetalink(`a bare "&" (${JSON.stringify(whole)})`, offset);
    const predefined = predefinedEntities[name];
    if (predefined !== undefined && Object.hasOwn(predefinedEntities, name)) return predefined;
    const reference = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    const codePoint = reference === null ? Number.NaN : reference[1] !== undefined ? Number.parseInt(reference[1], 16) : Number(reference[2]);
    if (!(codePoint > 0 && codePoint <= 0x10ffff) || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      throw badMetalink(`the entity ${JSON.stringify(whole)} is not a predefined one or a character`, offset);
    }
    return String.fromCodePoint(codePoint);
  });
}

function badMetalink(why: string, offset: number): CodedError {
  return new CodedError('bad-metalink', `not a usable Metalink: ${why} (at character ${offset})`);
}
