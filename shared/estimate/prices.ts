/**
 * The one price table `tracectl estimate` uses (USD, pay-as-you-go, list prices, East US). Prices
 * change and differ by region and agreement: docs/cost-estimate.md says where each figure comes
 * from and when it was read. Edit here, nowhere else.
 */

/** Log Analytics table plans. */
export type LogPlan = 'Analytics' | 'Basic' | 'Auxiliary';

/** A price with where it comes from. */
export interface Price {
  /** USD per unit. */
  usd: number;
  /** What one unit is, e.g. `GB ingested (10^9 bytes)`. */
  unit: string;
  /** Where the figure comes from. */
  source: string;
}

/** The date the figures below were read or last checked. */
export const PRICES_READ_ON = '2026-12-04';

/** Ingestion price per GB (10^9 bytes, as Log Analytics counts) by table plan. */
export const LOG_ANALYTICS_PRICES: Readonly<Record<LogPlan, Price>> = {
  Analytics: {
    usd: 2.3,
    unit: 'GB ingested',
    source:
      'azure.microsoft.com/pricing/details/monitor, Analytics logs, pay-as-you-go (as in docs/deploy.md)',
  },
  Basic: {
    usd: 0.5,
    unit: 'GB ingested',
    source:
      'azure.microsoft.com/pricing/details/monitor, Basic logs (as in docs/deploy.md); queries billed per GB scanned',
  },
  Auxiliary: {
    usd: 0.05,
    unit: 'GB ingested',
    source:
      'azure.microsoft.com/pricing/details/monitor, Auxiliary logs ingestion; data processing of DCR transformations not included',
  },
};

/** Azure Table storage, Standard general-purpose v2, LRS. */
export const TABLE_STORAGE_PRICES: Readonly<{ storage: Price; transactions: Price }> = {
  storage: {
    usd: 0.045,
    unit: 'GB-month stored',
    source: 'azure.microsoft.com/pricing/details/storage/tables, LRS capacity',
  },
  transactions: {
    usd: 0.00036,
    unit: '10,000 transactions',
    source:
      'azure.microsoft.com/pricing/details/storage/tables, LRS; every entity counted (an upper bound: we write in batches of up to 100)',
  },
};

/**
 * Plans each table can use (learn: Azure Monitor table reference, "Basic table support" and
 * "Auxiliary / Lake"; custom DCR tables such as RetinaTraces_CL support all three).
 */
export const PLANS_BY_TABLE: Readonly<Record<string, readonly LogPlan[]>> = {
  RetinaTraces_CL: ['Analytics', 'Basic', 'Auxiliary'],
  ASimNetworkSessionLogs: ['Analytics', 'Basic', 'Auxiliary'],
  ASimWebSessionLogs: ['Analytics', 'Basic', 'Auxiliary'],
  ASimDnsActivityLogs: ['Analytics'],
};
