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
  NUM_TAG,
  OBJ_TAG,
  RegoSet,
  resetEvaluation,
  SET_TAG,
  tagValue,
  untagValue,
} from './js/index.ts';
