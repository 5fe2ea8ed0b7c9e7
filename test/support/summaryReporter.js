'use strict';
/**
 * Jest reporter that ends the run with the plain line CI reads: `N passed, N failed`.
 * Skipped tests are reported on the line before it.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\n${skipped} skipped\n${results.numPassedTests} passed, ${failed} failed\n`);
  }
}
module.exports = SummaryReporter;
