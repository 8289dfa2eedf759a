export interface LintFailure {
  /** Offset of the offending data within the component. */
  offset: number;
  reason: string;
}

export interface LintContext {
  currentYear(): number;
}

export type Linter = (value: string, context: LintContext) => LintFailure | undefined;
