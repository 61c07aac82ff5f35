/** Every table the seeder fills, parents before children. */
import { automationRuns, automationTriggers } from './automation.js';
import { catalogItems, transactionItems, transactions } from './commerce.js';
import { addresses, contactTags } from './contact-details.js';
import { interactions } from './interactions.js';
import { contacts, organizations, users } from './people.js';
import { opportunities, opportunityStageHistory, pipelineStages } from './pipeline.js';
import type { TableSeed } from './table-seed.js';

/** Every table the seeder fills, parents before children. */
export const SEED_TABLES: readonly TableSeed[] = [
  users,
  organizations,
  contacts,
  addresses,
  contactTags,
  catalogItems,
  transactions,
  transactionItems,
  interactions,
  pipelineStages,
  opportunities,
  opportunityStageHistory,
  automationTriggers,
  automationRuns,
];

/** The CRM tables in dependency order (parents first). */
export const CRM_TABLES: readonly string[] = SEED_TABLES.map((t) => t.table);
