/** The manager core: plain TypeScript, no `vscode`. Everything other layers may use is exported here. */
export * from './backoff';
export * from './chainPlan';
export * from './circuitBreaker';
export * from './clock';
export * from './errors';
export * from './format';
export * from './lifecycle';
export * from './llmManager';
export * from './metrics';
export * from './responseCache';
export * from './spendLedger';
export * from './tokenBucket';
export * from './traceText';
export * from './types';
