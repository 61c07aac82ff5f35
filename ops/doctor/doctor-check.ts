/** One line of `dualpipe doctor`: what was checked on which server, the verdict, and the fix. */

/** pass; warn (works, but something a DBA wants is missing); fail (the pipeline will not work). */
export type Verdict = 'pass' | 'warn' | 'fail';

/** One check of one server (or of the role accounts), with how to fix it when it did not pass. */
export interface DoctorCheck {
  server: 'source' | 'report';
  name: string;
  verdict: Verdict;
  detail: string;
  fix?: string;
}

/** A check before it is stamped with its server. */
export type ServerlessCheck = Omit<DoctorCheck, 'server'>;
