// The two-window tests, in this order: the ledger test expects the exact sums of every request
// made so far, so the tests that fail requests on purpose (the budget's refusals, the circuit's
// failures) come after it.
import './environment';
import './ledger';
import './budget';
import './circuits';
