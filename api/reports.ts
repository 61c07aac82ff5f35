/** The CLI's `report` actions load this (api/light.ts explains why): report definitions and checks. */
export { listReports, listSourceTables, loadReportSet } from '../sync/reports/report-set.js';
export { lintReportsDirs } from '../sync/reports/lint-report.js';
export { writeReportTemplate } from '../sync/reports/new-report.js';
export { checkReport } from '../sync/reports/check-report.js';
