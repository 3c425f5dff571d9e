/**
 * Static data the generator draws from: currencies with fixed exchange rates, countries with an address, a
 * tax and a currency each, names, and product families. Invented but plausible values; nothing here is
 * Shopify data.
 */

export type Currency = {
  code: string;
  /** Digits after the decimal point (ISO 4217 minor unit): 2, or 0 for JPY. */
  digits: number;
  /** Units of this currency per US dollar, fixed so that the data is reproducible. */
  perUsd: number;
};

export const CURRENCIES: readonly Currency[] = [
  { code: 'USD', digits: 2, perUsd: 1 },
  { code: 'EUR', digits: 2, perUsd: 0.92 },
  { code: 'GBP', digits: 2, perUsd: 0.79 },
  { code: 'CAD', digits: 2, perUsd: 1.37 },
  { code: 'AUD', digits: 2, perUsd: 1.53 },
  { code: 'JPY', digits: 0, perUsd: 151 },
];

/** The currency with ISO code `code`. @throws Error for a code the simulator does not know. */
export function currencyOf(code: string): Currency {
  const currency = CURRENCIES.find((candidate) => candidate.code === code);
  if (!currency)
    throw new Error(`unknown currency ${code}; known: ${CURRENCIES.map((c) => c.code).join(', ')}`);
  return currency;
}

export type Region = {
  province: string | null;
  provinceCode: string | null;
  city: string;
  zip: string;
  street: string;
  latitude: number;
  longitude: number;
  /** Sales tax or VAT rate of the region, and its tax line title. */
  taxRate: number;
  taxTitle: string;
};

export type Country = {
  code: string;
  name: string;
  currency: string;
  phonePrefix: string;
  /** Whether shipping is taxed at the region's rate (VAT countries) or not (most US states). */
  taxesShipping: boolean;
  regions: readonly Region[];
  /** Share of customers from this country. */
  weight: number;
};

export const COUNTRIES: readonly Country[] = [
  {
    code: 'US',
    name: 'United States',
    currency: 'USD',
    phonePrefix: '+1',
    taxesShipping: false,
    weight: 45,
    regions: [
      region('Kentucky', 'KY', 'Louisville', '40202', 'Chestnut Street', 38.25, -85.76, 0.06, 'KY State Tax'),
      region('New York', 'NY', 'New York', '10001', 'West 34th Street', 40.75, -73.99, 0.04, 'NY State Tax'),
      region(
        'California',
        'CA',
        'San Francisco',
        '94103',
        'Mission Street',
        37.77,
        -122.41,
        0.0725,
        'CA State Tax',
      ),
      region('Texas', 'TX', 'Austin', '78701', 'Congress Avenue', 30.27, -97.74, 0.0625, 'TX State Tax'),
    ],
  },
  {
    code: 'CA',
    name: 'Canada',
    currency: 'CAD',
    phonePrefix: '+1',
    taxesShipping: true,
    weight: 10,
    regions: [
      region('Ontario', 'ON', 'Ottawa', 'K1P 1J1', 'Sparks Street', 45.42, -75.69, 0.13, 'HST'),
      region('Quebec', 'QC', 'Montréal', 'H2Y 1C6', 'Rue Saint-Paul', 45.5, -73.55, 0.05, 'GST'),
    ],
  },
  {
    code: 'GB',
    name: 'United Kingdom',
    currency: 'GBP',
    phonePrefix: '+44',
    taxesShipping: true,
    weight: 12,
    regions: [region('England', 'ENG', 'London', 'SW1A 1AA', 'Whitehall', 51.5, -0.13, 0.2, 'GB VAT')],
  },
  {
    code: 'DE',
    name: 'Germany',
    currency: 'EUR',
    phonePrefix: '+49',
    taxesShipping: true,
    weight: 10,
    regions: [region('Berlin', 'BE', 'Berlin', '10115', 'Invalidenstraße', 52.53, 13.38, 0.19, 'DE MwSt')],
  },
  {
    code: 'FR',
    name: 'France',
    currency: 'EUR',
    phonePrefix: '+33',
    taxesShipping: true,
    weight: 8,
    regions: [region(null, null, 'Paris', '75004', 'Rue de Rivoli', 48.86, 2.35, 0.2, 'FR TVA')],
  },
  {
    code: 'AU',
    name: 'Australia',
    currency: 'AUD',
    phonePrefix: '+61',
    taxesShipping: true,
    weight: 8,
    regions: [
      region('New South Wales', 'NSW', 'Sydney', '2000', 'George Street', -33.87, 151.21, 0.1, 'GST'),
    ],
  },
  {
    code: 'JP',
    name: 'Japan',
    currency: 'JPY',
    phonePrefix: '+81',
    taxesShipping: true,
    weight: 7,
    regions: [region('Tokyo', 'JP-13', 'Chiyoda', '100-0001', 'Marunouchi', 35.68, 139.77, 0.1, 'JP CT')],
  },
];

function region(
  province: string | null,
  provinceCode: string | null,
  city: string,
  zip: string,
  street: string,
  latitude: number,
  longitude: number,
  taxRate: number,
  taxTitle: string,
): Region {
  return { province, provinceCode, city, zip, street, latitude, longitude, taxRate, taxTitle };
}

/** The country with ISO code `code`. @throws Error for a code not in `COUNTRIES`. */
export function countryOf(code: string): Country {
  const country = COUNTRIES.find((candidate) => candidate.code === code);
  if (!country) throw new Error(`unknown country ${code}`);
  return country;
}

/** Where a shop in each currency is: its address and whether its prices include tax (VAT shops do). */
export const SHOP_COUNTRY_BY_CURRENCY: Readonly<Record<string, string>> = {
  USD: 'US',
  EUR: 'DE',
  GBP: 'GB',
  CAD: 'CA',
  AUD: 'AU',
  JPY: 'JP',
};

export const FIRST_NAMES: readonly string[] = [
  'Bob',
  'Alice',
  'Léa',
  'Jürgen',
  'Noël',
  'Priya',
  'Hiroshi',
  'Amara',
  'Mateo',
  'Sofia',
  'Liam',
  'Chloé',
  'Oliver',
  'Yuki',
  'Fatima',
  'Lucas',
  'Emma',
  'Aarav',
  'Isabella',
  'Zoë',
  'Ethan',
  'Mia',
  'Kwame',
  'Ingrid',
];

export const LAST_NAMES: readonly string[] = [
  'Norman',
  'Smith',
  'Dubois',
  'Müller',
  'Tanaka',
  'Okafor',
  'García',
  'Rossi',
  'Nguyen',
  'Kowalski',
  'Johansson',
  'Brown',
  'Martin',
  'Sato',
  'Patel',
  'Silva',
  "O'Brien",
  'Fischer',
  'Moreau',
  'Wilson',
];

export type ProductFamily = {
  productType: string;
  vendor: string;
  nouns: readonly string[];
  option: string;
  values: readonly string[];
  /** Price range in US dollars; converted to the shop currency. */
  minPrice: number;
  maxPrice: number;
  grams: readonly [number, number];
};

export const PRODUCT_FAMILIES: readonly ProductFamily[] = [
  {
    productType: 'Apparel',
    vendor: 'Northwind Outfitters',
    nouns: ['T-Shirt', 'Hoodie', 'Rain Jacket', 'Cap', 'Wool Socks'],
    option: 'Size',
    values: ['S', 'M', 'L', 'XL'],
    minPrice: 15,
    maxPrice: 140,
    grams: [120, 900],
  },
  {
    productType: 'Home',
    vendor: 'Hearth & Co',
    nouns: ['Candle', 'Mug', 'Throw Blanket', 'Vase', 'Cutting Board'],
    option: 'Color',
    values: ['Sand', 'Sage', 'Charcoal'],
    minPrice: 12,
    maxPrice: 95,
    grams: [200, 1800],
  },
  {
    productType: 'Accessories',
    vendor: 'Atlas Goods',
    nouns: ['Backpack', 'Wallet', 'Water Bottle', 'Sunglasses', 'Tote'],
    option: 'Color',
    values: ['Black', 'Navy', 'Olive'],
    minPrice: 20,
    maxPrice: 180,
    grams: [60, 1200],
  },
  {
    productType: 'Beauty',
    vendor: 'Lumen Botanicals',
    nouns: ['Face Serum', 'Lip Balm', 'Hand Cream', 'Shampoo Bar'],
    option: 'Size',
    values: ['30 ml', '50 ml', '100 ml'],
    minPrice: 8,
    maxPrice: 70,
    grams: [30, 400],
  },
];

export const ADJECTIVES: readonly string[] = [
  'Classic',
  'Everyday',
  'Organic',
  'Vintage',
  'Premium',
  'Essential',
  'Coastal',
  'Alpine',
  'Urban',
  'Heritage',
];

/** Discount codes: percentage ones (value in percent) and fixed-amount ones (value in US dollars). */
export const DISCOUNT_CODES: readonly { code: string; kind: 'percentage' | 'fixed_amount'; value: number }[] =
  [
    { code: 'WELCOME10', kind: 'percentage', value: 10 },
    { code: 'SPRING15', kind: 'percentage', value: 15 },
    { code: 'VIP20', kind: 'percentage', value: 20 },
    { code: 'TENOFF', kind: 'fixed_amount', value: 10 },
    { code: 'FIVEOFF', kind: 'fixed_amount', value: 5 },
  ];

/** Shipping rates in US dollars; orders above `FREE_SHIPPING_OVER_USD` ship free by the standard rate. */
export const SHIPPING_RATES: readonly { title: string; code: string; usd: number }[] = [
  { title: 'Standard', code: 'STANDARD', usd: 6 },
  { title: 'Express', code: 'EXPRESS', usd: 18 },
];
export const FREE_SHIPPING_OVER_USD = 100;

export const CANCEL_REASONS: readonly string[] = ['customer', 'fraud', 'inventory', 'declined', 'other'];
