/** Small word lists the generators combine into realistic-looking CRM data. */

function list(text: string): readonly string[] {
  return text.trim().split(/\s*\|\s*/);
}

/**
 * First names of contacts and staff, many with accents or letters beyond Latin-1 (Ł, ş), so copies
 * and checksums meet multi-byte text.
 */
export const FIRST_NAMES = list(`
  Anna | James | Maria | David | Sofia | Liam | Emma | Noah | Olivia | Lucas | Mia | Ethan | Chloé |
  Mateo | Zoë | Hugo | Léa | Jonas | Ingrid | Björn | Søren | Ana | João | Inés | Łukasz | Zofia |
  Ayşe | Mehmet | Aarav | Priya | Wei | Mei | Hiroshi | Yuki | Min-jun | Ji-woo | Omar | Fatima |
  Kwame | Amara | Olga | Dmitri | Niamh | Seán | Chiara | Luca | Elena | Pablo | Grace | Samuel
`);

/** Last names of contacts and staff, some with accents, an apostrophe (O'Brien) or spaces. */
export const LAST_NAMES = list(`
  Smith | Johnson | Williams | Brown | Garcia | Miller | Davis | Martínez | Lopez | Wilson |
  Müller | Schmidt | Schneider | Fischer | Weber | Dubois | Lefèvre | Moreau | Rossi | Bianchi |
  Kowalski | Nowak | Wiśniewski | Novák | Jensen | Nielsen | Andersson | Øvrebø | Silva | Santos |
  Yılmaz | Kaya | Sharma | Patel | Wang | Li | Zhang | Tanaka | Suzuki | Kim | Park | Haddad |
  Mensah | Okafor | Ivanova | O'Brien | Murphy | Fernández | Costa | Van der Berg
`);

/** Values of `contacts.job_title`. */
export const JOB_TITLES = list(`
  CEO | CTO | Head of Sales | Sales Manager | Account Executive | Marketing Manager |
  Procurement Lead | Operations Manager | IT Director | Office Manager | Founder | Product Manager |
  Finance Director | Purchasing Agent | Customer Success Lead | Consultant
`);

/** The first word of an organization's name (`companyName`): prefix, noun, suffix. */
export const ORG_PREFIXES = list(`
  Northwind | Bluebird | Acme | Globex | Initech | Umbrella | Stark | Wayne | Cyberdyne | Soylent |
  Aperture | Vandelay | Hooli | Pied Piper | Dunder | Oceanic | Nordlicht | Sonnenberg | Étoile |
  Aurora | Cascade | Evergreen | Summit | Harbor | Polaris | Zenith
`);

/** The middle word of an organization's name. */
export const ORG_NOUNS = list(`
  Logistics | Systems | Foods | Analytics | Robotics | Textiles | Energy | Media | Labs |
  Consulting | Pharma | Motors | Outfitters | Software | Builders | Travel | Health | Retail
`);

/** The legal suffix that ends an organization's name (left out of its domain). */
export const ORG_SUFFIXES = list(`
  Inc. | LLC | Ltd | GmbH | S.A. | AG | B.V. | Group | Co. | SARL
`);

/** Values of `organizations.industry`. */
export const INDUSTRIES = list(`
  Software | Retail | Manufacturing | Healthcare | Finance | Education | Logistics | Hospitality |
  Media | Energy | Construction | Agriculture | Non-profit | Telecom
`);

/**
 * Mail domains of contacts who do not use an organization's domain, under the reserved `.example`.
 */
export const FREEMAIL_DOMAINS = list(`
  mail.example | inbox.example | post.example | webmail.example
`);

/** City, region, ISO country, postal code pattern (# digit, A letter), currency. */
export const CITIES: readonly (readonly [string, string, string, string, string])[] = [
  ['New York', 'NY', 'US', '#####', 'USD'],
  ['Austin', 'TX', 'US', '#####', 'USD'],
  ['San Francisco', 'CA', 'US', '#####', 'USD'],
  ['Chicago', 'IL', 'US', '#####', 'USD'],
  ['Toronto', 'ON', 'CA', 'A#A #A#', 'CAD'],
  ['London', 'England', 'GB', 'AA# #AA', 'GBP'],
  ['Manchester', 'England', 'GB', 'A## #AA', 'GBP'],
  ['Dublin', 'Leinster', 'IE', 'A## AAAA', 'EUR'],
  ['Berlin', 'Berlin', 'DE', '#####', 'EUR'],
  ['München', 'Bayern', 'DE', '#####', 'EUR'],
  ['Köln', 'Nordrhein-Westfalen', 'DE', '#####', 'EUR'],
  ['Paris', 'Île-de-France', 'FR', '#####', 'EUR'],
  ['Lyon', 'Auvergne-Rhône-Alpes', 'FR', '#####', 'EUR'],
  ['Madrid', 'Comunidad de Madrid', 'ES', '#####', 'EUR'],
  ['Barcelona', 'Cataluña', 'ES', '#####', 'EUR'],
  ['Milano', 'Lombardia', 'IT', '#####', 'EUR'],
  ['Amsterdam', 'Noord-Holland', 'NL', '#### AA', 'EUR'],
  ['København', 'Hovedstaden', 'DK', '####', 'DKK'],
  ['Stockholm', 'Stockholms län', 'SE', '### ##', 'SEK'],
  ['Kraków', 'Małopolskie', 'PL', '##-###', 'PLN'],
  ['São Paulo', 'SP', 'BR', '#####-###', 'BRL'],
  ['Ciudad de México', 'CDMX', 'MX', '#####', 'MXN'],
  ['Tokyo', '東京都', 'JP', '###-####', 'JPY'],
  ['Sydney', 'NSW', 'AU', '####', 'AUD'],
];

/** Street names of `addresses.line1`. */
export const STREETS = list(`
  Main Street | Oak Avenue | Maple Road | Church Lane | High Street | Hauptstraße | Rue de la Paix |
  Calle Mayor | Via Roma | Market Square | Station Road | Kirkegade
`);

/**
 * Values of `contact_tags.tag` (and of automation conditions). Some are not ASCII (décideur,
 * オンライン), and the tag is part of the primary key, so change capture and key handling meet
 * multi-byte keys.
 */
export const TAGS = list(`
  vip | newsletter | webinar-2024 | trade-show | partner | churn-risk | beta-tester | enterprise |
  smb | referral | event-lead | upsell | renewal-due | support-heavy | early-adopter |
  price-sensitive | décideur | überzeugt | オンライン | high-intent | cold | warm | hot | linkedin |
  podcast | black-friday | loyalty | wholesale
`);

/** The first word of a product name (`productName`): adjective, material, noun. */
export const PRODUCT_ADJECTIVES = list(`
  Premium | Classic | Compact | Ergonomic | Wireless | Smart | Eco | Pro | Ultra | Deluxe
`);
/** The middle word of a product name. */
export const PRODUCT_MATERIALS = list(`
  Steel | Bamboo | Leather | Cotton | Aluminium | Glass | Oak | Carbon
`);
/** The last words of a product name. */
export const PRODUCT_NOUNS = list(`
  Desk | Chair | Lamp | Backpack | Headset | Keyboard | Bottle | Notebook | Monitor Arm | Router |
  Subscription | Support Plan | Licence | Training Day | Onboarding Package
`);
/** Values of `catalog_items.category`. */
export const CATEGORIES = list(`
  Furniture | Electronics | Accessories | Software | Services | Training
`);

/** Interaction subjects; `{product}`, `{order}` and `{name}` are filled in (text.ts). */
export const SUBJECTS = [
  'Follow-up on our call',
  'Quote request',
  'Invoice question',
  'Renewal reminder',
  'Product demo',
  'Onboarding kickoff',
  'Support ticket update',
  'Contract review',
  'Shipping delay',
  'Feedback',
  'Webinar invitation',
  'Pricing for {product}',
  'Order {order} status',
  'Intro from {name}',
  'Meeting notes',
  'Re: discount',
  'Trial extension',
  'Welcome aboard',
  'Account review',
  'Bug report',
];

/**
 * Sentences of message bodies and item descriptions, with `{placeholders}` as in SUBJECTS; a few
 * are not in English.
 */
export const SENTENCES = [
  'Thanks for taking the time to talk today.',
  'As discussed, I am sending over the updated quote for {product}.',
  'Could you confirm the delivery address for order {order}?',
  'The team would like to schedule a demo next week.',
  'We noticed a problem with the last invoice and would like to clarify it.',
  'Our budget for the next quarter was approved.',
  'Please find the contract draft attached.',
  'The shipment left our warehouse on Tuesday.',
  'Let me know if {name} should join the next meeting.',
  'We are comparing a few vendors before deciding.',
  'The renewal is due at the end of the month.',
  'Happy to extend the trial by two weeks.',
  'Unfortunately the {product} arrived damaged.',
  'Our café in {city} loves the new setup — merci!',
  'Can we move the call to Thursday at 10:00?',
  'I forwarded your request to our billing department.',
  'The integration works great so far.',
  'We need twelve more licences for the new hires.',
  'Das Angebot klingt gut, wir melden uns bis Freitag.',
  'El pedido llegó a tiempo, ¡gracias!',
];

/**
 * Emoji now and then added to message bodies. Most take 4 bytes in UTF-8, which only utf8mb4
 * stores: MySQL's utf8 (utf8mb3) holds at most 3 bytes per character.
 */
export const EMOJI = list(`
  🙂 | 🚀 | 👍 | 📦 | 🎉 | 🙏 | ☕ | 🔥
`);

/** Values of `automation_runs.error_message` for failed runs. */
export const ERROR_MESSAGES = [
  'SMTP 550: mailbox unavailable',
  'webhook returned HTTP 502 Bad Gateway',
  'webhook timed out after 30 s',
  'contact has no email address',
  'template "welcome-v2" not found',
  'rate limit exceeded: 429 Too Many Requests',
];
