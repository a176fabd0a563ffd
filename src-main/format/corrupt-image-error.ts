// The parsers' error for damaged or hostile input lives in io/ so the decoders of compression/ (below
// format/) throw the very same class: a damaged xz block read through a parser is image damage like
// any other. Re-exported here, where every parser already imports it from.
export { CorruptImageError } from '../io/corrupt-image-error.ts';
