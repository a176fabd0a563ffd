// The Metalink reader (RFC 5854 and version 3) on the RFC's own example, a version 3 file, and
// hostile input: entity bombs and external entities (refused with their DOCTYPE), huge and deeply
// nested files, and a seeded mutation sweep, each answered quickly with a clear error. Python's
// ElementTree (a real XML parser) cross-checks the URLs and order of well-formed files.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseMetalink } from '../../src-main/net/metalink.ts';
import { CodedError } from '../../src-main/jobs/errors.ts';
import { createSeededRandom } from '../helpers/seeded-random.ts';

const sha256 = 'f0ad929cd259957e160ea442eb80986b5f01a7b1e8ab4c8e3e8e8bd2c0d0e5a1';

// RFC 5854 1.1, with a SHA-256 of 64 digits, a third URL without priority and a CDATA URL.
const rfcExample = `<?xml version="1.0" encoding="UTF-8"?>
<metalink xmlns="urn:ietf:params:xml:ns:metalink">
  <published>2009-05-15T12:23:23Z</published>
  <!-- a comment -->
  <file name="example.ext">
    <size>14471447</size>
    <identity>Example</identity>
    <version>1.0</version>
    <description>A description of the example file &amp; its &lt;purpose&gt;.</description>
    <hash type="sha-1">a97fcf6ba9358f8a6f62beee4421863d3e52b080</hash>
    <hash type="sha-256">${sha256.toUpperCase()}</hash>
    <url>https://last.example.com/example.ext</url>
    <url location="de" priority="2">ftp://ftp.example.com/example.ext</url>
    <url location="fr" priority="1">http://example.com/example.ext?a=1&amp;b=2</url>
    <url priority="2"><![CDATA[https://cdata.example.com/example.ext]]></url>
    <metaurl mediatype="torrent" priority="2">http://example.com/example.ext.torrent</metaurl>
  </file>
  <file name="second.ext"><url>https://example.com/second.ext</url></file>
</metalink>`;

// Version 3 (metalinker.org): files/file, verification/hash, resources/url with preference (100 best).
const version3 = `<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/">
  <files>
    <file name="openSUSE-Leap.iso">
      <size>4000000000</size>
      <verification><hash type="md5">d41d8cd98f00b204e9800998ecf8427e</hash><hash type="sha256">${sha256}</hash></verification>
      <resources>
        <url type="http" location="us" preference="50">http://us.example.org/openSUSE-Leap.iso</url>
        <url type="https" location="de" preference="100">https://de.example.org/openSUSE-Leap.iso</url>
      </resources>
    </file>
  </files>
</metalink>`;

/** The code and message of the CodedError `xml` is refused with. */
function refusal(xml: string): { code: string; message: string } {
  try {
    parseMetalink(xml);
  } catch (error) {
    if (error instanceof CodedError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal, the Metalink was accepted');
}

/** Python's ElementTree: the first file's URLs in document order (a second, independent reading). */
function urlsByElementTree(xml: string): string[] {
  const script = `
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
local = lambda tag: tag.split('}')[-1]
first = next(e for e in root.iter() if local(e.tag) == 'file')
print('\\n'.join((e.text or '').strip() for e in first.iter() if local(e.tag) == 'url'))`;
  return execFileSync('/usr/bin/python3', ['-c', script], { input: xml, encoding: 'utf8' }).trim().split('\n');
}

describe('parseMetalink', () => {
  it('reads the RFC 5854 example: name, size, SHA-256 (lower-cased), URLs by priority with the unranked last', () => {
    expect(parseMetalink(rfcExample)).toEqual({
      name: 'example.ext',
      sizeBytes: 14471447,
      sha256,
      urls: [
        'http://example.com/example.ext?a=1&b=2',
        'ftp://ftp.example.com/example.ext',
        'https://cdata.example.com/example.ext',
        'https://last.example.com/example.ext',
      ],
    });
    expect([...urlsByElementTree(rfcExample)].sort()).toEqual([...parseMetalink(rfcExample).urls].sort());
  });

  it('reads a version 3 Metalink, best preference first, its sha256 hash beside an md5', () => {
    expect(parseMetalink(version3)).toEqual({
      name: 'openSUSE-Leap.iso',
      sizeBytes: 4_000_000_000,
      sha256,
      urls: ['https://de.example.org/openSUSE-Leap.iso', 'http://us.example.org/openSUSE-Leap.iso'],
    });
    expect(urlsByElementTree(version3)).toEqual([...parseMetalink(version3).urls].reverse());
  });

  it('refuses a DOCTYPE before any entity can expand (billion laughs, external entity)', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level || ''};`.repeat(10)}">`).join('')}]><metalink><file name="&lol9;"/></metalink>`;
    const startedMs = performance.now();
    expect(refusal(laughs)).toMatchObject({ code: 'bad-metalink', message: expect.stringContaining('DOCTYPE') });
    expect(performance.now() - startedMs).toBeLessThan(50);
    const external = `<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><metalink><file name="&xxe;"/></metalink>`;
    expect(refusal(external).message).toContain('(at character 0)');
  });

  it('refuses an entity no DTD could declare, and a bare ampersand, naming them', () => {
    expect(refusal('<metalink><file name="&xxe;"/></metalink>').message).toContain('"&xxe;"');
    expect(refusal('<metalink><file name="a"><url>http://x/?a=1&b=2</url></file></metalink>').message).toContain('bare "&"');
    expect(refusal('<metalink><file name="&#xD800;"/></metalink>').code).toBe('bad-metalink');
  });

  it('refuses more than 1 MiB of text with too-large, and huge, deep or crowded trees with bad-metalink, each fast', () => {
    const cases: [string, string, string][] = [
      [`<metalink>${' '.repeat(1024 * 1024)}</metalink>`, 'too-large', 'over the 1048576'],
      [`<metalink>${'<a>'.repeat(300_000)}`, 'bad-metalink', 'nested deeper than 16'],
      [`<metalink>${'<a/>'.repeat(200_000)}</metalink>`, 'bad-metalink', 'more than 10000 elements'],
      [`<metalink><file name="a">${'<url>http://x/</url>'.repeat(2000)}</file></metalink>`, 'bad-metalink', 'more than 1000 URLs'],
      [`<metalink><file name="a"><url>${'x'.repeat(9000)}</url></file></metalink>`, 'bad-metalink', 'longer than 8192'],
      [`<metalink><!--${'-'.repeat(900_000)}`, 'bad-metalink', 'no closing -->'],
    ];
    for (const [xml, code, words] of cases) {
      const startedMs = performance.now();
      expect(refusal(xml)).toMatchObject({ code, message: expect.stringContaining(words) });
      expect(performance.now() - startedMs).toBeLessThan(200);
    }
  });

  it('refuses what is not a well-formed Metalink, naming why and where', () => {
    expect(refusal('<metalink><file name="a"></metalink>').message).toContain('</metalink> closes no open <metalink>');
    expect(refusal('<metalink><file name="a">').message).toContain('<file> is never closed');
    expect(refusal('<html><file name="a"/></html>').message).toContain('root element is <html>');
    expect(refusal('<metalink></metalink>').message).toContain('no <file>');
    expect(refusal('<metalink><file/></metalink>').message).toContain('no name');
    expect(refusal('<metalink><file name="a" name="b"/></metalink>').message).toContain('repeats the attribute name');
    expect(refusal('<metalink><file name="a"><size>-1</size></file></metalink>').message).toContain('not a byte count');
    expect(refusal('<metalink><file name="a"><hash type="sha-256">abc</hash></file></metalink>').message).toContain('not 64 hex digits');
    expect(refusal('<metalink/><metalink/>').message).toContain('second root element');
  });

  it('answers every mutation of a valid Metalink with a result or a bad-metalink error, never a crash', () => {
    const random = createSeededRandom(5854);
    const alphabet = '<>/="\'&;#x![]?- \nabcdefilmnkpstuz0123456789:';
    for (let round = 0; round < 3000; round += 1) {
      const characters = [...(round % 2 === 0 ? rfcExample : version3)];
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits -= 1) {
        const at = Math.floor(random() * characters.length);
        const replacement = alphabet[Math.floor(random() * alphabet.length)] ?? '';
        if (random() < 0.5) characters[at] = replacement;
        else characters.splice(at, Math.floor(random() * 3), replacement.repeat(1 + Math.floor(random() * 3)));
      }
      try {
        const parsed = parseMetalink(characters.join(''));
        expect(parsed.name.length).toBeGreaterThan(0);
        expect(parsed.sha256 === null || /^[0-9a-f]{64}$/.test(parsed.sha256)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(CodedError);
        expect((error as CodedError).code).toBe('bad-metalink');
      }
    }
  });
});
