/**
 * Exact decimal money: a bigint coefficient and a base-10 scale (value = coef / 10^scale).
 *
 * Why not a float: per-token prices like $0.075/MTok have no exact binary form, and summing
 * millions of them drifts. Why not a library type: the stores hand DECIMAL columns back as a
 * bigint plus a scale (DuckDB's DuckDBDecimalValue, PostgreSQL NUMERIC text), so this shape
 * crosses every boundary without conversion. Addition and multiplication are exact; the only
 * division is by powers of ten, also exact. Nothing here ever rounds unless asked to.
 */
export class Decimal {
  private constructor(
    readonly coef: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  static fromBigInt(coef: bigint, scale = 0): Decimal {
    return new Decimal(coef, scale).normalize();
  }

  static fromInt(n: number): Decimal {
    if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
    return new Decimal(BigInt(n), 0);
  }

  /**
   * Parses "12", "-0.075", "1.5e-7", "3.3E-07". A JSON number is accepted through its shortest
   * round-trip string (String(n)), which is the decimal the producer wrote.
   */
  static parse(input: string | number): Decimal {
    const s = typeof input === 'number' ? numberToString(input) : input.trim();
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new SyntaxError(`not a decimal number: "${s}"`);
    const intPart = m[2] ?? '';
    const frac = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    let coef = BigInt((intPart + frac).replace(/^0+(?=\d)/, '') || '0');
    if (m[1] === '-') coef = -coef;
    let scale = frac.length - exp;
    if (scale < 0) {
      coef *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(coef, scale).normalize();
  }

  static tryParse(input: string | number): Decimal | undefined {
    try {
      return Decimal.parse(input);
    } catch {
      return undefined;
    }
  }

  static sum(values: Iterable<Decimal>): Decimal {
    let acc = Decimal.ZERO;
    for (const v of values) acc = acc.add(v);
    return acc;
  }

  add(other: Decimal): Decimal {
    if (this.scale === other.scale) return new Decimal(this.coef + other.coef, this.scale).normalize();
    const [a, b, scale] = align(this, other);
    return new Decimal(a + b, scale).normalize();
  }

  sub(other: Decimal): Decimal {
    return this.add(other.neg());
  }

  neg(): Decimal {
    return new Decimal(-this.coef, this.scale);
  }

  mul(other: Decimal): Decimal {
    return new Decimal(this.coef * other.coef, this.scale + other.scale).normalize();
  }

  mulInt(n: number): Decimal {
    if (n === 0 || this.coef === 0n) return Decimal.ZERO;
    return new Decimal(this.coef * BigInt(n), this.scale).normalize();
  }

  /** Exact division by 10^k (per-MTok rate -> per-token rate). */
  shift(k: number): Decimal {
    return new Decimal(this.coef, this.scale + k).normalize();
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    const [a, b] = align(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.cmp(other) === 0;
  }

  isZero(): boolean {
    return this.coef === 0n;
  }

  isNegative(): boolean {
    return this.coef < 0n;
  }

  /** Rounds half-even to `places` decimals (only for display and fixed-scale storage). */
  round(places: number): Decimal {
    if (this.scale <= places) return this;
    const div = 10n ** BigInt(this.scale - places);
    let q = this.coef / div;
    const r = this.coef % div;
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice > div || (twice === div && q % 2n !== 0n)) q += this.coef < 0n ? -1n : 1n;
    return new Decimal(q, places).normalize();
  }

  /** Plain decimal notation, no exponent, no trailing zeros: "0.0001542", "12", "-3.5". */
  toString(): string {
    if (this.scale === 0) return this.coef.toString();
    const neg = this.coef < 0n;
    const digits = (neg ? -this.coef : this.coef).toString().padStart(this.scale + 1, '0');
    const cut = digits.length - this.scale;
    return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** Lossy: for charts and ratios only, never for sums of money. */
  toNumber(): number {
    return Number(this.toString());
  }

  private normalize(): Decimal {
    if (this.coef === 0n) return this.scale === 0 ? this : Decimal.ZERO;
    let { coef, scale } = this;
    while (scale > 0 && coef % 10n === 0n) {
      coef /= 10n;
      scale--;
    }
    return scale === this.scale ? this : new Decimal(coef, scale);
  }
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.coef, b.coef, a.scale];
  if (a.scale > b.scale) return [a.coef, b.coef * 10n ** BigInt(a.scale - b.scale), a.scale];
  return [a.coef * 10n ** BigInt(b.scale - a.scale), b.coef, b.scale];
}

function numberToString(n: number): string {
  if (!Number.isFinite(n)) throw new SyntaxError(`not a finite number: ${n}`);
  return String(n);
}
