/** The Rego builtin catalogue: declarations for the compiler, JavaScript implementations for the runtime. */
export * from './decls.ts';
export {
  BuiltinError,
  type BuiltinFn,
  type EvaluationCache,
  type JsBuiltins,
  type JsBuiltinsOptions,
  jsBuiltins,
  newEvaluationCache,
  RegoSet,
  resetEvaluation,
  SET_TAG,
} from './js/index.ts';
