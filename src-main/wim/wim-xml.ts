// The WIM's XML data (a UTF-16LE document: <WIM><TOTALBYTES/><IMAGE INDEX="1">...</IMAGE>...</WIM>).
// A split copies it into every part as recorded; before that it is checked to lie inside the file and
// to describe as many images as the header counts, as wimlib checks before it splits (wim.c begin_read).
import type { ByteSource } from '../io/byte-source.ts';
import { CodedError } from '../jobs/errors.ts';
import { readWimRegion, resourceFlags, wimCorrupt, wimHeaderBytes, type WimHeader } from './wim-header.ts';

/**
 * Leniency limit: the XML of a ten-edition Windows install.wim is about 50 KB. Every part copies it,
 * so a hostile header naming gigabytes of "XML" would multiply the split's size: refuse over 16 MiB.
 */
const maxXmlBytes = 16 * 1024 * 1024;
const xmlHeaderField = 72;

/**
 * Fails unless the XML data is an uncompressed resource inside the file whose IMAGE elements number
 * the header's image count. The count is of <IMAGE> start tags, not a parse: enough to refuse a
 * header and XML that disagree (wimlib refuses them; Windows Setup names images by the XML).
 */
export async function checkXmlData(wim: ByteSource, header: WimHeader): Promise<void> {
  const xml = header.xmlData;
  if (xml.flags & resourceFlags.compressed) throw new CodedError('unsupported', `${wim.name}: the XML data is compressed (WIMGAPI never writes it so)`);
  if (
    xml.storedBytes === 0 ||
    xml.storedBytes !== xml.uncompressedBytes ||
    xml.offsetBytes < wimHeaderBytes ||
    xml.offsetBytes + xml.storedBytes > wim.sizeBytes
  ) {
    throw wimCorrupt(
      xmlHeaderField,
      `XML data of ${xml.storedBytes} bytes (${xml.uncompressedBytes} expanded) at offset ${xml.offsetBytes} is not inside the ${wim.sizeBytes}-byte WIM`,
    );
  }
  if (xml.storedBytes > maxXmlBytes) throw wimCorrupt(xmlHeaderField, `XML data of ${xml.storedBytes} bytes is more than the ${maxXmlBytes} Isotope accepts`);
  const text = new TextDecoder('utf-16le').decode(await readWimRegion(wim, xml.offsetBytes, xml.storedBytes, 'XML data'));
  const imageCount = text.match(/<IMAGE[\s>]/g)?.length ?? 0;
  if (imageCount !== header.imageCount) {
    throw wimCorrupt(xml.offsetBytes, `the header declares ${header.imageCount} images, the XML data describes ${imageCount}`);
  }
}
