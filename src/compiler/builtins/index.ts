/** The Rego builtin catalogue: declarations for the compiler, JavaScript implementations for the runtime. */
export * from './decls.ts';
export { BuiltinError, type BuiltinFn, type EvaluationCache, type JsBuiltins, type JsBuiltinsOptions, jsBuiltins, newEvaluationCache, resetEvaluation } from './js/index.ts';
