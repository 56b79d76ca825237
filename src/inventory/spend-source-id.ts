/** A spend source's stable id: `vendor/product/channel`, each part slugged (lower case, a-z0-9 and dashes). */
export function spendSourceId(vendor: string, product: string, channel: string): string {
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'unnamed';
  return `${slug(vendor)}/${slug(product)}/${slug(channel)}`;
}
