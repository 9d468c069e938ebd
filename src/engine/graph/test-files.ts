/**
 * Test files by the conventions of the languages the graph reads: a `test`/`tests`/`spec`/
 * `__tests__` directory, `*.test.*`/`*.spec.*`, Go's `_test.go`, Python's `test_*.py` and
 * `*_test.py`, Ruby's `_spec.rb`, Java/Kotlin/C#'s `*Test`/`*Tests`.
 */
const TEST_PATH =
  /(^|\/)(tests?|__tests__|specs?|testing)\/|\.(test|spec)\.[^/]+$|_(test|spec)\.(go|py|rb|rs|exs?)$|(^|\/)test_[^/]+\.py$|(^|\/)conftest\.py$|Tests?\.(java|kt|cs|scala)$/;

export const isTestPath = (rel: string): boolean => TEST_PATH.test(rel);
