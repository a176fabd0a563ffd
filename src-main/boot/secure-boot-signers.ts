// Who signed an EFI loader, as far as its bytes prove it: each Authenticode signature (a PKCS#7
// SignedData, Microsoft "Windows Authenticode Portable Executable Signature Format") is parsed and
// checked with pkijs, never by hand. A signature counts only when (1) its SpcIndirectDataContent names
// the SHA-256 this run computed over the file, and (2) pkijs verifies the signer's signature over the
// signed attributes and their messageDigest over that content (RFC 5652 5.4, 5.6). The chain is then
// followed through the certificates the signature carries, each one checked against its issuer's key.
// The last issuer (a Microsoft CA, a distribution's CA) is named by the certificate that verified, not
// checked against a vendored copy of that CA: firmware holds the CA; Isotope has no copy of it.
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SecureBootSigner } from '../../shared/boot.ts';
import { CorruptImageError } from '../io/corrupt-image-error.ts';

/** Authenticode: SPC_INDIRECT_DATA_OBJID, the content type of a PE signature. */
const SPC_INDIRECT_DATA_OID = '1.3.6.1.4.1.311.2.1.4';
const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const COMMON_NAME_OID = '2.5.4.3';
/** A real chain is 2 or 3 certificates; more is not followed. */
const MAX_CHAIN_CERTIFICATES = 8;

// Node's WebCrypto is the standard interface pkijs expects; its typings name the DOM's Crypto type.
type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
const cryptoEngine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as EngineCrypto });

export interface VerifiedSignature {
  /** The signer first, then each issuer whose certificate in the signature verified the one before. */
  readonly chain: readonly SecureBootSigner[];
}

function commonName(name: pkijs.RelativeDistinguishedNames): string {
  const attribute = name.typesAndValues.find((entry) => entry.type === COMMON_NAME_OID);
  const value: unknown = attribute?.value.valueBlock.value;
  return typeof value === 'string' ? value : '';
}

function signerOf(certificate: pkijs.Certificate): SecureBootSigner {
  return {
    subjectCommonName: commonName(certificate.subject),
    issuerCommonName: commonName(certificate.issuer),
    notBeforeMs: certificate.notBefore.value.getTime(),
    notAfterMs: certificate.notAfter.value.getTime(),
  };
}

/** The digest SpcIndirectDataContent carries: SEQUENCE { data, messageDigest DigestInfo { algorithm, digest } }. */
function indirectDigest(signedData: pkijs.SignedData): { algorithmOid: string; digestHex: string } | null {
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== SPC_INDIRECT_DATA_OID || !(eContent instanceof asn1js.Sequence)) return null;
  const digestInfo = eContent.valueBlock.value[1];
  if (!(digestInfo instanceof asn1js.Sequence)) return null;
  const [algorithm, digest] = digestInfo.valueBlock.value;
  const oid = algorithm instanceof asn1js.Sequence ? algorithm.valueBlock.value[0] : undefined;
  if (!(oid instanceof asn1js.ObjectIdentifier) || !(digest instanceof asn1js.OctetString)) return null;
  return { algorithmOid: oid.valueBlock.toString(), digestHex: Buffer.from(digest.valueBlock.valueHexView).toString('hex') };
}

function parseSignedData(der: Uint8Array, where: string): pkijs.SignedData {
  try {
    const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(der));
    if (contentInfo.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error(`content type ${contentInfo.contentType} is not SignedData`);
    return new pkijs.SignedData({ schema: contentInfo.content });
  } catch (error) {
    // asn1js/pkijs throw plain errors (or RangeError on absurd nesting): reported as this signature's fault.
    throw new CorruptImageError(`${where}: ${der.byteLength}-byte PKCS#7 signature is not a readable SignedData (${(error as Error).message})`, {});
  }
}

/** Follows issuers through the signature's own certificates while each verifies the one before it. */
async function verifiedChain(signer: pkijs.Certificate, certificates: readonly pkijs.Certificate[]): Promise<SecureBootSigner[]> {
  const chain = [signerOf(signer)];
  let current = signer;
  while (chain.length < MAX_CHAIN_CERTIFICATES) {
    const issuer = certificates.find((candidate) => candidate !== current && candidate.subject.isEqual(current.issuer));
    if (issuer === undefined || !(await current.verify(issuer, cryptoEngine).catch(() => false))) break;
    chain.push(signerOf(issuer));
    current = issuer;
  }
  return chain;
}

/**
 * Checks one Authenticode signature against the file's Authenticode SHA-256 (lower-case hex). Null when
 * it does not prove anything about this file (another digest, a digest algorithm other than SHA-256, a
 * signature that does not verify); a CorruptImageError when it is not a readable SignedData.
 */
export async function verifyAuthenticodeSignature(der: Uint8Array, authenticodeSha256: string, where: string): Promise<VerifiedSignature | null> {
  const signedData = parseSignedData(der, where);
  const digest = indirectDigest(signedData);
  if (digest === null || digest.algorithmOid !== SHA256_OID || digest.digestHex !== authenticodeSha256) return null;
  const certificates = (signedData.certificates ?? []).filter((entry): entry is pkijs.Certificate => entry instanceof pkijs.Certificate);
  const result = await signedData
    .verify({ signer: 0, checkChain: false, extendedMode: true }, cryptoEngine)
    .catch(() => ({ signatureVerified: false, signerCertificate: undefined }));
  if (result.signatureVerified !== true || !result.signerCertificate) return null;
  return { chain: await verifiedChain(result.signerCertificate, certificates) };
}
