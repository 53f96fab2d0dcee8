/**
 * Failure types that retrying the same attempt cannot fix. Activities raise them as
 * ApplicationFailure types (the error class's name); the retry policy sends them straight to
 * the operation's failure gate. No imports: shared by workflow and activity code.
 */
export const NON_RETRYABLE = [
  'InjectedFault',
  'SchemaIncompatible',
  'VerificationFailed',
  'PolicyError',
  'ConfigError',
  'SafetyCheckFailed',
  'MissingSecret',
  'InvalidBackup',
  'UnknownEnvironment',
  'InvalidName',
  'UnsupportedByEngine',
  'DemoExists',
] as const;
