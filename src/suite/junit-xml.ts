/**
 * Reading JUnit XML written by other tools (pytest --junitxml, jest-junit, go-junit-report, Surefire…):
 * a small, tolerant XML reader — elements, attributes, text, CDATA, comments, entities — and the
 * test cases found anywhere in it. No DTDs, no namespaces: JUnit reports use neither.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity === 'amp') return '&';
    if (entity === 'lt') return '<';
    if (entity === 'gt') return '>';
    if (entity === 'quot') return '"';
    if (entity === 'apos') return "'";
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    try {
      return String.fromCodePoint(code);
    } catch {
      return '';
    }
  });
}

export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let i = 0;
  const current = (): XmlElement => stack[stack.length - 1] as XmlElement;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      current().text += decodeEntities(xml.slice(i));
      break;
    }
    if (lt > i) current().text += decodeEntities(xml.slice(i, lt));
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('unclosed comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw new XmlError('unclosed CDATA section');
      current().text += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) throw new XmlError('unclosed processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) throw new XmlError('unclosed declaration');
      i = end + 1;
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) throw new XmlError('unclosed end tag');
      const name = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) throw new XmlError(`unexpected </${name}>`);
      i = end + 1;
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt));
      if (!tag) throw new XmlError(`malformed tag at offset ${lt}`);
      const element: XmlElement = { name: tag[1] as string, attributes: {}, children: [], text: '' };
      const attrRe = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
      let attr: RegExpExecArray | null;
      while ((attr = attrRe.exec(tag[2] ?? '')) !== null) element.attributes[attr[1] as string] = decodeEntities(attr[2] ?? attr[3] ?? '');
      current().children.push(element);
      if (tag[3] !== '/') stack.push(element);
      i = lt + tag[0].length;
    }
  }
  if (stack.length !== 1) throw new XmlError(`unclosed <${current().name}>`);
  return root;
}

export interface JunitCase {
  name: string;
  classname?: string;
  /** Seconds as written, converted to ms. */
  durationMs: number;
  status: 'passed' | 'failed' | 'skipped';
  /** failure/error message (+ first line of its text), or the skip reason. */
  message?: string;
}

function walk(element: XmlElement, visit: (e: XmlElement) => void): void {
  visit(element);
  for (const child of element.children) walk(child, visit);
}

export function parseJunit(xml: string): JunitCase[] {
  const root = parseXml(xml);
  const cases: JunitCase[] = [];
  walk(root, (element) => {
    if (element.name !== 'testcase') return;
    const seconds = Number(element.attributes.time ?? '0');
    const item: JunitCase = {
      name: element.attributes.name ?? '(unnamed)',
      durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
      status: 'passed',
    };
    if (element.attributes.classname) item.classname = element.attributes.classname;
    const failure = element.children.find((c) => c.name === 'failure' || c.name === 'error');
    const skipped = element.children.find((c) => c.name === 'skipped');
    if (failure) {
      item.status = 'failed';
      const firstLine = failure.text.trim().split('\n')[0] ?? '';
      item.message = [failure.attributes.message, firstLine].filter((x) => x && x.length > 0).join(' — ') || `${failure.name}`;
    } else if (skipped) {
      item.status = 'skipped';
      item.message = skipped.attributes.message ?? (skipped.text.trim() || 'skipped');
    }
    cases.push(item);
  });
  return cases;
}
