// Cutting text by its UTF-8 size without splitting a character (output caps, stream chunks).

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, cut on a character boundary. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  // Fast path: even at 3 bytes per UTF-16 unit (the worst case) the text fits.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
