// Command pare gives every cloud identity exactly the access it uses: it reads
// activity logs, stores them in DuckDB, computes what each principal used and
// writes right-sized policies.
//
// This package is the only place that wires the store (usage), the
// synthesizers (synth) and the renderers (emit) together, and the only place
// that touches flags, files, the network, the terminal and the clock. It
// must never hold policy logic of its own: it calls synth for that.
//
// Usage:
//
//	pare generate [--db FILE] [--provider aws] [--principal GLOB]... [--since 90d | --from T --to T]
//	              [--format json,terraform] [--include-denied] [--max-resources N] [--strict] --out DIR [INPUT...]
//	pare ingest --db FILE [--strict] INPUT...
//	pare version
package main
