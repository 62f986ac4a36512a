// Business texts for the extractive floor's tests: a lead that states the main result, then detail, and a
// highly central sentence that opens on "However," (the shape issue 9's reviewer summarized).

/** 89 words, six sentences; the first is the headline. */
export const INVOICE_MEMO = [
  'Acme cut invoice processing time by 40 percent in the third quarter.',
  'The finance team moved supplier invoices from email to the new approval portal in July.',
  'Most suppliers adopted the portal within three weeks, and the backlog of unpaid invoices fell sharply.',
  'However, the portal still rejects invoices that lack a purchase order number, which delays some payments.',
  'The team will add purchase order matching to the portal before the end of the year.',
  'Suppliers that still send invoices by email will be asked to switch by December.',
];

export const RENEWALS_NOTE = [
  'Revenue rose 18 percent in the quarter on strong subscription renewals.',
  'Subscription renewals drove most of the growth in the quarter.',
  'However, subscription renewals in Europe slowed as customers delayed renewals.',
  'The board approved the budget for next year.',
  'Renewals in Asia and subscription upgrades in Europe grew faster than expected.',
  'The company hired a new head of sales for Europe.',
];
